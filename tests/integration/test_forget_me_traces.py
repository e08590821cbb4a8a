"""Forget-me leaves no trace in colleagues' records, and retention reaches unanswered handovers.

Red-team findings (issue 14, item 4 and item 5's second half): promises other people made *to*
the forgotten person kept `"to": [id]` and their counterpart sets still named them; a handover
nobody answered kept its decision text for ever.
"""

from __future__ import annotations

import re
from datetime import timedelta

from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from bot.clock import FixedClock
from bot.core import Rapport
from bot.events import Actor, Command, Message
from bot.ports import Ports
from bot.replies import Reply
from bot.tick import Ticker
from habits.people import PersonRef

WS = "T1"


def actor(name: str) -> Actor:
    return Actor(PersonRef("slack", WS, name), name)


async def run(core: Rapport, who: Actor, command: str) -> str:
    name, _, text = command.partition(" ")
    replies: list[Reply] = await core.handle(Command(who, name, text, "C1"))
    return "\n".join(r.text + "\n" + "\n".join(s.text for s in r.sections) for r in replies)


async def everything(redis: Redis) -> bytes:
    """Every key and value in Redis, streams included."""
    out = b""
    async for key in redis.scan_iter(count=1000):
        out += key + b"\n"
        kind = (await redis.type(key)).decode()
        if kind == "string":
            out += await redis.get(key) or b""
        elif kind == "hash":
            out += b"".join(k + v for k, v in (await redis.hgetall(key)).items())
        elif kind == "list":
            out += b"".join(await redis.lrange(key, 0, -1))
        elif kind == "set":
            out += b"".join(await redis.smembers(key))
        elif kind == "zset":
            out += b"".join(await redis.zrange(key, 0, -1))
        elif kind == "stream":
            out += b"".join(k + v for _, fields in await redis.xrange(key) for k, v in fields.items())
        out += b"\n"
    return out


async def test_promises_made_to_the_forgotten_person_keep_their_figures_but_not_the_name(
    core: Rapport,
    redis: Redis,
) -> None:
    ana, bob = actor("anaz"), actor("bobz")
    await run(core, ana, "habits")
    await run(core, bob, "promise send the audit notes to <@anaz> by Friday")
    await run(core, bob, "kept shared the release checklist with <@anaz>")
    assert "<@anaz>" in await run(core, bob, "kept")

    await run(core, ana, "rapport forget-me confirm")

    listed = await run(core, bob, "kept")
    assert "send the audit notes — to a colleague" in listed  # bob still sees his promise
    assert "<@anaz>" not in listed
    kept = await run(core, bob, "kept 1")                       # and can still keep it
    assert "Kept on time: *#1* send the audit notes — to a colleague" in kept
    assert re.search(rb"(?<![a-z])anaz(?![a-z])", await everything(redis)) is None


async def test_a_handover_nobody_answered_loses_its_decision_text_after_the_retention_period(
    core: Rapport,
    ports: Ports,
    redis: Redis,
    clock: FixedClock,
    messenger: ConsoleMessenger,
) -> None:
    ana, bob = actor("ana"), actor("bob")
    await run(core, bob, "habits")
    await run(core, ana, "handover <@bob> choose the venue for the spring offsite")
    assert "choose the venue" in await run(core, ana, "handover list")

    clock.advance(timedelta(days=181))
    ticker = Ticker(ports, {"slack": messenger})
    for day in range(1, 9):  # the weekly retention job of each of them comes round
        await ticker.tick(clock.now() + timedelta(days=day))

    listed = await run(core, ana, "handover list")
    assert "#1 to <@bob>" in listed and "choose the venue" not in listed
    assert "choose the venue" not in await run(core, bob, "handover list")
    assert b"spring offsite" not in await everything(redis)


async def test_forget_me_removes_the_person_from_every_colleagues_favours_and_days_in_touch(
    core: Rapport,
    redis: Redis,
) -> None:
    ana, bob, cy = actor("anaz"), actor("bobz"), actor("cyz")
    await run(core, ana, "thanks <@bobz> for pairing with me on the failover drill")
    await run(core, bob, "thanks <@anaz> for reviewing my runbook the same afternoon")
    await run(core, cy, "kudos <@anaz> your incident notes made the review short and calm")
    await core.handle(Message(bob, "lunch <@anaz>?", "C1", "m1"))
    assert re.search(rb"(?<![a-z])anaz(?![a-z])", await everything(redis)) is not None

    await run(core, ana, "rapport forget-me confirm")

    assert re.search(rb"(?<![a-z])anaz(?![a-z])", await everything(redis)) is None
    assert "Help you" not in await run(core, bob, "thanks list")
