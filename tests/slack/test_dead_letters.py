"""Dead letters expire, and forget-me scrubs them and every other stream.

Red-team finding (issue 14, item 4): failed deliveries in the Slack dead-letter stream kept
their full texts and user ids for ever (no TTL, untouched by forget-me).
"""

from __future__ import annotations

import asyncio
import json

from redis.asyncio import Redis

from adapters.slack import ids
from adapters.slack.inbox import Entry, Inbox
from bot.ports import Ports
from habits.people import PersonRef

SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000  # the period docs/privacy.md promises


def kudos(user: str, text: str) -> dict[str, str]:
    return {"team_id": "T1", "user_id": user, "channel_id": "C1", "command": "/kudos",
            "text": text, "response_url": "https://hooks.example/r"}


async def dead_letter(redis: Redis, deliveries: list[tuple[str, dict[str, str]]]) -> None:
    """Accept each delivery into an inbox whose processing always fails, until all are dead."""
    async def broken(entry: Entry) -> bool:
        raise RuntimeError("a bug")

    inbox = Inbox(redis, broken, recover_every=0.02, min_idle_ms=10)
    inbox.start()
    try:
        for index, (user, body) in enumerate(deliveries):
            await inbox.accept("T1", f"c:{index}", "command", body, user)
        async with asyncio.timeout(10):
            while await redis.xlen(ids.inbox_key("T1")):  # noqa: ASYNC110  (all moved on)
                await asyncio.sleep(0.02)
    finally:
        await inbox.stop()


async def texts(redis: Redis) -> str:
    return json.dumps([{k.decode(): v.decode() for k, v in fields.items()}
                       for _, fields in await redis.xrange(ids.dead_letters_key("T1"))])


async def test_dead_letters_expire_after_seven_days(redis: Redis) -> None:
    dead = ids.dead_letters_key("T1")
    (seconds, micros) = await redis.time()
    now_ms = seconds * 1000 + micros // 1000
    eight_days_ago = now_ms - 8 * 24 * 3600 * 1000
    await redis.xadd(dead, {"k": "command", "b": '{"text": "an old failure"}'},
                     id=f"{eight_days_ago}-0")

    await dead_letter(redis, [("U1", kudos("U1", "<@U2> the fix for the payroll export"))])

    assert "an old failure" not in await texts(redis)     # older than the period: trimmed
    assert "payroll export" in await texts(redis)         # the new one stays for the operator
    assert 0 < await redis.pttl(dead) <= SEVEN_DAYS_MS     # and the stream itself expires


async def test_forget_me_deletes_the_dead_letters_and_waiting_deliveries_that_concern_them(
    redis: Redis,
    ports: Ports,
) -> None:
    await dead_letter(redis, [
        ("U1", kudos("U1", "<@U2> the fix for the payroll export")),   # about U2
        ("U2", kudos("U2", "<@U3> the calm incident call")),           # by U2
        ("U3", kudos("U3", "<@U1> the clear onboarding notes")),       # neither
    ])
    # A dead letter from before entries named their people, and a delivery of U2's waiting.
    await redis.xadd(ids.dead_letters_key("T1"), {"k": "command",
                                                  "b": json.dumps(kudos("U2", "old news"))})
    await redis.xadd(ids.inbox_key("T1"), {"k": "command", "b": json.dumps(kudos("U2", "later")),
                                           "u": "U2"})

    await ports.personal_data.forget(PersonRef("slack", "T1", "U2"))

    left = await texts(redis)
    assert "clear onboarding notes" in left
    for gone in ("payroll export", "calm incident", "old news", '"U2"', "<@U2>"):
        assert gone not in left, gone
    waiting = await redis.xrange(ids.inbox_key("T1"))
    assert all(fields.get(b"u") != b"U2" for _, fields in waiting)
