"""The team dashboard over HTTP, against the real server and real Redis: who gets a link, what
the link and its session allow, and that the page's figures are the chat summary's, under the
same privacy rules (docs/managers.md, docs/privacy.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from dashboard_harness import (
    BOSS,
    NAMES,
    ROOT,
    SHARER,
    SHARER_NAME,
    Served,
    actor,
    read_page,
    run,
    serving,
    summary_figures,
    text_of,
    trend_of,
    workspace_with_figures,
)
from redis.asyncio import Redis

from adapters.redis.dashboard_links import RedisDashboardLinks
from bot.core import Rapport
from bot.replies import Audience
from habits.streaks import RULES, Habit
from habits.summary import sparkline


@pytest.fixture
async def served(redis: Redis, redis_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    async with serving(redis_url, tmp_path) as running:
        await workspace_with_figures(running)
        yield running


async def get(url: str, session: aiohttp.ClientSession | None = None,
              **headers: str) -> tuple[int, str, aiohttp.ClientResponse]:
    async def fetch(client: aiohttp.ClientSession) -> tuple[int, str, aiohttp.ClientResponse]:
        async with client.get(url, headers=headers, allow_redirects=False) as response:
            return response.status, await response.text(), response

    if session is not None:
        return await fetch(session)
    async with aiohttp.ClientSession() as fresh:
        return await fetch(fresh)


async def test_without_a_public_url_the_manager_is_told_so(core: Rapport) -> None:
    await run(core, ROOT, "team create Web <@boss>")
    replies = await run(core, BOSS, "team dashboard")
    assert len(replies) == 1 and replies[0].audience is Audience.ME
    assert "RAPPORT_PUBLIC_URL" in replies[0].text and "http" not in replies[0].text


async def test_only_people_who_see_a_team_get_a_link(served: Served, redis: Redis) -> None:
    answer = text_of(await run(served.core, actor("m1"), "team dashboard"))
    assert "You don't manage a team" in answer and "/team/dashboard/" not in answer
    assert [key async for key in redis.scan_iter("rp:{dl:*")] == []


async def test_a_link_opens_once_for_its_viewer_and_its_session_expires(
        served: Served, redis: Redis) -> None:
    link = await served.link()
    token = link.rsplit("/", 1)[1]
    assert not [key async for key in redis.scan_iter(f"*{token}*")]  # only its digest is kept
    # A browser's cookie jar (aiohttp's refuses cookies from IP addresses unless told).
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        status, body, response = await get(link, browser)
        assert status == 200 and "Web" in body and 'data-chart="kept_on_time"' in body
        cookie = response.headers["Set-Cookie"]
        for part in ("HttpOnly", "SameSite=Strict", "Path=/team/dashboard", "Max-Age=1800"):
            assert part in cookie, cookie
        assert "Secure" not in cookie  # served over http here; Secure with an https URL
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "<script" not in body and "http://" not in body.replace(
            'xmlns="http://www.w3.org/2000/svg"', "")  # no script, nothing loaded from anywhere
        again, page, _ = await get(served.base + "/team/dashboard", browser)
        assert again == 200 and 'data-chart="kept_on_time"' in page  # the session works
        reload, _, _ = await get(link, browser)
        assert reload == 200  # a reload in the same session shows the page again

        replayed, refused, _ = await get(link)  # the link forwarded, or replayed elsewhere
        assert replayed == 403 and "data-chart" not in refused and "Web" not in refused
        assert "/team dashboard" in refused
        cookieless, _, _ = await get(served.base + "/team/dashboard")
        assert cookieless == 403

        for key in [key async for key in redis.scan_iter("rp:{ds:*")]:
            await redis.delete(key)  # 30 minutes later: the session has expired
        expired, gone, _ = await get(served.base + "/team/dashboard", browser)
        assert expired == 403 and "data-chart" not in gone


async def test_stale_malformed_previewed_and_head_requests_show_nothing(
        served: Served, redis: Redis) -> None:
    links = RedisDashboardLinks(redis, served.base, link_seconds=1)
    stale = await links.issue(BOSS.person, False)
    assert stale is not None
    await asyncio.sleep(1.2)
    assert (await get(stale))[0] == 403
    for path in ("/team/dashboard/short", "/team/dashboard/" + "x" * 43,
                 "/team/dashboard/" + "%00" * 43):
        assert (await get(served.base + path))[0] in {403, 404}
    link = await served.link()
    unfurled, _, _ = await get(link, **{"User-Agent": "Slackbot-LinkExpanding 1.0"})
    assert unfurled == 403
    async with aiohttp.ClientSession() as client, client.head(link) as head:
        assert head.status == 405
    assert (await get(link))[0] == 200  # neither the preview nor HEAD used the link up


async def test_the_page_shows_the_summarys_figures(served: Served) -> None:
    summary = await served.summary()
    status, body, _ = await get(await served.link())
    assert status == 200
    page = read_page(body)
    assert set(page.charts) == {"web"} and page.withheld == {"tiny"} and page.scripts == 0
    web = page.charts["web"]
    expected = summary_figures(summary, "Web")
    assert expected["kept_on_time"] == 3 and expected["kudos_junior"] == 2  # the week has figures
    for key, value in expected.items():
        if key.startswith("active:"):
            habit = next(h for h in Habit if RULES[h].short == key.removeprefix("active:"))
            assert round(page.this_week("web", f"active_{habit.value}") * 100) == value, key
        else:
            assert page.this_week("web", key) == value, key
    for chart, bars in web.items():
        assert len(bars) == 12, chart
        assert bars[-1][0] == "2026-W48" and bars[0][0] == "2026-W37"
    assert sparkline([value for _, value in web["kept_on_time"]]) == trend_of(summary, "Web")
    assert [value for _, value in web["kept_on_time"]] == [
        0, 0, 2, 0, 0, 4, 0, 0, 1, 0, 5, 3]


async def test_the_page_keeps_the_summarys_privacy_rules(served: Served) -> None:
    status, body, _ = await get(await served.link())
    assert status == 200
    assert "Figures appear from 5 counted members" in body  # Tiny: four members
    # Names only of the member who chose to share, escaped; never message texts.
    assert "Mina &lt;b&gt;Two&lt;/b&gt; &amp; co" in body and SHARER_NAME not in body
    for member, name in NAMES.items():
        if member != SHARER:
            assert name not in body
    assert "weekly report" not in body and "load test" not in body

    status, admin, _ = await get(await served.link(ROOT))
    page = read_page(admin)
    assert status == 200 and page.charts == {}  # Web and Web Copy differ by one person
    assert page.withheld == {"web", "web-copy", "tiny"}
    assert "Web Copy has almost the same members" in admin
    assert "Mina" not in admin

    other = actor("boss", workspace="T2")
    assert "You don't manage a team" in text_of(await run(served.core, other, "team dashboard"))
