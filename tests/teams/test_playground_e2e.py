"""End to end with a real Teams client emulator: the Microsoft 365 Agents Playground (pinned in
teams/playground/package.json) talking to the real bot over HTTP, its web page driven by
Playwright in headless Debian Chromium. Installs what it needs (npm ci, apt-get chromium) when
it is missing, so it runs from a fresh clone in CI; the screenshot is kept under
tests/teams/artifacts/.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from teams_harness import start_app, teams_runtime, teams_settings

from adapters.web.server import make_app
from bot.clock import SystemClock
from bot.core import Rapport
from bot.ports import Ports

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND = ROOT / "teams" / "playground"
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def _ensure_tools() -> None:
    """npm packages (pinned by package-lock.json) and Debian's Chromium, installed if absent."""
    if shutil.which("npm") is None or not CHROMIUM.exists():
        packages = [name for name, missing in (("npm", shutil.which("npm") is None),
                                               ("chromium", not CHROMIUM.exists())) if missing]
        subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-q", *packages], check=True,
                       capture_output=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not (PLAYGROUND / "node_modules" / "@microsoft" / "m365agentsplayground").exists() or \
            not (PLAYGROUND / "node_modules" / "playwright-core").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PLAYGROUND, check=True,
                       capture_output=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def bot_url(redis: Redis, ports: Ports) -> AsyncIterator[str]:
    """The real server's app with Teams mounted, in local mode (as the Playground expects)."""
    clock = SystemClock()
    runtime = teams_runtime(teams_settings(), redis, ports, Rapport(ports, clock), clock)
    app = make_app(runtime)
    runner, base = await start_app(app)
    try:
        yield f"{base}/api/messages"
    finally:
        await runner.cleanup()


async def test_promise_track_kept_and_streak_in_the_agents_playground(bot_url: str) -> None:
    await asyncio.to_thread(_ensure_tools)
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "playground.png"
    port = _free_port()
    playground = await asyncio.create_subprocess_exec(
        "node", str(PLAYGROUND / "node_modules/@microsoft/m365agentsplayground/cli.js"),
        "--app-endpoint", bot_url, "--channel-id", "msteams", "--port", str(port),
        "--disable-telemetry", cwd=PLAYGROUND, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    try:
        assert playground.stdout is not None
        async with asyncio.timeout(30):
            while b"Listening on" not in (line := await playground.stdout.readline()):
                assert line, "the Agents Playground exited before listening"
        driver = await asyncio.create_subprocess_exec(
            "node", str(PLAYGROUND / "e2e.js"), f"http://127.0.0.1:{port}/", str(screenshot),
            cwd=PLAYGROUND, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "CHROMIUM": str(CHROMIUM)})
        async with asyncio.timeout(90):
            output, _ = await driver.communicate()
        steps = output.decode()
        print(steps)
        print(f"screenshot kept at {screenshot}")
        assert driver.returncode == 0, steps
        for step in ("saw: That sounds like a promise", "clicked: Track",
                     "saw: Tracking your promise", "clicked: Kept", "saw: Kept on time",
                     "saw: Keep your promises — streak 1"):
            assert step in steps
        assert screenshot.stat().st_size > 10_000
    finally:
        playground.terminate()
        await playground.wait()
