"""Benchmark: a 1,000-person team's summary from one year of data.

Rapport's way (weekly aggregates kept as events happen, read in a few pipelines) against a fair
baseline that keeps no aggregates: the same summary, through the same code and privacy rules,
with the team's figures (`Ports.figures`) worked out from every member's raw records (promises,
kudos, habit bitmaps) read in one pipeline. Both print the same summary text, checked before
anything is timed, so the ratio is the price of reading raw records, not of round trips or of
computing less. Side by side on one real Redis.

    .venv/bin/python -m bench.team_summary
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from adapters.redis import codec
from adapters.redis.keys import PersonKeys, WorkspaceKeys
from adapters.redis.store import redis_ports
from bench.figures import record
from bench.support import CountingRedis, machine, redis_server, timed
from bot.ports import Ports
from bot.team_summary import summary_sections
from habits.commitments import Commitment, CommitmentStatus
from habits.people import PersonRef, Profile, WorkspaceRef
from habits.streaks import Habit, bit_index
from habits.summary import WeekFigures, week_of
from habits.teams import Team

MEMBERS = 1000
WEEKS = 52
SHARING = 0.1
NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)
WS = WorkspaceRef("slack", "TBENCH")


async def populate(redis: CountingRedis) -> Team:
    rng = random.Random(7)
    users = [f"U{i:05d}" for i in range(MEMBERS)]
    team = Team(WS, "platform", "Platform", members=frozenset(users),
                juniors=frozenset(users[:200]), managers=frozenset({"UBOSS"}))
    ports = redis_ports(redis)
    await ports.teams.save(team)
    keys = WorkspaceKeys(WS)
    start = NOW.date() - timedelta(weeks=WEEKS)
    for index, user in enumerate(users):
        person = PersonRef("slack", WS.workspace, user)
        pk = PersonKeys(person)
        async with redis.pipeline(transaction=False) as pipe:
            if rng.random() < SHARING:
                pipe.hset(pk.profile, mapping=codec.profile_to_hash(
                    Profile(person, share_with_managers=True)))
                pipe.sadd(keys.sharing, user)
            else:
                pipe.hset(pk.profile, mapping=codec.profile_to_hash(Profile(person)))
            pipe.hset(pk.profile, "enrolled", "1")  # told, so counted in the team's figures
            years: set[int] = set()
            for day_offset in range(WEEKS * 7):
                day = start + timedelta(days=day_offset)
                if day.weekday() >= 5:
                    continue
                week = week_of(day)
                if rng.random() < 0.35:  # a promise made that day, the raw record of it
                    number = day_offset
                    kept = rng.random() < 0.8
                    commitment = Commitment(
                        owner=person, number=number, what="x" * 40,
                        created_at=datetime.combine(day, datetime.min.time(), UTC),
                        due=datetime.combine(day, datetime.min.time(), UTC) + timedelta(days=2),
                        status=CommitmentStatus.KEPT_ON_TIME if kept else CommitmentStatus.DROPPED,
                        closed_at=datetime.combine(day, datetime.min.time(), UTC))
                    pipe.hset(pk.promises, str(number), codec.commitment_to_json(commitment))
                    pipe.hincrby(keys.team_week(team.team_id, week), "promises_made", 1)
                    pipe.hincrby(keys.team_week(team.team_id, week),
                                 "kept_on_time" if kept else "dropped", 1)
                    if kept:
                        year, bit = bit_index(day)
                        years.add(year)
                        pipe.setbit(pk.habit(Habit.KEEP, year), bit, 1)
                        pipe.sadd(keys.team_active(team.team_id, week, Habit.KEEP), user)
                if rng.random() < 0.1:
                    receiver = users[rng.randrange(MEMBERS)]
                    pipe.rpush(pk.kudos_given, json.dumps({
                        "giver": ["slack", WS.workspace, user],
                        "receiver": ["slack", WS.workspace, receiver], "reason": "y" * 60,
                        "at": datetime.combine(day, datetime.min.time(), UTC).isoformat(),
                        "junior": receiver in team.juniors, "channel": "C1"}))
                    pipe.hincrby(keys.team_week(team.team_id, week), "kudos", 1)
                    if receiver in team.juniors:
                        pipe.hincrby(keys.team_week(team.team_id, week), "kudos_junior", 1)
                    year, bit = bit_index(day)
                    years.add(year)
                    pipe.setbit(pk.habit(Habit.RECOGNISE, year), bit, 1)
                    pipe.sadd(keys.team_active(team.team_id, week, Habit.RECOGNISE), user)
            if years:
                pipe.sadd(pk.habit_years, *map(str, years))
            await pipe.execute()
        if index % 200 == 0:
            print(f"  populated {index}/{MEMBERS} members", file=sys.stderr)
    return team


async def summary_text(ports: Ports, team_id: str) -> list[str]:
    """The team's summary as its manager gets it, read through `ports`."""
    team = await ports.teams.get(WS, team_id)
    assert team is not None
    viewer = Profile(PersonRef("slack", WS.workspace, "UBOSS"), tz="Europe/London")
    return [s.text for s in await summary_sections(ports, team, viewer, NOW)]


async def rapport_summary(redis: CountingRedis, team_id: str) -> list[str]:
    return await summary_text(redis_ports(redis), team_id)


class RawFigures:
    """`Ports.figures` without aggregates: a team's weeks added up from every member's raw
    records, all read in one pipeline (promises, kudos given, one bitmap per habit and year)."""

    def __init__(self, redis: CountingRedis) -> None:
        self.redis = redis

    async def weeks(self, team: Team, weeks: Sequence[str]) -> list[WeekFigures]:
        days = {week: [date.fromisocalendar(int(week[:4]), int(week[6:]), d) for d in range(1, 8)]
                for week in weeks}
        years = sorted({day.year for week_days in days.values() for day in week_days})
        habits = list(Habit)
        members = sorted(team.members)
        async with self.redis.pipeline(transaction=False) as pipe:
            for user in members:
                pk = PersonKeys(team.person(user))
                pipe.hgetall(pk.promises)
                pipe.lrange(pk.kudos_given, 0, -1)
                for habit in habits:
                    for year in years:
                        pipe.get(pk.habit(habit, year))
            raw = await pipe.execute()
        counts: dict[str, Counter[str]] = {week: Counter() for week in weeks}
        active: dict[str, Counter[Habit]] = {week: Counter() for week in weeks}
        stride = 2 + len(habits) * len(years)
        for index in range(len(members)):
            promises, kudos, *bitmaps = raw[index * stride:(index + 1) * stride]
            for doc in promises.values():
                data = json.loads(doc)
                made = week_of(date.fromisoformat(data["created"][:10]))
                if made in counts:
                    counts[made]["promises_made"] += 1
                if data["closed"]:
                    closed = week_of(date.fromisoformat(data["closed"][:10]))
                    if closed in counts:
                        counts[closed][data["status"]] += 1
            for doc in kudos:
                data = json.loads(doc)
                week = week_of(date.fromisoformat(data["at"][:10]))
                if week in counts:
                    counts[week]["kudos"] += 1
                    counts[week]["kudos_junior"] += bool(data["junior"])
            for h, habit in enumerate(habits):
                by_year = dict(zip(years, bitmaps[h * len(years):(h + 1) * len(years)], strict=True))
                for week, week_days in days.items():
                    if any(_bit(by_year[day.year], bit_index(day)[1]) for day in week_days):
                        active[week][habit] += 1
        return [WeekFigures(week, {k: v for k, v in counts[week].items() if v},
                            dict(active[week])) for week in weeks]


def _bit(bitmap: bytes | None, offset: int) -> bool:
    """Redis's GETBIT on a bitmap read whole: bit 0 is the high bit of the first byte."""
    return bitmap is not None and offset >> 3 < len(bitmap) and bool(
        bitmap[offset >> 3] & (0x80 >> (offset & 7)))


async def naive_summary(redis: CountingRedis, team_id: str) -> list[str]:
    """The same summary as rapport_summary, its figures from raw records (RawFigures)."""
    return await summary_text(dataclasses.replace(redis_ports(redis), figures=RawFigures(redis)),
                              team_id)


async def main() -> None:
    with redis_server() as url:
        redis = CountingRedis.from_url(url)
        print(f"populating one year for {MEMBERS} members...", file=sys.stderr)
        team = await populate(redis)
        redis.round_trips = 0
        sections = await rapport_summary(redis, team.team_id)
        ours_trips = redis.round_trips
        redis.round_trips = 0
        naive_sections = await naive_summary(redis, team.team_id)
        naive_trips = redis.round_trips
        if naive_sections != sections:
            raise SystemExit("the baseline's summary differs from Rapport's:\n"
                             + "\n".join(sections) + "\n---\n" + "\n".join(naive_sections))
        ours = await timed(lambda: rapport_summary(redis, team.team_id), 9)
        naive = await timed(lambda: naive_summary(redis, team.team_id), 5)
        memory = await redis.info("memory")
        await redis.aclose()
    print("\n".join(sections[:1]), file=sys.stderr)
    print(f"Team summary, {MEMBERS} members, {WEEKS} weeks of data, {SHARING:.0%} sharing names "
          f"({machine()})")
    print("Command: .venv/bin/python -m bench.team_summary")
    print()
    print("Both ways print the same summary (checked before timing): the same 12 weeks of "
          "promises, kudos and activity per habit, through the same privacy rules "
          "(bot.team_summary).")
    print()
    print("| way | Redis round trips | median time | ratio to Rapport |")
    print("|---|---|---|---|")
    print(f"| Rapport: weekly aggregates kept as events happen | {ours_trips} | "
          f"{ours * 1000:.1f} ms | 1.0 |")
    print(f"| baseline: every member's raw records, one pipeline | {naive_trips} | "
          f"{naive * 1000:.1f} ms | {naive / ours:.1f}× slower |")
    print(f"\nRedis used {memory['used_memory_human']} for the data set.")
    record("team_summary", members=MEMBERS, rapport_ms=ours * 1000, baseline_ms=naive * 1000,
           redis_bytes_per_member=int(memory["used_memory"]) / MEMBERS)


if __name__ == "__main__":
    asyncio.run(main())
