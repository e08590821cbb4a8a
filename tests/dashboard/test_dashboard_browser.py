"""The team dashboard in headless Debian Chromium against the real server: the page renders
(its style allowed by the Content-Security-Policy, no script), the charts' figures are the chat
summary's, and a replayed or stale link shows nothing. A screenshot is kept under
tests/dashboard/artifacts/ (docs/managers-dashboard.png is one such).

`make test` installs Chromium when missing (tests/dashboard/ensure-chromium.sh); without it
these tests skip, loudly, and tests/dashboard/test_dashboard_http.py still runs.
"""

from __future__ import annotations

import asyncio
import os
import struct
import warnings
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dashboard_harness import (
    BOSS,
    Served,
    read_page,
    serving,
    summary_figures,
    workspace_with_figures,
)
from redis.asyncio import Redis

from adapters.redis.dashboard_links import RedisDashboardLinks

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).parent / "artifacts"
# As root in a closed network: no sandbox, and no background connections or first-run work.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")
HEADER = (0x24, 0x3B, 0x55)  # the page header's background (adapters/web/dashboard.py STYLE)


@pytest.fixture
def chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        message = (f"SKIPPED LOUDLY: no Chromium at {CHROMIUM}; the dashboard's browser tests "
                   "did not run (make test installs Debian's chromium when root)")
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
async def served(redis: Redis, redis_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    async with serving(redis_url, tmp_path) as running:
        await workspace_with_figures(running)
        yield running


async def browse(chromium: Path, profile: Path, url: str, *args: str) -> str:
    """Chromium, in a new empty profile, on `url`: what it prints (the DOM for --dump-dom).
    Run without blocking the event loop the server is on."""
    process = await asyncio.create_subprocess_exec(
        str(chromium), *FLAGS, f"--user-data-dir={profile}", *args, url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(90):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode()


def first_pixel(png: bytes) -> tuple[int, int, int]:
    """The top-left pixel of an 8-bit RGB(A) PNG (every filter leaves it as stored)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, data, kind = 8, b"", 2
    while at < len(png):
        length, = struct.unpack(">I", png[at:at + 4])
        chunk, body = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        if chunk == b"IHDR":
            depth, kind = body[8], body[9]
            assert depth == 8 and kind in (2, 6)
        elif chunk == b"IDAT":
            data += body
        at += 12 + length
    rows = zlib.decompress(data)
    return rows[1], rows[2], rows[3]


async def test_the_page_renders_in_chromium_with_the_summarys_figures(
        served: Served, chromium: Path, tmp_path: Path) -> None:
    summary = await served.summary()
    dom = await browse(chromium, tmp_path / "dom", await served.link(), "--dump-dom")
    page = read_page(dom)
    assert "Rapport — team dashboard" in dom and page.scripts == 0
    assert set(page.charts) == {"web"} and page.withheld == {"tiny"}
    for key, value in summary_figures(summary, "Web").items():
        if not key.startswith("active:"):
            assert page.this_week("web", key) == value, key
    assert page.this_week("web", "active_keep") == 0.5  # "keep 50%": 3 of 6 kept a promise
    assert "Active: keep 50%" in summary

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    shot.unlink(missing_ok=True)
    await browse(chromium, tmp_path / "shot", await served.link(), f"--screenshot={shot}",
                 "--window-size=1200,900")
    png = shot.read_bytes()
    print(f"screenshot kept at {shot}")
    assert len(png) > 20_000
    assert first_pixel(png) == HEADER  # the style ran: the CSP's hash lets it


async def test_a_replayed_or_stale_link_shows_nothing_in_chromium(
        served: Served, chromium: Path, tmp_path: Path, redis: Redis) -> None:
    link = await served.link()
    opened = await browse(chromium, tmp_path / "first", link, "--dump-dom")
    assert 'data-chart="kept_on_time"' in opened
    replayed = await browse(chromium, tmp_path / "forwarded", link, "--dump-dom")
    assert "already been used" in replayed and "data-chart" not in replayed
    assert "Web" not in replayed

    stale = await RedisDashboardLinks(redis, served.base, link_seconds=1).issue(
        BOSS.person, False)
    assert stale is not None
    await asyncio.sleep(1.2)
    expired = await browse(chromium, tmp_path / "stale", stale, "--dump-dom")
    assert "already been used" in expired and "data-chart" not in expired
