"""The Redis implementation of every storage port the core uses.

Writes that must hang together (a new promise and its index, a person's profile) run in one
MULTI/EXEC transaction over keys of one hash tag, so they are atomic on a single server and on
Redis Cluster alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace as copy_of
from datetime import date, datetime
from typing import Any, cast
from urllib.parse import quote

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.due import RedisDueWork
from adapters.redis.keys import (
    PersonKeys,
    WorkspaceKeys,
    person_key,
    person_pattern,
    workspace_key,
)
from adapters.redis.scripts import run_many
from bot.markup import FORGOTTEN
from bot.ports import Mark, NudgeInputs, Offer, Ports
from habits.commitments import Commitment
from habits.handovers import Handover
from habits.people import PersonRef, Profile, WorkspaceRef
from habits.recognition import Recognition
from habits.streaks import Habit, YearBits, bit_index
from habits.summary import WeekFigures
from habits.teams import Team, counts_in_teams, name_key

NO_DUE_SCORE = float(2**53)  # undated promises sort after every dated one


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisPeople:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def profile(self, person: PersonRef) -> Profile:
        raw = await self.redis.hgetall(PersonKeys(person).profile)
        return codec.profile_from_hash(person, {_text(k): _text(v) for k, v in raw.items()})

    async def save_profile(self, profile: Profile) -> None:
        keys = PersonKeys(profile.person)
        fields = cast(Mapping[str | bytes, str | bytes], codec.profile_to_hash(profile))
        workspace = WorkspaceKeys(profile.person.workspace_ref)
        await self.redis.hset(keys.profile, mapping=fields)  # type: ignore[arg-type]
        # Consent is only ever written by `enrol`; a first save records its absence.
        await self.redis.hsetnx(keys.profile, "enrolled", "1" if profile.enrolled else "0")
        await self.redis.sadd(workspace.people, profile.person.user)
        if profile.share_with_managers:
            await self.redis.sadd(workspace.sharing, profile.person.user)
        else:
            await self.redis.srem(workspace.sharing, profile.person.user)

    async def enrol(self, person: PersonRef) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:  # two slots on a cluster
            pipe.hset(PersonKeys(person).profile, mapping={"enrolled": "1", "quiet": "0"})
            pipe.sadd(WorkspaceKeys(person.workspace_ref).people, person.user)
            await pipe.execute()

    async def interacted(self, person: PersonRef) -> None:
        await self.redis.hset(PersonKeys(person).profile, "quiet", "0")

    async def quiet_many(self, people: Sequence[PersonRef]) -> None:
        if not people:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for person in people:
                pipe.hincrby(PersonKeys(person).profile, "quiet", 1)
            await pipe.execute()

    async def sharing(self, workspace: WorkspaceRef) -> set[str]:
        return {_text(user) for user in
                await self.redis.smembers(WorkspaceKeys(workspace).sharing)}

    async def profiles(self, people: Sequence[PersonRef]) -> list[Profile]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for person in people:
                pipe.hgetall(PersonKeys(person).profile)
            raws = await pipe.execute()
        return [codec.profile_from_hash(person, {_text(k): _text(v) for k, v in raw.items()})
                for person, raw in zip(people, raws, strict=True)]

    async def is_junior(self, person: PersonRef) -> bool:
        return bool(await self.redis.sismember(
            WorkspaceKeys(person.workspace_ref).juniors, person.user))



_REPLACE_PROMISE = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
else redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1
"""


# A promise added with an idempotency key (the delivery that made it). KEYS[1] the key's mark,
# KEYS[2] the promise counter: the number stored under the mark, or a new one.
_RESERVE_PROMISE = """
local prior = redis.call('GET', KEYS[1])
if prior then return {0, prior} end
return {1, redis.call('INCR', KEYS[2])}
"""
# KEYS: promises, open promises, origins, counterparts, the mark; ARGV: number, json, open
# ('1'/'0'), score, origin (or ''), the mark's ttl, counterparts... Stores the promise and the
# mark together unless the mark is there already (two workers ran the same delivery at once):
# then nothing, and the number stored first.
_ADD_PROMISE_ONCE = """
local prior = redis.call('GET', KEYS[5])
if prior then return prior end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] == '1' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
else redis.call('ZREM', KEYS[2], ARGV[1]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], ARGV[5], ARGV[1]) end
for i = 7, #ARGV do redis.call('SADD', KEYS[4], ARGV[i]) end
redis.call('SET', KEYS[5], ARGV[1], 'EX', ARGV[6])
return false
"""
ADDED_KEY_TTL = 7 * 24 * 3600  # longer than any delivery stays in an inbox


class RedisCommitments:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._replace = redis.register_script(_REPLACE_PROMISE)
        self._reserve = redis.register_script(_RESERVE_PROMISE)
        self._add_once = redis.register_script(_ADD_PROMISE_ONCE)

    async def add(self, owner: PersonRef, make: Callable[[int], Commitment],
                  key: str | None = None) -> Commitment:
        keys = PersonKeys(owner)
        if key is None:
            commitment = make(int(await self.redis.incr(keys.promise_seq)))
            await self._write(keys, commitment)
            return commitment
        mark = person_key(owner, "promises", "added", quote(key, safe=""))
        fresh, number = await self._reserve(keys=[mark, keys.promise_seq])
        if not int(fresh):
            return await self._stored(owner, int(number), make)
        commitment = make(int(number))
        score = commitment.due.timestamp() if commitment.due else NO_DUE_SCORE
        prior = await self._add_once(
            keys=[keys.promises, keys.open_promises, keys.promise_origins, keys.counterparts,
                  mark],
            args=[str(commitment.number), codec.commitment_to_json(commitment),
                  "1" if commitment.is_open else "0", score, commitment.origin or "",
                  ADDED_KEY_TTL,
                  *(json.dumps(codec.person_to_list(commitment.owner.colleague(person)))
                    for person in commitment.to)])
        return commitment if prior is None else await self._stored(owner, int(prior), make)

    async def _stored(self, owner: PersonRef, number: int,
                      make: Callable[[int], Commitment]) -> Commitment:
        """The promise a delivery stored before; if it was dropped since, what it was (a
        copy, so the caller can tell it from a new one; nothing is stored again)."""
        return await self.get(owner, number) or copy_of(make(number))

    async def save(self, commitment: Commitment) -> None:
        await self._write(PersonKeys(commitment.owner), commitment)

    async def replace(self, before: Commitment, after: Commitment) -> bool:
        keys = PersonKeys(after.owner)
        score = after.due.timestamp() if after.due else NO_DUE_SCORE
        return bool(await self._replace(
            keys=[keys.promises, keys.open_promises],
            args=[str(after.number), codec.commitment_to_json(before),
                  codec.commitment_to_json(after), "1" if after.is_open else "0", score]))

    async def _write(self, keys: PersonKeys, commitment: Commitment) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.promises, str(commitment.number), codec.commitment_to_json(commitment))
            if commitment.is_open:
                score = commitment.due.timestamp() if commitment.due else NO_DUE_SCORE
                pipe.zadd(keys.open_promises, {str(commitment.number): score})
            else:
                pipe.zrem(keys.open_promises, str(commitment.number))
            if commitment.origin:
                pipe.hset(keys.promise_origins, commitment.origin, str(commitment.number))
            for person in commitment.to:
                pipe.sadd(keys.counterparts, json.dumps(codec.person_to_list(
                    commitment.owner.colleague(person))))
            await pipe.execute()

    async def get(self, owner: PersonRef, number: int) -> Commitment | None:
        raw = await self.redis.hget(PersonKeys(owner).promises, str(number))
        return codec.commitment_from_json(owner, raw) if raw else None

    async def open_for(self, owner: PersonRef) -> list[Commitment]:
        keys = PersonKeys(owner)
        numbers = cast(list[bytes], await self.redis.zrange(keys.open_promises, 0, -1))
        if not numbers:
            return []
        raws = await self.redis.hmget(keys.promises, numbers)
        return [codec.commitment_from_json(owner, raw) for raw in raws if raw]

    async def all_for(self, owner: PersonRef) -> list[Commitment]:
        raw = await self.redis.hgetall(PersonKeys(owner).promises)
        found = [codec.commitment_from_json(owner, value) for value in raw.values()]
        return sorted(found, key=lambda c: c.number)


    async def discard(self, commitment: Commitment) -> None:
        keys = PersonKeys(commitment.owner)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hdel(keys.promises, str(commitment.number))
            pipe.zrem(keys.open_promises, str(commitment.number))
            if commitment.origin:
                pipe.hdel(keys.promise_origins, commitment.origin)
            await pipe.execute()

    async def by_origin(self, owner: PersonRef, origin: str) -> Commitment | None:
        number = await self.redis.hget(PersonKeys(owner).promise_origins, origin)
        return await self.get(owner, int(number)) if number else None


class RedisRecognitions:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def add(self, recognition: Recognition) -> None:
        giver, receiver = PersonKeys(recognition.giver), PersonKeys(recognition.receiver)
        payload = codec.recognition_to_json(recognition)
        # Two people, two hash tags: one transaction each, the giver's copy first.
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(giver.kudos_given, payload)
            pipe.sadd(giver.counterparts, _ref(recognition.receiver))
            await pipe.execute()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(receiver.kudos_received, payload)
            pipe.sadd(receiver.counterparts, _ref(recognition.giver))
            await pipe.execute()

    async def given_by(self, person: PersonRef) -> list[Recognition]:
        raws = await self.redis.lrange(PersonKeys(person).kudos_given, 0, -1)
        return [codec.recognition_from_json(raw) for raw in raws]

    async def received_by(self, person: PersonRef) -> list[Recognition]:
        raws = await self.redis.lrange(PersonKeys(person).kudos_received, 0, -1)
        return [codec.recognition_from_json(raw) for raw in raws]


class RedisHandovers:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def add(self, giver: PersonRef, make: Callable[[int], Handover]) -> Handover:
        number = int(await self.redis.incr(PersonKeys(giver).handover_seq))
        handover = make(number)
        await self.save(handover)
        return handover

    async def save(self, handover: Handover) -> None:
        giver, receiver = PersonKeys(handover.giver), PersonKeys(handover.receiver)
        payload = codec.handover_to_json(handover)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(giver.handovers, str(handover.number), payload)
            pipe.sadd(giver.counterparts, _ref(handover.receiver))
            await pipe.execute()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(receiver.handovers_received, _received_field(handover), payload)
            pipe.sadd(receiver.counterparts, _ref(handover.giver))
            await pipe.execute()

    async def get(self, giver: PersonRef, number: int) -> Handover | None:
        raw = await self.redis.hget(PersonKeys(giver).handovers, str(number))
        return codec.handover_from_json(raw) if raw else None

    async def given_by(self, person: PersonRef) -> list[Handover]:
        raw = await self.redis.hgetall(PersonKeys(person).handovers)
        return sorted((codec.handover_from_json(v) for v in raw.values()), key=lambda h: h.number)

    async def received_by(self, person: PersonRef) -> list[Handover]:
        raw = await self.redis.hgetall(PersonKeys(person).handovers_received)
        return sorted((codec.handover_from_json(v) for v in raw.values()),
                      key=lambda h: h.offered_at)


def _received_field(handover: Handover) -> str:
    return f"{handover.giver.user}#{handover.number}"


def _ref(person: PersonRef) -> str:
    return json.dumps(codec.person_to_list(person))


def _no_history() -> tuple[dict[Habit, YearBits], YearBits, date]:
    """Nothing on record, so no first day yet: date.max rather than "today", as the store reads
    no clock; readers start a history at min(first day, their today) (bot.progress)."""
    return {}, {}, date.max


class RedisHabitLog:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def practised(self, person: PersonRef, habit: Habit, day: date) -> None:
        keys = PersonKeys(person)
        year, index = bit_index(day)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.setbit(keys.habit(habit, year), index, 1)
            pipe.sadd(keys.habit_years, str(year))
            await pipe.execute()

    async def lapsed(self, person: PersonRef, day: date) -> None:
        keys = PersonKeys(person)
        year, index = bit_index(day)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.setbit(keys.lapses(year), index, 1)
            pipe.sadd(keys.habit_years, str(year))
            await pipe.execute()

    async def history(self, person: PersonRef) -> tuple[dict[Habit, YearBits], YearBits, date]:
        return (await self.histories([person]))[0]

    async def histories(self, people: Sequence[PersonRef],
                        years: Sequence[Sequence[int]] | None = None,
                        ) -> list[tuple[dict[Habit, YearBits], YearBits, date]]:
        if years is None:
            async with self.redis.pipeline(transaction=False) as pipe:
                for person in people:
                    pipe.smembers(PersonKeys(person).habit_years)
                year_sets: Sequence[Iterable[bytes | int]] = await pipe.execute()
        else:
            year_sets = years
        plans = [(PersonKeys(p), sorted(int(y) for y in ys)) for p, ys in zip(people, year_sets,
                                                                              strict=True)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for keys, wanted in plans:
                if wanted:
                    # MGET by name: a cluster pipeline blocks pipe.mget(), but these keys
                    # share the person's hash tag, so one MGET stays in one slot.
                    pipe.execute_command("MGET", *[keys.habit(h, y) for h in Habit for y in wanted],
                                         *[keys.lapses(y) for y in wanted])
            values_of = iter(await pipe.execute())
        return [self._history(wanted, next(values_of)) if wanted else
                _no_history() for _, wanted in plans]

    @staticmethod
    def _history(years: list[int], raw: list[bytes | None],
                 ) -> tuple[dict[Habit, YearBits], YearBits, date]:
        values = raw
        done: dict[Habit, dict[int, bytes]] = {habit: {} for habit in Habit}
        position = 0
        for habit in Habit:
            for year in years:
                value = values[position]
                if value:
                    done[habit][year] = value
                position += 1
        lapses = {year: value for year, value in zip(years, values[position:], strict=True) if value}
        return dict(done), lapses, date(years[0], 1, 1)

    async def days(self, person: PersonRef) -> dict[str, list[str]]:
        """Every day on record per habit, as ISO dates (for the personal data export)."""
        done, lapses, _ = await self.history(person)
        out: dict[str, list[str]] = {}
        for name, bits in [*((h.value, b) for h, b in done.items()), ("lapsed", lapses)]:
            out[name] = [d.isoformat() for d in _days_set(bits)]
        return out


def _days_set(bits: YearBits) -> Iterable[date]:
    for year, data in sorted(bits.items()):
        for byte_index, byte in enumerate(data):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    yield date.fromordinal(date(year, 1, 1).toordinal() + byte_index * 8 + bit)


class RedisPersonalData:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.people = RedisPeople(redis)
        self.commitments = RedisCommitments(redis)
        self.recognitions = RedisRecognitions(redis)
        self.handovers = RedisHandovers(redis)
        self.habits = RedisHabitLog(redis)

    async def export(self, person: PersonRef) -> dict[str, Any]:
        profile = await self.people.profile(person)
        return {
            "person": {"platform": person.platform, "workspace": person.workspace,
                       "user": person.user},
            "profile": codec.profile_to_export(profile),
            "junior": await self.people.is_junior(person),
            "promises": [json.loads(codec.commitment_to_json(c))
                         for c in await self.commitments.all_for(person)],
            "kudos_given": [json.loads(codec.recognition_to_json(r))
                            for r in await self.recognitions.given_by(person)],
            "kudos_received": [json.loads(codec.recognition_to_json(r))
                               for r in await self.recognitions.received_by(person)],
            "handovers_given": [json.loads(codec.handover_to_json(h))
                                for h in await self.handovers.given_by(person)],
            "handovers_received": [json.loads(codec.handover_to_json(h))
                                   for h in await self.handovers.received_by(person)],
            "habit_days": await self.habits.days(person),
            "teams": [{"team": t.name, "member": person.user in t.members,
                       "junior": person.user in t.juniors, "manager": person.user in t.managers}
                      for t in await RedisTeams(self.redis).of_person(person)],
            "pending_offers": [json.loads(raw) for raw in await self._offers(person)],
        }

    async def _offers(self, person: PersonRef) -> list[bytes]:
        pattern = person_pattern(person)[:-1] + "offer:*"
        keys = [key async for key in self.redis.scan_iter(match=pattern, count=500)]
        values = cast(list[bytes | None], await self.redis.mget(keys)) if keys else []
        return [value for value in values if value]

    async def forget(self, person: PersonRef) -> None:
        keys = PersonKeys(person)
        await RedisDueWork(self.redis).forget(person)
        teams = RedisTeams(self.redis)
        my_teams = await teams.of_person(person)
        await RedisTeamFigures(self.redis).forget(person, my_teams)
        for team in my_teams:
            user = person.user
            await teams.save(Team(team.workspace, team.team_id, team.name,
                                  members=team.members - {user}, juniors=team.juniors - {user},
                                  managers=team.managers - {user},
                                  min_group_size=team.min_group_size))
        mine = json.dumps(codec.person_to_list(person))
        for other in await self._naming(person, keys, mine):
            await self._scrub(PersonKeys(other), mine)
        workspace = WorkspaceKeys(person.workspace_ref)
        await self.redis.srem(workspace.juniors, person.user)
        await self.redis.srem(workspace.people, person.user)
        await self.redis.srem(workspace.sharing, person.user)
        await self._scrub_streams(person)
        found = [key async for key in self.redis.scan_iter(match=person_pattern(person), count=500)]
        for start in range(0, len(found), 500):
            await self.redis.delete(*found[start:start + 500])

    async def expire_texts(self, person: PersonRef, before: datetime) -> int:
        """Blank old texts in the person's records and in the copies colleagues hold of
        records the person shares with them (a kudos lives with its giver and its receiver).

        Runs daily per person, so the common case (nothing old) is one round trip.
        """
        keys = PersonKeys(person)
        if not await self._has_old_texts(keys, before):
            return 0
        expired = await self._expire_promises(keys, before)
        me = codec.person_to_list(person)
        shared = await self._expire_shared(keys, None, before)
        if shared:  # each shared record has a copy with the colleague on the other side
            for raw in await self.redis.smembers(keys.counterparts):
                other = codec.person_from_list(json.loads(raw))
                expired += await self._expire_shared(PersonKeys(other), me, before)
        return expired + shared

    async def _has_old_texts(self, keys: PersonKeys, before: datetime) -> bool:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hvals(keys.promises)
            pipe.lrange(keys.kudos_given, 0, -1)
            pipe.lrange(keys.kudos_received, 0, -1)
            pipe.hvals(keys.handovers)
            pipe.hvals(keys.handovers_received)
            promises, given, received, handed, got = await pipe.execute()
        for raw in promises:
            data = json.loads(raw)
            if data["what"] and data["closed"] and datetime.fromisoformat(data["closed"]) < before:
                return True
        for raw in (*given, *received):
            data = json.loads(raw)
            if data["reason"] and datetime.fromisoformat(data["at"]) < before:
                return True
        for raw in (*handed, *got):
            data = json.loads(raw)
            if data["decision"] and _handover_old(data, before):
                return True
        return False

    async def _expire_promises(self, keys: PersonKeys, before: datetime) -> int:
        expired = 0
        for field, value in (await self.redis.hgetall(keys.promises)).items():
            data = json.loads(value)
            if data["what"] and data["closed"] and datetime.fromisoformat(data["closed"]) < before:
                data["what"] = ""
                await self.redis.hset(keys.promises, field, json.dumps(data, separators=(",", ":")))
                expired += 1
        return expired

    async def _expire_shared(self, keys: PersonKeys, involving: list[str] | None,
                             before: datetime) -> int:
        """Old kudos reasons and handover decisions in `keys`' lists (only those involving
        `involving`, when given)."""
        expired = 0

        def concerned(data: dict[str, Any]) -> bool:
            return involving is None or involving in (data["giver"], data["receiver"])

        for key in (keys.kudos_given, keys.kudos_received):
            for index, entry in enumerate(await self.redis.lrange(key, 0, -1)):
                data = json.loads(entry)
                if data["reason"] and concerned(data) and datetime.fromisoformat(data["at"]) < before:
                    data["reason"] = ""
                    await self.redis.lset(key, index, json.dumps(data, separators=(",", ":")))
                    expired += 1
        for key in (keys.handovers, keys.handovers_received):
            for field, value in (await self.redis.hgetall(key)).items():
                data = json.loads(value)
                if data["decision"] and concerned(data) and _handover_old(data, before):
                    data["decision"] = ""
                    await self.redis.hset(key, field, json.dumps(data, separators=(",", ":")))
                    expired += 1
        return expired

    async def _naming(self, person: PersonRef, keys: PersonKeys, mine: str) -> list[PersonRef]:
        """Colleagues whose records may name the person: those the person's own records name,
        and everyone whose counterparts name the person (a promise made *to* someone is only
        in its owner's records), found in one pipeline over the workspace's people."""
        found = {_text(raw) for raw in await self.redis.smembers(keys.counterparts)}
        people = sorted(_text(u) for u in
                        await self.redis.smembers(WorkspaceKeys(person.workspace_ref).people))
        for start in range(0, len(people), 1000):
            chunk = [person.colleague(user) for user in people[start:start + 1000]]
            async with self.redis.pipeline(transaction=False) as pipe:
                for other in chunk:
                    pipe.sismember(PersonKeys(other).counterparts, mine)
                named = await pipe.execute()
            found |= {_ref(other) for other, yes in zip(chunk, named, strict=True) if yes}
        found.discard(mine)
        return [codec.person_from_list(json.loads(raw)) for raw in sorted(found)]

    async def _scrub_streams(self, person: PersonRef) -> None:
        """Every stream of the workspace (the Slack inbox and its dead letters, and any other)
        loses the entries that concern the person: those whose `u` (who sent it) is them or
        whose `m` (the people it mentions) names them; an entry with neither (a dead letter
        from before entries said so) when any of its values names them."""
        pattern = _glob_escape(workspace_key(person.workspace_ref, "")) + "*"
        token = re.compile(rb"(?<![A-Za-z0-9])" + re.escape(person.user.encode()) +
                           rb"(?![A-Za-z0-9])")
        user = person.user.encode()
        streams = [key async for key in self.redis.scan_iter(match=pattern, count=1000,
                                                             _type="stream")]
        for stream in streams:
            start = "-"
            while True:
                entries = cast(list[tuple[bytes, dict[bytes, bytes]]],
                               await self.redis.xrange(stream, min=start, count=500))
                doomed = [entry_id for entry_id, fields in entries
                          if _concerns(fields, user, token)]
                if doomed:
                    await self.redis.xdel(stream, *doomed)
                if len(entries) < 500:
                    break
                start = "(" + _text(entries[-1][0])

    async def _scrub(self, other: PersonKeys, mine: str) -> None:
        """Remove what a colleague's records say about the person being forgotten."""
        person = json.loads(mine)
        for key in (other.kudos_given, other.kudos_received):
            entries = await self.redis.lrange(key, 0, -1)
            keep = [e for e in entries if person not in (json.loads(e)["giver"],
                                                         json.loads(e)["receiver"])]
            if len(keep) != len(entries):
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.delete(key)
                    if keep:
                        pipe.rpush(key, *keep)
                    await pipe.execute()
        for key in (other.handovers, other.handovers_received):
            raw = await self.redis.hgetall(key)
            gone = [field for field, value in raw.items()
                    if person in (json.loads(value)["giver"], json.loads(value)["receiver"])]
            if gone:
                await self.redis.hdel(key, *gone)
        await self.redis.srem(other.counterparts, mine)
        # Promises made *to* the forgotten person keep their text and figures; in place of the
        # name, a placeholder that reads "a colleague".
        if (other.person.platform, other.person.workspace) != (person[0], person[1]):
            return
        promises = await self.redis.hgetall(other.promises)
        for field, value in promises.items():
            data = json.loads(value)
            if person[2] in data["to"]:
                data["to"] = list(dict.fromkeys(FORGOTTEN if p == person[2] else p
                                                for p in data["to"]))
                await self.redis.hset(other.promises, field, json.dumps(data, separators=(",", ":")))


def _handover_old(data: dict[str, Any], before: datetime) -> bool:
    """A handover past retention: answered before `before`, or offered before it and never
    answered (an unanswered handover's decision is not kept for ever either)."""
    moment = data["answered"] or data["at"]
    return bool(moment) and datetime.fromisoformat(moment) < before


def _concerns(fields: Mapping[bytes, bytes], user: bytes, token: re.Pattern[bytes]) -> bool:
    """Whether a stream entry concerns `user` (see RedisPersonalData._scrub_streams)."""
    if b"u" in fields or b"m" in fields:
        return fields.get(b"u") == user or user in fields.get(b"m", b"").split()
    return any(token.search(value) for value in fields.values())


def _glob_escape(text: str) -> str:
    for char in "\\*?[]":
        text = text.replace(char, "\\" + char)
    return text


class RedisDedupe:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def first_time(self, workspace: WorkspaceRef, key: str, ttl_seconds: int) -> bool:
        return bool(await self.redis.set(WorkspaceKeys(workspace).seen(key), b"1",
                                         nx=True, ex=ttl_seconds))

    async def release(self, workspace: WorkspaceRef, key: str) -> None:
        await self.redis.delete(WorkspaceKeys(workspace).seen(key))


class RedisOffers:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def put(self, person: PersonRef, offer: Offer, ttl_seconds: int) -> None:
        await self.redis.set(PersonKeys(person).offer(offer.origin), codec.offer_to_json(offer),
                             ex=ttl_seconds)

    async def get(self, person: PersonRef, origin: str) -> Offer | None:
        raw = await self.redis.get(PersonKeys(person).offer(origin))
        return codec.offer_from_json(raw) if raw else None

    async def take(self, person: PersonRef, origin: str) -> Offer | None:
        raw = await self.redis.getdel(PersonKeys(person).offer(origin))
        return codec.offer_from_json(raw) if raw else None


class RedisStats:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def count(self, workspace: WorkspaceRef, name: str, by: int = 1) -> None:
        await self.redis.hincrby(WorkspaceKeys(workspace).stats, name, by)

    async def counts(self, workspace: WorkspaceRef) -> dict[str, int]:
        raw = await self.redis.hgetall(WorkspaceKeys(workspace).stats)
        return {_text(k): int(v) for k, v in raw.items()}


# KEYS[1] the workspace's index of team names (name key -> team id), KEYS[2] the team, KEYS[3]
# the workspace's set of team ids; ARGV: the name key, the team id, the team's JSON.
# Returns the id of the team already holding that name, or false when this one was stored.
_CREATE_TEAM = """
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if holder then return holder end
if redis.call('EXISTS', KEYS[2]) == 1 then return ARGV[2] end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[2])
return false
"""


class RedisTeams:
    """A team is one JSON string; beside it, the set of its members (what RedisTeamFigures
    checks an event against) and, per workspace, the index of team names by their look-alike
    key (habits.teams.name_key) that keeps names unique."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._create = redis.register_script(_CREATE_TEAM)

    async def get(self, workspace: WorkspaceRef, team_id: str) -> Team | None:
        raw = await self.redis.get(WorkspaceKeys(workspace).team(team_id))
        return codec.team_from_json(workspace, raw) if raw else None

    async def create(self, team: Team) -> Team | None:
        keys = WorkspaceKeys(team.workspace)
        key = name_key(team.name)
        legacy = await self.named(team.workspace, key)  # teams from before the index, too
        if legacy is not None:
            return legacy
        for _ in range(2):
            holder = await self._create(keys=[_names(keys), keys.team(team.team_id), keys.teams],
                                        args=[key, team.team_id, codec.team_to_json(team)])
            if not holder:
                await self._save(team, None)  # the people's indexes and the members set
                return None
            found = await self.get(team.workspace, _text(holder))
            if found is not None:
                return found
            await self.redis.hdel(_names(keys), key)  # its team is gone: a stale entry
        return team

    async def named(self, workspace: WorkspaceRef, key: str) -> Team | None:
        keys = WorkspaceKeys(workspace)
        holder = await self.redis.hget(_names(keys), key)
        if holder:
            found = await self.get(workspace, _text(holder))
            if found is not None:
                return found
        for team in await self.in_workspace(workspace):
            if name_key(team.name) == key:
                await self.redis.hset(_names(keys), key, team.team_id)
                return team
        return None

    async def save(self, team: Team) -> None:
        await self._save(team, await self.get(team.workspace, team.team_id))

    async def _save(self, team: Team, before: Team | None) -> None:
        keys = WorkspaceKeys(team.workspace)
        old = (before.members | before.managers) if before else frozenset()
        new = team.members | team.managers
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.team(team.team_id), codec.team_to_json(team))
            pipe.sadd(keys.teams, team.team_id)
            pipe.hsetnx(_names(keys), name_key(team.name), team.team_id)
            pipe.delete(_members(keys, team.team_id))
            if team.members:
                pipe.sadd(_members(keys, team.team_id), *team.members)
            await pipe.execute()
        for user in new - old:
            await self.redis.sadd(PersonKeys(team.person(user)).teams, team.team_id)
        for user in old - new:
            await self.redis.srem(PersonKeys(team.person(user)).teams, team.team_id)
        await self._sync_juniors(team, before)

    async def _sync_juniors(self, team: Team, before: Team | None) -> None:
        """The workspace's junior set: everyone marked junior in at least one team."""
        juniors = WorkspaceKeys(team.workspace).juniors
        dropped = (before.juniors if before else frozenset()) - team.juniors
        if team.juniors:
            await self.redis.sadd(juniors, *team.juniors)
        for user in dropped:
            others = await self.of_person(team.person(user))
            if not any(user in other.juniors for other in others if other.team_id != team.team_id):
                await self.redis.srem(juniors, user)

    async def delete(self, team: Team) -> None:
        keys = WorkspaceKeys(team.workspace)
        emptied = Team(team.workspace, team.team_id, team.name)
        await self._sync_juniors(emptied, team)
        for user in team.members | team.managers:
            await self.redis.srem(PersonKeys(team.person(user)).teams, team.team_id)
        key = name_key(team.name)
        holds_name = _text(await self.redis.hget(_names(keys), key) or b"") == team.team_id
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(keys.team(team.team_id), _members(keys, team.team_id))
            pipe.srem(keys.teams, team.team_id)
            if holds_name:
                pipe.hdel(_names(keys), key)
            await pipe.execute()

    async def of_person(self, person: PersonRef) -> list[Team]:
        ids = sorted(_text(i) for i in await self.redis.smembers(PersonKeys(person).teams))
        return await self._many(person.workspace_ref, ids)

    async def in_workspace(self, workspace: WorkspaceRef) -> list[Team]:
        ids = sorted(_text(i) for i in await self.redis.smembers(WorkspaceKeys(workspace).teams))
        return await self._many(workspace, ids)

    async def _many(self, workspace: WorkspaceRef, ids: Sequence[str]) -> list[Team]:
        """Teams by id in one round trip (one MGET: a workspace's keys share one slot)."""
        if not ids:
            return []
        keys = WorkspaceKeys(workspace)
        raws = cast(list[bytes | None], await self.redis.mget([keys.team(i) for i in ids]))
        return [codec.team_from_json(workspace, raw) for raw in raws if raw]


def _names(keys: WorkspaceKeys) -> str:
    """The workspace's team names by look-alike key (habits.teams.name_key) -> team id."""
    return keys.teams + ":names"


def _members(keys: WorkspaceKeys, team_id: str) -> str:
    return keys.team(team_id) + ":members"


_BEGIN_MARK = """
local mark = redis.call('GET', KEYS[1])
if mark == 'sent' then return 0 end
if mark and tonumber(mark) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
if mark then return 2 end
return 1
"""
_MARKS = {0: Mark.BUSY, 1: Mark.TAKEN, 2: Mark.TAKEN_OVER}


class RedisNudgeMarks:
    """`rp:{u:…}:sent:<purpose>:<day>` holds "sent", or the epoch second a sending tick's lease ends.

    Leases are in the tick's own clock (not Redis TTLs) so that a tick run for a given `--now`
    and the tests' controllable clock see the same rule.
    """

    SENT_TTL = 3 * 24 * 3600

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._begin = redis.register_script(_BEGIN_MARK)

    async def begin(self, person: PersonRef, day: date, now: datetime, lease_seconds: int,
                    purpose: str = "nudge") -> Mark:
        (mark,) = await self.begin_many([(person, day)], now, lease_seconds, purpose)
        return mark

    async def begin_many(self, days: Sequence[tuple[PersonRef, date]], now: datetime,
                         lease_seconds: int, purpose: str = "nudge") -> list[Mark]:
        start = int(now.timestamp())
        answers = await run_many(self.redis, self._begin, [
            ([PersonKeys(person).sent_mark(purpose, day.isoformat())],
             [start, start + lease_seconds, self.SENT_TTL]) for person, day in days])
        return [_MARKS[int(answer)] for answer in answers]

    async def sent(self, person: PersonRef, day: date, purpose: str = "nudge") -> None:
        await self.sent_many([(person, day)], purpose)

    async def sent_many(self, days: Sequence[tuple[PersonRef, date]],
                        purpose: str = "nudge") -> None:
        if not days:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for person, day in days:
                pipe.set(PersonKeys(person).sent_mark(purpose, day.isoformat()), b"sent",
                         ex=self.SENT_TTL)
            await pipe.execute()

    async def release(self, person: PersonRef, day: date, purpose: str = "nudge",
                      uncertain: bool = True) -> None:
        key = PersonKeys(person).sent_mark(purpose, day.isoformat())
        if uncertain:  # an expired lease: the next attempt takes it over, asking first
            await self.redis.set(key, b"0", ex=self.SENT_TTL)
        else:
            await self.redis.delete(key)


# A member's counts reach their teams' figures here, and only the teams they are a member of
# (not those they only manage). KEYS: per team, the team, its members set, its week hash and its
# active set for the habit (all of one workspace: one slot). ARGV[1] the user, ARGV[2] the ttl,
# ARGV[3] "1" to mark them active, then name, by, name, by ... A team stored before the members
# set existed gets it from its JSON. Returns how many teams counted it.
_RECORD = """
local counted = 0
for i = 1, #KEYS, 4 do
  local members = KEYS[i + 1]
  if redis.call('EXISTS', members) == 0 then
    local doc = redis.call('GET', KEYS[i])
    if doc then
      local ids = cjson.decode(doc).members
      for k = 1, #ids, 1000 do
        redis.call('SADD', members, unpack(ids, k, math.min(k + 999, #ids)))
      end
    end
  end
  if redis.call('SISMEMBER', members, ARGV[1]) == 1 then
    counted = counted + 1
    for j = 4, #ARGV, 2 do
      redis.call('HINCRBY', KEYS[i + 2], ARGV[j], ARGV[j + 1])
    end
    if #ARGV > 3 then redis.call('EXPIRE', KEYS[i + 2], ARGV[2]) end
    if ARGV[3] == '1' then
      redis.call('SADD', KEYS[i + 3], ARGV[1])
      redis.call('EXPIRE', KEYS[i + 3], ARGV[2])
    end
  end
end
return counted
"""


class RedisTeamFigures:
    WEEKS_KEPT = 60 * 7 * 24 * 3600  # a little over a year of weekly figures

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._record = redis.register_script(_RECORD)

    async def record(self, person: PersonRef, week: str, counts: Mapping[str, int],
                     active: Habit | None = None) -> None:
        mine = PersonKeys(person)
        async with self.redis.pipeline(transaction=False) as pipe:  # one slot: the person's
            pipe.smembers(mine.teams)
            pipe.hmget(mine.profile, ["enrolled", "nudges", "since"])
            team_ids, (enrolled, nudges, since) = await pipe.execute()
        if not team_ids or not (counts or active):
            return
        seen = {field: _text(value) for field, value in
                (("enrolled", enrolled), ("nudges", nudges), ("since", since)) if value is not None}
        if not counts_in_teams(codec.profile_from_hash(person, seen)):
            return  # not told yet, or opted out: their activity stays out of every team
        keys = WorkspaceKeys(person.workspace_ref)
        script_keys: list[str] = []
        for team_id in sorted(_text(t) for t in team_ids):
            script_keys += [keys.team(team_id), _members(keys, team_id), keys.team_week(team_id, week),
                            keys.team_active(team_id, week, active or Habit.KEEP)]
        args: list[str | int] = [person.user, self.WEEKS_KEPT, "1" if active else "0"]
        for name, by in counts.items():
            args += [name, by]
        await self._record(keys=script_keys, args=args)

    async def weeks(self, team: Team, weeks: Sequence[str]) -> list[WeekFigures]:
        keys = WorkspaceKeys(team.workspace)
        habits = list(Habit)
        async with self.redis.pipeline(transaction=False) as pipe:
            for week in weeks:
                pipe.hgetall(keys.team_week(team.team_id, week))
                for habit in habits:
                    pipe.scard(keys.team_active(team.team_id, week, habit))
            raw = await pipe.execute()
        out: list[WeekFigures] = []
        stride = 1 + len(habits)
        for index, week in enumerate(weeks):
            chunk = raw[index * stride:(index + 1) * stride]
            counts = {_text(k): int(v) for k, v in chunk[0].items()}
            out.append(WeekFigures(week, counts, dict(zip(habits, map(int, chunk[1:]), strict=True))))
        return out

    async def forget(self, person: PersonRef, teams: Sequence[Team]) -> None:
        for team in teams:
            keys = WorkspaceKeys(team.workspace)
            pattern = keys.team_week(team.team_id, "*")
            async for key in self.redis.scan_iter(match=pattern + ":active:*", count=1000):
                await self.redis.srem(key, person.user)


class RedisHealth:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def ping(self) -> bool:
        return bool(await self.redis.ping())


class RedisPlanning:
    RECENT_KUDOS = 500  # enough to know whom someone recognised lately

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def nudge_inputs(self, person: PersonRef, years: Sequence[int]) -> NudgeInputs:
        (inputs,) = await self.nudge_inputs_many([(person, years)])
        return inputs

    async def nudge_inputs_many(self, wanted: Sequence[tuple[PersonRef, Sequence[int]]],
                                ) -> list[NudgeInputs]:
        if not wanted:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for person, _ in wanted:
                keys = PersonKeys(person)
                pipe.zrange(keys.open_promises, 0, -1)
                pipe.smembers(keys.teams)
                pipe.lrange(keys.kudos_given, -self.RECENT_KUDOS, -1)
                pipe.hgetall(keys.handovers)
            first = await pipe.execute()
        lists = [first[i:i + 4] for i in range(0, len(first), 4)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for (person, years), (open_ids, team_ids, _, _) in zip(wanted, lists, strict=True):
                keys = PersonKeys(person)
                if open_ids:
                    pipe.hmget(keys.promises, open_ids)
                workspace = WorkspaceKeys(person.workspace_ref)
                for team_id in sorted(team_ids):
                    pipe.get(workspace.team(_text(team_id)))
                if years:  # one tag, one slot: see histories()
                    pipe.execute_command("MGET", *[keys.habit(h, y) for h in Habit for y in years],
                                         *[keys.lapses(y) for y in years])
            answers = iter(await pipe.execute())
        out = []
        for (person, years), (open_ids, team_ids, kudos, handovers) in zip(wanted, lists, strict=True):
            promises = [codec.commitment_from_json(person, raw)
                        for raw in (next(answers) if open_ids else []) if raw]
            teams = [codec.team_from_json(person.workspace_ref, raw)
                     for raw in [next(answers) for _ in team_ids] if raw]
            history = RedisHabitLog._history(list(years), next(answers)) if years else _no_history()
            out.append(NudgeInputs(
                open_promises=promises, teams=teams,
                recognitions_given=[codec.recognition_from_json(raw) for raw in kudos],
                handovers_given=[codec.handover_from_json(v) for v in handovers.values()],
                history=history))
        return out


def redis_ports(redis: Redis) -> Ports:
    """Every port the core needs, over one Redis client."""
    return Ports(
        people=RedisPeople(redis),
        commitments=RedisCommitments(redis),
        recognitions=RedisRecognitions(redis),
        handovers=RedisHandovers(redis),
        habits=RedisHabitLog(redis),
        personal_data=RedisPersonalData(redis),
        dedupe=RedisDedupe(redis),
        health=RedisHealth(redis),
        offers=RedisOffers(redis),
        stats=RedisStats(redis),
        due=RedisDueWork(redis),
        teams=RedisTeams(redis),
        nudge_marks=RedisNudgeMarks(redis),
        figures=RedisTeamFigures(redis),
        planning=RedisPlanning(redis),
    )
