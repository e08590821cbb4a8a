"""Teams, managers' summaries and privacy: aggregates only, names only by consent."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from bot.clock import FixedClock
from bot.core import Rapport
from bot.events import Actor, Command
from bot.ports import Ports
from bot.replies import Reply
from bot.tick import Ticker
from habits.people import PersonRef

LONDON = ZoneInfo("Europe/London")
WS = "T1"


def actor(name: str, workspace: str = WS, admin: bool = False) -> Actor:
    return Actor(PersonRef("slack", workspace, name), name, is_admin=admin)


async def run(core: Rapport, who: Actor, command: str) -> list[Reply]:
    name, _, text = command.partition(" ")
    return await core.handle(Command(who, name, text, "C1"))


def text_of(replies: list[Reply]) -> str:
    return "\n".join(
        [r.text, *(s.text for s in r.sections)][0] + "\n" + "\n".join(s.text for s in r.sections)
        for r in replies
    )


ROOT = actor("root", admin=True)  # a workspace admin, as the platform reports it


async def make_team(core: Rapport, size: int) -> list[str]:
    """An admin creates Web with boss as its manager; boss adds `size` members."""
    members = [f"m{i}" for i in range(size)]
    await run(core, ROOT, "team create Web <@boss>")
    await run(core, actor("boss"), "team add " + " ".join(f"<@{m}>" for m in members))
    return members


async def test_a_team_of_four_shows_nothing_and_of_five_shows_aggregates(
    core: Rapport,
    clock: FixedClock,
) -> None:
    members = await make_team(core, 4)
    for member in members:
        await run(core, actor(member), "kept fixed the login timeout for the mobile app")
    small = text_of(await run(core, actor("boss"), "team"))
    assert "4 members counted. Figures appear from 5 counted members" in small
    assert "Promises:" not in small and "kept on time" not in small

    await run(core, actor("boss"), "team add <@m4>")
    await run(core, actor("m4"), "kudos <@m0> your load test found the slow query before launch")
    summary = text_of(await run(core, actor("boss"), "team"))
    assert "*Web* — 5 members" in summary
    assert "Active: keep 80%" in summary and "recognise 20%" in summary
    assert "Promises: 4 made · 4 kept on time" in summary
    assert "Recognition: 1 given · 0 to junior colleagues" in summary
    assert "fixed the login timeout" not in summary  # managers never see texts
    assert "load test" not in summary
    assert "<@m0>" not in summary  # nobody shares yet: no names


async def test_names_appear_only_for_those_who_opted_in(core: Rapport) -> None:
    await make_team(core, 5)
    await run(core, actor("m2"), "rapport settings share on")
    summary = text_of(await run(core, actor("boss"), "team"))
    assert "People who chose to share their figures:\n<@m2> — keep streak 0" in summary
    for other in ("m0", "m1", "m3", "m4"):
        assert f"<@{other}>" not in summary


async def test_members_are_told_and_see_what_managers_see(
    core: Rapport,
    ports: Ports,
    messenger: ConsoleMessenger,
) -> None:
    await run(core, ROOT, "team create Web <@boss>")
    await run(core, actor("ana"), "habits")  # ana already uses Rapport: no welcome, a note
    replies = await run(core, actor("boss"), "team add <@ana>")
    told = [r for r in replies if r.to == PersonRef("slack", WS, "ana")]
    assert told and "You were added to team *Web* by <@boss>" in told[0].text
    mine = text_of(await run(core, actor("ana"), "team"))
    assert "What your teams' managers see about you" in mine
    assert "nothing at all: the team has fewer than 5 counted members" in mine


async def test_non_managers_and_other_workspaces_are_refused(core: Rapport) -> None:
    await make_team(core, 6)
    for intruder in (actor("m1"), actor("boss", workspace="T2")):
        for command in ("team export web", "team add web <@x>", "team privacy web 3"):
            out = text_of(await run(core, intruder, command))
            assert "kept on time" not in out and "Created" not in out
            assert (
                "Only that team's managers" in out or "There is no team" in out or "You don't manage" in out
                or "Only workspace admins" in out
            ), (intruder, command, out)
    assert "*Web*" not in text_of(await run(core, actor("boss", workspace="T2"), "team"))
    admin = text_of(await run(core, ROOT, "team"))
    assert "*Web* — 6 members" in admin  # a workspace admin, as the platform reports it


async def test_csv_export_has_weekly_aggregates_and_no_names(core: Rapport) -> None:
    members = await make_team(core, 5)
    await run(core, actor(members[0]), "promise ship the beta by Friday")
    (reply,) = await run(core, actor("boss"), "team export")
    assert reply.attachment is not None and reply.attachment.mime_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(reply.attachment.content.decode())))
    assert len(rows) == 52
    assert rows[-1]["week"] == "2026-W48" and rows[-1]["promises_made"] == "1"
    assert "m0" not in reply.attachment.content.decode()


async def test_forget_me_and_retention_leave_no_trace(
    core: Rapport,
    ports: Ports,
    redis: Redis,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    members = await make_team(core, 5)
    ana = actor(members[0])
    await run(core, ana, "promise draft the security review by Friday")
    await run(core, ana, "kudos <@m1> your runbook made the failover calm and quick")
    await run(core, actor("m1"), "kudos <@m0> your incident notes were precise and kind")
    await run(core, ana, "rapport forget-me confirm")
    async for key in redis.scan_iter(count=1000):
        assert b"m0" not in key, key
        kind = (await redis.type(key)).decode()
        if kind == "set":
            assert b"m0" not in await redis.smembers(key), key
        elif kind == "string":
            value = await redis.get(key) or b""
            assert b'"m0"' not in value, key
        elif kind == "list":
            assert not any(b"m0" in v for v in await redis.lrange(key, 0, -1)), key
        elif kind == "hash":
            assert not any(b'"m0"' in v for v in (await redis.hgetall(key)).values()), key

    bob = actor(members[2])
    await run(core, bob, "kept renewed the TLS certificates for the API gateway")
    await run(core, bob, "kudos <@m3> your onboarding guide made my first week easy")
    clock.advance(timedelta(days=174))
    await run(core, bob, "rapport settings nudge 09:00")
    ticker = Ticker(ports, {"console": messenger, "slack": messenger})
    for day in range(1, 8):  # texts are let go on one working day a week
        await ticker.tick(clock.now().replace(hour=9, minute=1) + timedelta(days=day))
    async for key in redis.scan_iter(count=1000):
        dump = repr(await _value(redis, key))
        assert "TLS certificates" not in dump and "onboarding guide" not in dump, key


async def _value(redis: Redis, key: bytes) -> object:
    kind = (await redis.type(key)).decode()
    if kind == "string":
        return await redis.get(key)
    if kind == "hash":
        return await redis.hgetall(key)
    if kind == "list":
        return await redis.lrange(key, 0, -1)
    if kind == "set":
        return await redis.smembers(key)
    return None


async def test_the_digest_goes_once_per_manager_per_week_on_monday_morning(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    redis: Redis,
) -> None:
    clock.set(datetime(2026, 11, 25, 12, tzinfo=LONDON))  # a Wednesday
    boss = actor("boss")
    await run(core, boss, "rapport settings tz Europe/London")
    await make_team(core, 5)
    inbox = ConsoleMessenger(redis)
    ticker = Ticker(ports, {"slack": inbox})
    got: list[str] = []
    moment = datetime(2026, 11, 25, 13, tzinfo=LONDON)
    while moment < datetime(2026, 12, 9, 13, tzinfo=LONDON):
        await ticker.tick(moment)
        for reply in await inbox.collect(boss.person):
            text = "\n".join(s.text for s in reply.sections)
            if "weekly team digest" in text:
                # The week that ended, not the one just begun; carried by the morning nudge.
                assert "last week" in text and "this week" not in text
                got.append(moment.strftime("%a %d %b %H:%M"))
        moment += timedelta(minutes=30)
    assert got == ["Mon 30 Nov 09:30", "Mon 07 Dec 09:30"]
