"""Every first-day flow, typed into the console, answered by the real core over real Redis."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import Console
from adapters.redis.keys import PersonKeys, person_pattern
from bot.clock import FixedClock
from bot.core import Rapport
from habits.people import PersonRef


def joined(lines: list[str]) -> str:
    return "\n".join(lines)


async def snapshot(redis: Redis) -> dict[bytes, object]:
    """Every key and its value, to prove that a command changed nothing."""
    state: dict[bytes, object] = {}
    async for key in redis.scan_iter(count=1000):
        kind = (await redis.type(key)).decode()
        if kind == "string":
            state[key] = await redis.get(key)
        elif kind == "hash":
            state[key] = await redis.hgetall(key)
        elif kind == "list":
            state[key] = await redis.lrange(key, 0, -1)
        elif kind == "set":
            state[key] = await redis.smembers(key)
        elif kind == "zset":
            state[key] = await redis.zrange(key, 0, -1, withscores=True)
    return state


async def test_promise_list_keep_and_see_the_streak(
    core: Rapport, messenger: ConsoleMessenger, clock: FixedClock
) -> None:
    console = Console(core, messenger, me="sam")
    out = joined(await console.handle_line("/promise send the launch deck to @priya by Friday"))
    assert "#1 send the launch deck — to @priya — due" in out
    assert "due Fri 27 Nov, 17:00" in out

    out = joined(await console.handle_line("/kept"))
    assert "Your open promises" in out and "#1 send the launch deck" in out
    assert "[:1] Kept" in out

    out = joined(await console.handle_line(":1"))
    assert "Kept on time" in out

    out = joined(await console.handle_line("/habits"))
    assert "Keep your promises* — streak 1 (best 1)" not in out  # markup is plain in a console
    assert "Keep your promises — streak 1 (best 1)" in out

    assert "no open promises" in joined(await console.handle_line("/kept"))


async def test_kudos_vague_is_coached_and_nothing_is_posted(
    core: Rapport,
    messenger: ConsoleMessenger,
    redis: Redis,
) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/habits")  # sam exists
    before = await snapshot(redis)
    out = joined(await console.handle_line("/kudos @lee great job!"))
    assert "what exactly" in out.lower() and "Nothing was posted" in out
    assert '"great job!"' in out and "[:1] Post anyway" in out
    # Nothing posted or counted; only that the coaching was shown today (bot.coaching).
    coaching = PersonKeys(PersonRef("console", "local", "sam")).coaching.encode()
    after = await snapshot(redis)
    assert after.pop(coaching) == {b"vague_kudos": b"2026-11-24"}
    assert after == before

    out = joined(await console.handle_line("/kudos @lee your runbook made the 2am failover calm and quick"))
    assert "#console: 🎉 Kudos from @sam to @lee: your runbook made the 2am failover" in out
    assert "sent @lee a direct message" in out
    out = joined(await console.handle_line(":as lee"))
    assert "@sam recognised you: your runbook made the 2am failover calm and quick" in out
    out = joined(await console.handle_line(":as sam"))
    habits = joined(await console.handle_line("/habits"))
    assert "Recognise specifically — streak 1" in habits


async def test_handover_offered_accepted_and_counted_for_the_giver(
    core: Rapport, messenger: ConsoleMessenger
) -> None:
    console = Console(core, messenger, me="ana")
    out = joined(await console.handle_line("/handover @ben choose the venue for the offsite"))
    assert "Handed over to @ben: choose the venue for the offsite" in out
    out = joined(await console.handle_line(":as ben"))
    assert "@ana is handing you a decision: choose the venue for the offsite" in out
    assert "[:1] Accept" in out and "[:2] Discuss first" in out
    out = joined(await console.handle_line(":1"))
    assert "It's yours" in out
    out = joined(await console.handle_line(":1"))
    assert "Nothing changed" in out  # a second click is not counted twice
    await console.handle_line(":as ana")
    assert "Hand over decisions — streak 1" in joined(await console.handle_line("/habits"))
    assert "accepted" in joined(await console.handle_line("/handover list"))


async def test_need_more_time_and_drop(core: Rapport, messenger: ConsoleMessenger, clock: FixedClock) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/promise review the budget by tomorrow to @kim")
    await console.handle_line("/kept")
    out = joined(await console.handle_line(":2 next friday"))
    assert "New date for #1: Fri 4 Dec, 17:00" in out and "Tell @kim now" in out
    out = joined(await console.handle_line("/kept"))
    assert "due Fri 4 Dec, 17:00" in out
    out = joined(await console.handle_line(":3"))
    assert "Dropped #1 review the budget" in out and "@kim" in out
    assert "Follow up early — streak 1 (best 1)" in joined(await console.handle_line("/habits"))


async def test_export_returns_all_my_data(core: Rapport, messenger: ConsoleMessenger, tmp_path: Path) -> None:
    console = Console(core, messenger, me="sam", exports=tmp_path)
    await console.handle_line("/promise write the postmortem by Thursday")
    await console.handle_line("/kudos @lee your runbook made the failover calm and quick")
    await console.handle_line("/handover @ben pick the release date")
    await console.handle_line("/rapport settings nudge 08:45")
    out = joined(await console.handle_line("/rapport export"))
    assert "file saved" in out
    data = json.loads((tmp_path / "sam-rapport-export.json").read_text())
    assert data["person"]["user"] == "sam"
    assert data["profile"]["nudge"] == "08:45"
    assert [p["what"] for p in data["promises"]] == ["write the postmortem"]
    assert data["kudos_given"][0]["reason"].startswith("your runbook")
    assert data["handovers_given"][0]["decision"] == "pick the release date"
    assert data["habit_days"]["recognise"] == ["2026-11-24"]


async def test_forget_me_leaves_no_key_and_no_trace(
    core: Rapport,
    messenger: ConsoleMessenger,
    redis: Redis,
    tmp_path: Path,
) -> None:
    console = Console(core, messenger, me="sam", exports=tmp_path)
    await console.handle_line("/promise write the postmortem by Thursday to @lee")
    await console.handle_line("/kudos @lee your runbook made the failover calm and quick")
    await console.handle_line("/handover @lee pick the release date")
    await console.handle_line(":as lee")
    await console.handle_line("/kudos @sam the demo script you wrote saved the launch call")
    await console.handle_line(":as sam")
    out = joined(await console.handle_line("/rapport forget-me"))
    assert "can't be undone" in out
    assert [
        k async for k in redis.scan_iter(match=person_pattern(PersonRef("console", "local", "sam")))
    ]  # asking alone deletes nothing
    out = joined(await console.handle_line(":1"))
    assert "everything Rapport knew about you is deleted" in out

    sam = PersonRef("console", "local", "sam")
    assert [k async for k in redis.scan_iter(match=person_pattern(sam))] == []
    everything = await snapshot(redis)
    assert not any(b'"sam"' in repr(value).encode() or b"sam" in key for key, value in everything.items())
    lee = PersonKeys(PersonRef("console", "local", "lee"))
    assert await redis.llen(lee.kudos_received) == 0


async def test_garbage_command_text_gets_usage_and_writes_nothing(
    core: Rapport,
    messenger: ConsoleMessenger,
    redis: Redis,
) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/habits")
    before = await snapshot(redis)
    cases = {
        "/kudos": "Example: /kudos @sam",
        "/kudos great job everyone": "Who is it for?",
        "/handover": "Example: /handover @lee",
        "/handover @a @b decide": "exactly one person",
        "/promise": "Example: /promise send",
        "/promise by friday": "not only when",
        "/habits please": "Example: /habits",
        "/rapport frobnicate": "I don't know /rapport frobnicate",
        "/rapport settings nudge 25:99": "Nothing changed",
        "/rapport settings tz Mars/Olympus": "unknown time zone",
        "/rapport settings days funday": "unknown day",
        "/rapport pause until someday": "can't read",
        "/rapport vacation someday soon": "can't read 'someday soon' as a date",
        "/whatever": "I don't know /whatever",
        "/kept 42": "You have no promise #42",
    }
    for line, expected in cases.items():
        out = joined(await console.handle_line(line))
        assert expected in out, (line, out)
    assert await snapshot(redis) == before


async def test_settings_change_and_time_zone_override(core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    out = joined(await console.handle_line("/rapport settings tz Asia/Kathmandu"))
    assert "Time zone: Asia/Kathmandu (set by you)" in out
    out = joined(await console.handle_line("/rapport settings days sun-thu"))
    assert "Working days: sun-thu" in out
    out = joined(await console.handle_line("/rapport pause until 2026-12-01"))
    assert "Paused until 2026-12-01" in out
    out = joined(await console.handle_line("/rapport vacation 2026-12-20 2027-01-02"))
    assert "2026-12-20 to 2027-01-02" in out
    assert "Time off: 2026-12-20 to 2027-01-02" in joined(await console.handle_line("/rapport settings"))


async def test_a_late_keep_is_not_on_time(
    core: Rapport, messenger: ConsoleMessenger, clock: FixedClock
) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/promise send the figures by tomorrow")
    clock.advance(timedelta(days=3))
    out = joined(await console.handle_line("/kept 1"))
    assert "A little late" in out
    assert "Keep your promises — streak 0" in joined(await console.handle_line("/habits"))
