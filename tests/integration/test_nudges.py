"""Daily nudges: exactly once per person per local working day, at their local time."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from adapters.console.messenger import ConsoleMessenger
from adapters.redis.connection import client_for
from adapters.redis.store import redis_ports
from bot.clock import FixedClock
from bot.core import Rapport
from bot.events import Actor, Command
from bot.nudges import DAILY
from bot.ports import Ports
from bot.tick import Ticker
from habits.people import PersonRef

NEW_YORK = ZoneInfo("America/New_York")


def person(name: str) -> PersonRef:
    return PersonRef("console", "local", name)


async def enrol(core: Rapport, name: str, *settings: str) -> None:
    actor = Actor(person(name), name)
    for setting in settings:
        replies = await core.handle(Command(actor, "rapport", setting))
        assert "Nothing changed" not in replies[0].text, replies[0].text


async def enrol_many(core: Rapport, prefix: str, count: int, *settings: str) -> list[str]:
    names = [f"{prefix}{i}" for i in range(count)]
    for name in names:
        await enrol(core, name, *settings)
    return names


async def nudge_days(
    ports: Ports,
    messenger: ConsoleMessenger,
    who: PersonRef,
    tz: ZoneInfo,
    start: datetime,
    days: int,
    step: timedelta = timedelta(minutes=30),
) -> list[str]:
    """Tick every `step` for `days` days; the local times at which `who` got a message."""
    ticker = Ticker(ports, {"console": messenger})
    got: list[str] = []
    moment = start
    while moment < start + timedelta(days=days):
        await ticker.tick(moment)
        for _ in await messenger.collect(who):
            got.append(moment.astimezone(tz).strftime("%a %d %b %H:%M %Z"))
        moment += step
    return got


async def test_nine_thirty_stays_nine_thirty_across_both_dst_changes(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    clock.set(datetime(2026, 10, 28, 12, tzinfo=NEW_YORK))  # a Wednesday before fall-back
    await enrol(core, "ana", "settings tz America/New_York")
    got = await nudge_days(
        ports,
        messenger,
        person("ana"),
        NEW_YORK,
        datetime(2026, 10, 29, 0, tzinfo=NEW_YORK),
        7,
        timedelta(minutes=15),
    )
    assert got == [
        "Thu 29 Oct 09:30 EDT",
        "Fri 30 Oct 09:30 EDT",
        "Mon 02 Nov 09:30 EST",
        "Tue 03 Nov 09:30 EST",
        "Wed 04 Nov 09:30 EST",
    ]

    clock.set(datetime(2027, 3, 10, 12, tzinfo=NEW_YORK))  # spring forward is 14 March 2027
    await enrol(core, "ana", "settings nudge 09:30")  # saving settings re-plans from now
    got = await nudge_days(
        ports,
        messenger,
        person("ana"),
        NEW_YORK,
        datetime(2027, 3, 11, 0, tzinfo=NEW_YORK),
        5,
        timedelta(minutes=15),
    )
    assert got == ["Thu 11 Mar 09:30 EST", "Fri 12 Mar 09:30 EST", "Mon 15 Mar 09:30 EDT"]


async def test_sunday_to_thursday_week(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    jerusalem = ZoneInfo("Asia/Jerusalem")
    clock.set(datetime(2026, 11, 20, 12, tzinfo=jerusalem))  # a Friday
    await enrol(core, "dov", "settings tz Asia/Jerusalem", "settings days sun-thu",
                "settings hours 08:00-16:00", "settings nudge 08:00")
    got = await nudge_days(
        ports,
        messenger,
        person("dov"),
        jerusalem,
        datetime(2026, 11, 21, 0, tzinfo=jerusalem),
        7,
        timedelta(hours=1),
    )
    assert [g[:3] for g in got] == ["Sun", "Mon", "Tue", "Wed", "Thu"]
    assert all("08:00" in g for g in got)


async def test_no_nudges_on_vacation(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 20, 12, tzinfo=london))
    await enrol(core, "kim", "vacation 2026-11-24 2026-11-25")
    start = datetime(2026, 11, 23, 0, tzinfo=london)
    kim = await nudge_days(ports, messenger, person("kim"), london, start, 5, timedelta(hours=1))
    assert [g[:3] for g in kim] == ["Mon", "Thu", "Fri"]


async def test_pause_until_a_date(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 20, 12, tzinfo=london))
    await enrol(core, "lee", "pause until 2026-11-26")
    got = await nudge_days(
        ports,
        messenger,
        person("lee"),
        london,
        datetime(2026, 11, 23, 0, tzinfo=london),
        5,
        timedelta(hours=1),
    )
    assert [g[:3] for g in got] == ["Fri"]
    assert "resume" in (await core.handle(Command(Actor(person("lee")), "rapport", "pause")))[0].text


async def test_catch_up_the_same_day_but_never_yesterdays(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 23, 8, tzinfo=london))  # Monday, before the 09:30 nudge
    await enrol(core, "ana", "settings nudge 09:30")
    ticker = Ticker(ports, {"console": messenger})
    # Down all Monday morning; back at 14:00: Monday's nudge still goes, once.
    assert (await ticker.tick(datetime(2026, 11, 23, 14, tzinfo=london))).sent == 1
    assert (await ticker.tick(datetime(2026, 11, 23, 14, 5, tzinfo=london))).sent == 0
    await messenger.collect(person("ana"))
    # Down from Monday afternoon until Wednesday 08:00: Tuesday's is not sent late.
    report = await ticker.tick(datetime(2026, 11, 25, 8, tzinfo=london))
    assert report.sent == 0 and report.skipped >= 1
    assert await messenger.collect(person("ana")) == []
    assert (await ticker.tick(datetime(2026, 11, 25, 9, 30, tzinfo=london))).sent == 1
    await messenger.collect(person("ana"))
    # Down from Wednesday until the next Monday 10:00: Monday's still goes, that morning.
    assert (await ticker.tick(datetime(2026, 11, 30, 10, tzinfo=london))).sent == 1
    # Down again until Tuesday 17:59: too late in the working day for a morning nudge.
    assert (await ticker.tick(datetime(2026, 12, 1, 17, 59, 30, tzinfo=london))).sent == 0
    assert (await ticker.tick(datetime(2026, 12, 2, 9, 30, tzinfo=london))).sent == 1


async def test_three_concurrent_ticks_send_exactly_one_nudge_each(
    core: Rapport,
    clock: FixedClock,
    redis_url: str,
    messenger: ConsoleMessenger,
) -> None:
    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 23, 8, tzinfo=london))
    names = await enrol_many(core, "p", 60, "settings nudge 09:00")
    clients: list[Redis] = [client_for(redis_url) for _ in range(3)]
    try:
        tickers = [Ticker(redis_ports(c), {"console": ConsoleMessenger(c)}, concurrency=4) for c in clients]
        moment = datetime(2026, 11, 23, 9, 1, tzinfo=london)
        reports = await asyncio.gather(*(t.tick(moment) for t in tickers))
        assert sum(r.sent for r in reports) == 60
        assert sum(r.claimed for r in reports) == 60
    finally:
        for c in clients:
            await c.aclose()
    for name in names:
        assert len(await messenger.collect(person(name))) == 1, name


async def test_a_tick_that_dies_after_claiming_loses_nothing(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 23, 8, tzinfo=london))
    await enrol(core, "ana", "settings nudge 09:00")
    moment = datetime(2026, 11, 23, 9, 0, tzinfo=london)
    claimed = await ports.due.claim(moment, 300, 100)  # a tick claims, then crashes
    assert [job.kind for job in claimed] == [DAILY]
    ticker = Ticker(ports, {"console": messenger})
    assert (await ticker.tick(moment + timedelta(minutes=1))).sent == 0  # still leased
    report = await ticker.tick(moment + timedelta(minutes=6))
    assert (report.recovered, report.sent) == (1, 1)
    assert len(await messenger.collect(person("ana"))) == 1
    assert (await ticker.tick(moment + timedelta(minutes=20))).sent == 0


async def test_a_tick_that_dies_mid_send_is_retried_once_its_mark_lease_ends(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 23, 8, tzinfo=london))
    await enrol(core, "ana", "settings nudge 09:00")
    moment = datetime(2026, 11, 23, 9, 0, tzinfo=london)
    (job,) = await ports.due.claim(moment, 300, 100)
    assert await ports.nudge_marks.begin(job.person, date(2026, 11, 23), moment, 240)
    # ...and the process died before sending. The claim lease (300 s) outlives the mark's.
    ticker = Ticker(ports, {"console": messenger})
    report = await ticker.tick(moment + timedelta(seconds=301))
    assert (report.recovered, report.sent) == (1, 1)
    assert len(await messenger.collect(person("ana"))) == 1


async def test_a_move_to_another_time_zone_moves_the_nudge(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 23, 12, tzinfo=london))
    await enrol(core, "ana", "settings nudge 09:30")
    await core.handle(Command(Actor(person("ana"), "ana", tz="Asia/Tokyo"), "habits", ""))
    got = await nudge_days(
        ports,
        messenger,
        person("ana"),
        tokyo,
        datetime(2026, 11, 24, 0, tzinfo=tokyo),
        1,
        timedelta(minutes=15),
    )
    assert got == ["Tue 24 Nov 09:30 JST"]


async def test_the_nudge_puts_promises_first_then_juniors_then_handovers(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    from habits.teams import Team

    london = ZoneInfo("Europe/London")
    sam = Actor(person("sam"), "sam")
    clock.set(datetime(2026, 11, 20, 15, tzinfo=london))  # the Friday before
    await core.handle(Command(sam, "kudos", "<@joe> your review notes on the API caught the paging bug"))
    clock.set(datetime(2026, 11, 23, 8, tzinfo=london))
    await core.handle(Command(sam, "promise", "send the report by 4pm"))
    await ports.teams.save(
        Team(
            person("sam").workspace_ref,
            "web",
            "Web",
            members=frozenset({"sam", "ivy", "joe"}),
            juniors=frozenset({"ivy", "joe", "sam"}),
        )
    )
    ticker = Ticker(ports, {"console": messenger})
    await ticker.tick(datetime(2026, 11, 23, 9, 30, tzinfo=london))
    (monday,) = await messenger.collect(person("sam"))
    assert "send the report" in monday.sections[0].text and "*#1*" in monday.text
    assert [b.label for b in monday.sections[0].buttons] == ["Kept", "Need more time", "Drop it"]
    await core.handle(Command(sam, "kept", "1"))
    await ticker.tick(datetime(2026, 11, 24, 9, 30, tzinfo=london))
    (tuesday,) = await messenger.collect(person("sam"))
    assert "<@ivy>" in tuesday.text  # joe was recognised last week, ivy never; never sam himself
    assert [b.label for b in tuesday.buttons] == ["Give kudos", "Snooze 2h", "Not today"]
    clock.set(datetime(2026, 11, 24, 10, tzinfo=london))
    await core.handle(Command(sam, "kudos", "<@ivy> the onboarding checklist you wrote saved me hours"))
    await ticker.tick(datetime(2026, 11, 25, 9, 30, tzinfo=london))
    (wednesday,) = await messenger.collect(person("sam"))
    assert "decision" in wednesday.text and wednesday.buttons[0].label == "Hand over"


async def test_snooze_brings_the_nudge_back_later_the_same_day(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 23, 8, tzinfo=london))
    await enrol(core, "ana", "settings nudge 09:30")
    ticker = Ticker(ports, {"console": messenger})
    await ticker.tick(datetime(2026, 11, 23, 9, 30, tzinfo=london))
    (nudge,) = await messenger.collect(person("ana"))
    snooze = next(b for b in nudge.buttons if b.action == "nudge.snooze")
    clock.set(datetime(2026, 11, 23, 9, 35, tzinfo=london))
    from bot.events import Action

    answer = await core.handle(Action(Actor(person("ana")), snooze.action, snooze.value))
    assert "two hours" in answer[0].text
    assert (await ticker.tick(datetime(2026, 11, 23, 11, 30, tzinfo=london))).sent == 0
    assert (await ticker.tick(datetime(2026, 11, 23, 11, 36, tzinfo=london))).sent == 1


async def test_a_tick_that_dies_after_sending_does_not_send_twice(
    core: Rapport, ports: Ports, clock: FixedClock, messenger: ConsoleMessenger,
) -> None:
    from bot.nudges import DailyBatch

    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 23, 8, tzinfo=london))
    await enrol(core, "ana", "settings nudge 09:00")
    moment = datetime(2026, 11, 23, 9, 0, tzinfo=london)
    (job,) = await ports.due.claim(moment, 300, 100)
    (nudge,) = (await DailyBatch.prepare(ports, [job], moment)).replies(job)  # takes the mark...
    await messenger.deliver(nudge)  # ...sends, and the process dies before recording it
    report = await Ticker(ports, {"console": messenger}).tick(moment + timedelta(seconds=301))
    assert report.recovered == 1
    assert len(await messenger.collect(person("ana"))) == 1  # the platform was asked first


async def test_a_server_that_lost_its_scripts_still_gets_the_whole_batch_settled(
    core: Rapport, ports: Ports, clock: FixedClock, redis: Redis, messenger: ConsoleMessenger,
) -> None:
    # A restart or a failover leaves Redis without the Lua scripts a tick sends by SHA.
    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 23, 8, tzinfo=london))
    names = await enrol_many(core, "s", 12, "settings nudge 09:00")
    await redis.script_flush()
    ticker = Ticker(ports, {"console": messenger})
    report = await ticker.tick(datetime(2026, 11, 23, 9, 1, tzinfo=london))
    assert (report.sent, report.failed) == (12, 0)
    for name in names:
        assert len(await messenger.collect(person(name))) == 1, name
        (upcoming,) = [job for job in await ports.due.pending_for(person(name)) if job.kind == DAILY]
        assert upcoming.due == datetime(2026, 11, 24, 9, tzinfo=london)  # settled, next one set
    assert (await ticker.tick(datetime(2026, 11, 23, 9, 2, tzinfo=london))).claimed == 0


class FailingOnce:
    """A port whose `method` fails once after doing half of its work (Redis dropped the
    connection mid-pipeline), then works again."""

    def __init__(self, port: Any, method: str) -> None:
        self.port = port
        self.method = method
        self.failures = 1

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.port, name)
        if name != self.method or not self.failures:
            return real

        async def failing(items: Any, *args: Any) -> Any:
            self.failures -= 1
            await real(items[: len(items) // 2], *args)
            raise RedisConnectionError("Connection reset by peer")

        return failing


@pytest.mark.parametrize(("port", "method"), [
    ("planning", "nudge_inputs_many"),  # before any mark is taken
    ("nudge_marks", "begin_many"),      # holding half of the day's marks
])
async def test_a_batch_that_fails_half_way_still_sends_once_the_same_day(
    core: Rapport, ports: Ports, clock: FixedClock, messenger: ConsoleMessenger, port: str,
    method: str,
) -> None:
    london = ZoneInfo("Europe/London")
    clock.set(datetime(2026, 11, 23, 8, tzinfo=london))
    names = await enrol_many(core, "m", 6, "settings nudge 09:00")
    flaky = replace(ports, **{port: FailingOnce(getattr(ports, port), method)})
    ticker = Ticker(flaky, {"console": messenger})
    moment = datetime(2026, 11, 23, 9, 0, tzinfo=london)
    report = await ticker.tick(moment)
    assert (report.claimed, report.failed, report.sent) == (6, 6, 0)
    sent = 0
    for step in range(1, 21):  # `rapport serve` ticks every 30 s
        sent += (await ticker.tick(moment + timedelta(seconds=30 * step))).sent
    assert sent == 6
    for name in names:
        assert len(await messenger.collect(person(name))) == 1, name
