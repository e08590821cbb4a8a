"""Every key carries a hash tag, and each person's data lives under that person's own tag, so
one person's keys share a Redis Cluster slot (and forget-me's sweep of the tag finds them)."""

from __future__ import annotations

import re

from redis.asyncio import Redis
from redis.crc import key_slot

from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import Console
from adapters.redis.keys import PersonKeys, person_key, person_tag
from bot.core import Rapport
from habits.people import PersonRef

PEOPLE = ("sam", "priya", "lee", "ben")


def person(user: str) -> PersonRef:
    return PersonRef("console", "local", user)


def misplaced(keys: list[bytes], users: tuple[str, ...]) -> list[bytes]:
    """Keys whose name mentions one of `users` (as a whole id) outside that user's own tag:
    a record of theirs filed under a colleague's tag or the workspace's."""
    wrong = []
    for key in keys:
        for user in users:
            mention = re.compile(rb"(?<![A-Za-z0-9])" + re.escape(user.encode()) +
                                 rb"(?![A-Za-z0-9])")
            own = f"rp:{person_tag(person(user))}:".encode()
            if mention.search(key) and not key.startswith(own):
                wrong.append(key)
    return wrong


async def make_records(core: Rapport, messenger: ConsoleMessenger) -> None:
    """Promises, kudos and handovers between four people, through the core."""
    sam = Console(core, messenger, me="sam")
    for line in ["/promise send the deck to @priya by Friday", "/kept 1",
                 "/promise review @lee's draft tomorrow",
                 "/kudos @lee your runbook made the failover calm and quick",
                 "/handover @ben pick the release date", "/rapport settings nudge 08:00",
                 "/prep the release scope with @ben on Friday", "/prep answer 1 a week more"]:
        await sam.handle_line(line)
    lee = Console(core, messenger, me="lee")
    await lee.handle_line("/kudos @sam the deck summary was crisp and saved us an hour")
    await lee.handle_line("/thanks @priya for pairing with me on the failover drill")


async def test_every_key_is_hash_tagged_and_a_tags_keys_share_a_slot(
    core: Rapport, messenger: ConsoleMessenger, redis: Redis,
) -> None:
    await make_records(core, messenger)
    keys = [key async for key in redis.scan_iter(count=1000)]
    assert len(keys) > 10
    slots_by_tag: dict[bytes, set[int]] = {}
    for key in keys:
        assert key.startswith(b"rp:{") and b"}" in key, key
        tag = key[key.index(b"{") + 1 : key.index(b"}")]
        slots_by_tag.setdefault(tag, set()).add(key_slot(key))
    assert all(len(slots) == 1 for slots in slots_by_tag.values())


async def test_each_persons_records_carry_that_persons_tag(
    core: Rapport, messenger: ConsoleMessenger, redis: Redis,
) -> None:
    await make_records(core, messenger)
    keys = [key async for key in redis.scan_iter(count=1000)]
    assert misplaced(keys, PEOPLE) == []
    # Each side of a shared record is filed with its holder: the giver's copy under the
    # giver's tag, the receiver's under the receiver's.
    sam, lee, ben = PersonKeys(person("sam")), PersonKeys(person("lee")), PersonKeys(person("ben"))
    expected = [sam.profile, sam.promises, sam.promise_seq, sam.open_promises, sam.kudos_given,
                sam.kudos_received, sam.handovers, sam.handover_seq, sam.counterparts,
                sam.habit_years, sam.preps, sam.prep_seq, lee.kudos_given, lee.kudos_received,
                lee.counterparts,
                ben.handovers_received, ben.counterparts]
    assert [key for key in expected if not await redis.exists(key)] == []
    by_slot = {key_slot(key.encode()) for key in expected if key.startswith(
        f"rp:{person_tag(person('sam'))}:")}
    assert len(by_slot) == 1


def test_a_record_filed_under_someone_elses_tag_is_caught() -> None:
    """The check above can fail: records of lee's under sam's tag or the workspace's."""
    keys = [person_key(person("sam"), "kudos", "received", "lee").encode(),
            b"rp:{w:console:local}:profile:lee",
            person_key(person("lee"), "kudos", "received").encode(),
            person_key(person("sam"), "kudos", "given").encode()]
    assert misplaced(keys, PEOPLE) == keys[:2]


def test_ids_with_braces_and_colons_cannot_move_the_tag() -> None:
    odd = PersonRef("teams", "tenant}{x", "29:1a{b}c")
    key = person_key(odd, "profile")
    assert key.count("{") == 1 and key.count("}") == 1
    assert person_tag(odd) in key
