"""The real Rapport server on an ephemeral port with RAPPORT_PUBLIC_URL pointing at it, real
Redis, and a workspace with teams that have weeks of figures: what the dashboard tests share."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from adapters.bootstrap import Runtime, build
from adapters.settings import Settings
from adapters.web.server import make_app, start
from bot.clock import FixedClock
from bot.core import Rapport
from bot.events import Actor, Command
from bot.replies import Audience, Reply
from habits.people import PersonRef

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)  # a Tuesday, week 2026-W48
WS = "T1"
LINK = re.compile(r"http://127\.0\.0\.1:\d+/team/dashboard/[A-Za-z0-9_-]{43}")
MEMBERS = [f"m{i}" for i in range(6)]
SHARER = "m2"
SHARER_NAME = "Mina <b>Two</b> & co"   # shown escaped, never as markup
NAMES = {m: f"Member {m.upper()}" for m in MEMBERS} | {SHARER: SHARER_NAME}


def actor(user: str, admin: bool = False, workspace: str = WS) -> Actor:
    return Actor(PersonRef("slack", workspace, user), NAMES.get(user, user), is_admin=admin)


ROOT = actor("root", admin=True)
BOSS = actor("boss")


async def run(core: Rapport, who: Actor, command: str) -> list[Reply]:
    name, _, text = command.partition(" ")
    return await core.handle(Command(who, name, text, "C1"))


def text_of(replies: list[Reply]) -> str:
    return "\n".join("\n".join([r.text, *(s.text for s in r.sections)]) for r in replies)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    runtime: Runtime
    base: str
    clock: FixedClock

    @property
    def core(self) -> Rapport:
        return self.runtime.core

    async def link(self, who: Actor = BOSS) -> str:
        """`/team dashboard` as `who`: the link in the private answer."""
        replies = await run(self.core, who, "team dashboard")
        assert len(replies) == 1 and replies[0].audience is Audience.ME, replies
        found = LINK.search(replies[0].text)
        assert found is not None, replies[0].text
        return found.group(0)

    async def summary(self, who: Actor = BOSS) -> str:
        return text_of(await run(self.core, who, "team"))


@asynccontextmanager
async def serving(redis_url: str, data_dir: Path) -> AsyncIterator[Served]:
    """The real app (make_app, behind the server's connection guards) on 127.0.0.1:<free port>."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    clock = FixedClock(NOW)
    settings = Settings(redis_url=SecretStr(redis_url), rapport_data_dir=data_dir,
                        rapport_public_url=base, rapport_tick=False)
    runtime = await build(settings, clock, with_platforms=False)
    runner = await start(make_app(runtime, platforms=()), "127.0.0.1", port)
    try:
        yield Served(runtime, base, clock)
    finally:
        await runner.cleanup()
        await runtime.close()


async def workspace_with_figures(served: Served) -> None:
    """Web (boss manages; six counted members, m0 junior, m2 shares) with activity in several
    of the last 12 weeks; Tiny (four members: too few for figures); and, for the admin only,
    Web Copy (Web but one person: too close to Web)."""
    core, clock = served.core, served.clock
    clock.set(NOW - timedelta(weeks=11))
    await run(core, ROOT, "team create Web <@boss>")
    await run(core, BOSS, "team add web " + " ".join(f"<@{m}>" for m in MEMBERS))
    await run(core, BOSS, "team junior web <@m0>")
    await run(core, ROOT, "team create Tiny <@boss>")
    await run(core, BOSS, "team add tiny <@t0> <@t1> <@t2> <@t3>")
    await run(core, actor(SHARER), "rapport settings share on")
    await run(core, ROOT, "team create Web Copy <@kim>")
    await run(core, actor("kim"), "team add web-copy " + " ".join(f"<@{m}>" for m in MEMBERS[:5]))
    for weeks_ago, keepers, praise in ((9, 2, 1), (6, 4, 0), (3, 1, 2), (1, 5, 1), (0, 3, 2)):
        clock.set(NOW - timedelta(weeks=weeks_ago, hours=1))
        for member in MEMBERS[:keepers]:
            await run(core, actor(member), f"kept sent the weekly report {weeks_ago}")
        for index in range(praise):
            await run(core, actor(MEMBERS[5 - index]),
                      "kudos <@m0> your load test found the slow query before launch")
        await run(core, actor("t0"), "kept reviewed the tiny team's plan")
    clock.set(NOW)


class _Charts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.team: str | None = None
        self.chart: str | None = None
        self.found: dict[str, dict[str, list[tuple[str, float]]]] = {}
        self.withheld: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "section" and given.get("data-team"):
            self.team = given["data-team"]
            if "withheld" in (given.get("class") or ""):
                self.withheld.add(str(self.team))
        elif tag == "svg" and given.get("data-chart") and self.team is not None:
            self.chart = given["data-chart"]
            self.found.setdefault(self.team, {})[str(self.chart)] = []
        elif tag == "rect" and self.team and self.chart and "data-value" in given:
            self.found[self.team][self.chart].append(
                (str(given["data-week"]), float(str(given["data-value"]))))


@dataclass
class Page:
    charts: dict[str, dict[str, list[tuple[str, float]]]]   # team -> chart -> (week, value)
    withheld: set[str]                                       # teams shown with a note only
    scripts: int

    def this_week(self, team: str, chart: str) -> float:
        return self.charts[team][chart][-1][1]


def read_page(markup: str) -> Page:
    parser = _Charts()
    parser.feed(markup)
    return Page(parser.found, parser.withheld, parser.scripts)


SUMMARY_LINES = {
    "promises_made": r"Promises: (\d+) made", "kept_on_time": r"· (\d+) kept on time",
    "renegotiated": r"(\d+) renegotiated", "dropped": r"(\d+) dropped",
    "kudos": r"Recognition: (\d+) given", "kudos_junior": r"(\d+) to junior colleagues",
    "handovers": r"Handovers: (\d+) made", "handovers_accepted": r"(\d+) accepted",
    "thanks": r"Help: (\d+) thanks given", "help_kept": r"(\d+) offers of help kept",
    "reached_out": r"(\d+) reached out",
}


def summary_figures(summary: str, team_name: str) -> dict[str, float]:
    """This week's figures of one team as the chat summary (`/team`) words them."""
    block = summary[summary.index(f"*{team_name}* —"):]
    block = block[:block.index("Last 12 weeks")]
    figures: dict[str, float] = {}
    for key, pattern in SUMMARY_LINES.items():
        found = re.search(pattern, block)
        assert found is not None, (key, block)
        figures[key] = float(found.group(1))
    active = re.search(r"Active: (.*)", block)
    assert active is not None
    for part in active.group(1).split(" · "):
        short, _, percent = part.rpartition(" ")
        figures[f"active:{short}"] = float(percent.rstrip("%"))
    return figures


def trend_of(summary: str, team_name: str) -> str:
    """The kept-on-time sparkline of the summary's 12-week trend."""
    block = summary[summary.index(f"*{team_name}* —"):]
    found = re.search(r"kept on time `([^`]*)`", block)
    assert found is not None
    return found.group(1)
