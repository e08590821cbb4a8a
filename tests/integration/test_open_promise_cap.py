"""Issue 14, item 10 (part): no more than MAX_OPEN (500) open promises per person; the next
one, typed, tracked from an offer or auto-tracked, is refused with a clear message and
nothing is stored (55,000 were accepted before)."""

from __future__ import annotations

from redis.asyncio import Redis

from adapters.redis.keys import PersonKeys
from bot.clock import FixedClock
from bot.commands.promises import MAX_OPEN
from bot.core import Rapport
from bot.events import Action, Actor, Command, Message
from bot.ports import Ports
from habits.commitments import Commitment, Source
from habits.people import PersonRef

ME = Actor(PersonRef("slack", "T1", "U1"), "me")


async def fill(ports: Ports, clock: FixedClock, count: int) -> None:
    for _ in range(count):
        await ports.commitments.add(ME.person, lambda number: Commitment(
            owner=ME.person, number=number, what=f"task {number}", created_at=clock.now(),
            due=None, to=(), source=Source.TYPED))


async def state(redis: Redis) -> dict[bytes, object]:
    keys = PersonKeys(ME.person)
    return {b"promises": await redis.hgetall(keys.promises),
            b"open": await redis.zrange(keys.open_promises, 0, -1)}


async def test_the_501st_open_promise_is_refused_and_nothing_is_stored(
        core: Rapport, ports: Ports, clock: FixedClock, redis: Redis) -> None:
    await fill(ports, clock, MAX_OPEN - 1)
    last = await core.handle(Command(ME, "promise", "write the release notes by Friday"))
    assert "Tracking" in last[0].text or "#500" in last[0].text, last[0].text
    assert len(await ports.commitments.open_for(ME.person)) == MAX_OPEN
    before = await state(redis)

    refused = await core.handle(Command(ME, "promise", "send the deck by Friday"))
    assert len(refused) == 1
    assert f"{MAX_OPEN} open promises" in refused[0].text and "`/kept`" in refused[0].text
    assert await state(redis) == before

    # Closing one makes room again.
    dropped = await core.handle(Action(ME, "promise.drop", "1"))
    assert dropped
    again = await core.handle(Command(ME, "promise", "send the deck by Friday"))
    assert "open promises" not in again[0].text
    assert len(await ports.commitments.open_for(ME.person)) == MAX_OPEN


async def test_tracking_an_offer_at_the_cap_is_refused_and_the_offer_kept(
        core: Rapport, ports: Ports, clock: FixedClock, redis: Redis) -> None:
    await fill(ports, clock, MAX_OPEN)
    offered = await core.handle(Message(ME, "I'll send the deck to <@U2> by Friday", "C1",
                                        "1.0", mentions=("U2",)))
    assert offered and offered[0].buttons[0].action == "promise.track"
    origin = offered[0].buttons[0].value
    before = await state(redis)
    refused = await core.handle(Action(ME, "promise.track", origin, "C1"))
    assert f"{MAX_OPEN} open promises" in refused[0].text
    assert await state(redis) == before
    assert await ports.offers.get(ME.person, origin) is not None  # Track works once room


async def test_auto_track_at_the_cap_says_so_and_stores_nothing(
        core: Rapport, ports: Ports, clock: FixedClock, redis: Redis) -> None:
    await core.handle(Command(ME, "rapport", "settings autotrack on"))
    await fill(ports, clock, MAX_OPEN)
    before = await state(redis)
    refused = await core.handle(Message(ME, "I'll send the deck to <@U2> by Friday", "C1",
                                        "2.0", mentions=("U2",)))
    assert refused and f"{MAX_OPEN} open promises" in refused[0].text
    assert await state(redis) == before
