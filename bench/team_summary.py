"""Benchmark: a 1,000-person team's summary from one year of data.

Rapport's way (weekly aggregates kept as events happen, read in a few pipelines) against the
naive way (read every member's raw records and add them up), side by side on one real Redis.

    .venv/bin/python -m bench.team_summary
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.redis import codec
from adapters.redis.keys import PersonKeys, WorkspaceKeys
from adapters.redis.store import redis_ports
from bench.support import CountingRedis, machine, redis_server, timed
from bot.team_summary import summary_sections
from habits.commitments import Commitment, CommitmentStatus
from habits.people import PersonRef, Profile, WorkspaceRef
from habits.streaks import Habit, bit_index
from habits.summary import last_weeks, week_of
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


async def rapport_summary(redis: CountingRedis, team_id: str) -> list[str]:
    ports = redis_ports(redis)
    team = await ports.teams.get(WS, team_id)
    assert team is not None
    viewer = Profile(PersonRef("slack", WS.workspace, "UBOSS"), tz="Europe/London")
    sections = await summary_sections(ports, team, viewer, NOW)
    return [s.text for s in sections]


async def naive_summary(redis: CountingRedis, team_id: str) -> dict[str, Counter[str]]:
    """Reads every member's raw records and adds them up per week."""
    ports = redis_ports(redis)
    team = await ports.teams.get(WS, team_id)
    assert team is not None
    weeks = set(last_weeks(NOW.astimezone(ZoneInfo("Europe/London")).date(), 12))
    per_week: dict[str, Counter[str]] = {week: Counter() for week in weeks}
    for user in sorted(team.members):
        pk = PersonKeys(PersonRef("slack", WS.workspace, user))
        async with redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(pk.promises)
            pipe.lrange(pk.kudos_given, 0, -1)
            pipe.hgetall(pk.handovers)
            promises, kudos, _ = await pipe.execute()
        for raw in promises.values():
            data = json.loads(raw)
            week = week_of(date.fromisoformat(data["created"][:10]))
            if week in per_week:
                per_week[week]["promises_made"] += 1
                per_week[week][data["status"]] += 1
                per_week[week]["active_keep:" + user] = 1
        for raw in kudos:
            data = json.loads(raw)
            week = week_of(date.fromisoformat(data["at"][:10]))
            if week in per_week:
                per_week[week]["kudos"] += 1
    return per_week


async def main() -> None:
    with redis_server() as url:
        redis = CountingRedis.from_url(url)
        print(f"populating one year for {MEMBERS} members...", file=sys.stderr)
        team = await populate(redis)
        redis.round_trips = 0
        sections = await rapport_summary(redis, team.team_id)
        ours_trips = redis.round_trips
        redis.round_trips = 0
        await naive_summary(redis, team.team_id)
        naive_trips = redis.round_trips
        ours = await timed(lambda: rapport_summary(redis, team.team_id), 9)
        naive = await timed(lambda: naive_summary(redis, team.team_id), 3)
        memory = await redis.info("memory")
        await redis.aclose()
    print("\n".join(sections[:1]), file=sys.stderr)
    print(f"Team summary, {MEMBERS} members, {WEEKS} weeks of data, {SHARING:.0%} sharing names "
          f"({machine()})")
    print("Command: .venv/bin/python -m bench.team_summary")
    print()
    print("| way | Redis round trips | median time | ratio to Rapport |")
    print("|---|---|---|---|")
    print(f"| Rapport (weekly aggregates) | {ours_trips} | {ours * 1000:.1f} ms | 1.0 |")
    print(f"| naive (raw events per member) | {naive_trips} | {naive * 1000:.1f} ms | "
          f"{naive / ours:.1f}× slower |")
    print(f"\nRedis used {memory['used_memory_human']} for the data set.")


if __name__ == "__main__":
    asyncio.run(main())
