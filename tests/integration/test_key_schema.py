"""Every key carries a hash tag, so one person's keys share a Redis Cluster slot."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.crc import key_slot

from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import Console
from adapters.redis.keys import person_key, person_tag
from bot.core import Rapport
from habits.people import PersonRef


async def test_every_key_is_hash_tagged_and_a_persons_keys_share_a_slot(
    core: Rapport, messenger: ConsoleMessenger, redis: Redis,
) -> None:
    console = Console(core, messenger, me="sam")
    for line in ["/promise send the deck to @priya by Friday", "/kept 1",
                 "/kudos @lee your runbook made the failover calm and quick",
                 "/handover @ben pick the release date", "/rapport settings nudge 08:00"]:
        await console.handle_line(line)
    keys = [key async for key in redis.scan_iter(count=1000)]
    assert len(keys) > 10
    slots_by_tag: dict[bytes, set[int]] = {}
    for key in keys:
        assert key.startswith(b"rp:{") and b"}" in key, key
        tag = key[key.index(b"{") + 1 : key.index(b"}")]
        slots_by_tag.setdefault(tag, set()).add(key_slot(key))
    assert all(len(slots) == 1 for slots in slots_by_tag.values())
    assert b"u:console:local:sam" in slots_by_tag


def test_ids_with_braces_and_colons_cannot_move_the_tag() -> None:
    odd = PersonRef("teams", "tenant}{x", "29:1a{b}c")
    key = person_key(odd, "profile")
    assert key.count("{") == 1 and key.count("}") == 1
    assert person_tag(odd) in key
