"""Benchmark: Redis memory per person-year of habit data, Rapport's bitmaps against a naive
layout (a set of ISO date strings per habit), measured with MEMORY USAGE on a real Redis.

    .venv/bin/python -m bench.memory [people]
"""

from __future__ import annotations

import asyncio
import random
import sys
from datetime import date, timedelta

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.keys import PersonKeys, person_key
from bench.figures import record
from bench.support import machine, redis_server
from habits.people import PersonRef, Profile
from habits.streaks import Habit, bit_index

YEAR = 2026
RATES = {Habit.KEEP: 0.45, Habit.FOLLOW_UP: 0.15, Habit.RECOGNISE: 0.3,
         Habit.RECOGNISE_JUNIOR: 0.1, Habit.HAND_OVER: 0.08, Habit.HELP: 0.06,
         Habit.STAY_IN_TOUCH: 0.04, Habit.PREPARE_REFLECT: 0.02}  # a debrief or two a month


def year_of_activity(rng: random.Random) -> dict[Habit, list[date]]:
    days = [date(YEAR, 1, 1) + timedelta(days=i) for i in range(365)]
    working = [d for d in days if d.weekday() < 5]
    return {habit: [d for d in working if rng.random() < rate] for habit, rate in RATES.items()}


async def measure(redis: Redis, keys: list[str]) -> int:
    total = 0
    for start in range(0, len(keys), 1000):
        async with redis.pipeline(transaction=False) as pipe:
            for key in keys[start:start + 1000]:
                pipe.memory_usage(key, samples=0)
            total += sum(v or 0 for v in await pipe.execute())
    return total


async def main(people: int) -> None:
    rng = random.Random(11)
    with redis_server() as url:
        redis = Redis.from_url(url)
        ours: list[str] = []
        profile_keys: list[str] = []
        naive: list[str] = []
        for index in range(people):
            person = PersonRef("slack", "TMEM", f"U{index:06d}")
            keys = PersonKeys(person)
            activity = year_of_activity(rng)
            async with redis.pipeline(transaction=False) as pipe:
                for habit, days in activity.items():
                    for day in days:
                        pipe.setbit(keys.habit(habit, YEAR), bit_index(day)[1], 1)
                        pipe.sadd(person_key(person, "naive", habit.value), day.isoformat())
                    ours.append(keys.habit(habit, YEAR))
                    naive.append(person_key(person, "naive", habit.value))
                lapse = rng.randrange(260)
                pipe.setbit(keys.lapses(YEAR), lapse, 1)
                pipe.sadd(person_key(person, "naive", "lapse"), f"{YEAR}-03-0{1 + lapse % 9}")
                pipe.sadd(keys.habit_years, str(YEAR))
                pipe.hset(keys.profile, mapping=codec.profile_to_hash(
                    Profile(person, display_name=f"Person {index}", tz="Europe/Berlin")))
                await pipe.execute()
            ours += [keys.lapses(YEAR), keys.habit_years]
            naive.append(person_key(person, "naive", "lapse"))
            profile_keys.append(keys.profile)
        ours_bytes = await measure(redis, ours)
        naive_bytes = await measure(redis, naive)
        profile_bytes = await measure(redis, profile_keys)
        await redis.aclose()
    per_ours, per_naive = ours_bytes / people, naive_bytes / people
    per_profile = profile_bytes / people
    print(f"Redis memory per person-year, {people:,} people, a year of synthetic activity "
          f"({machine()})")
    print("Command: .venv/bin/python -m bench.memory")
    print()
    print("| layout | bytes per person-year | ratio to Rapport |")
    print("|---|---|---|")
    print(f"| Rapport: one bitmap per habit per year, plus lapses and years | {per_ours:,.0f} | 1.0 |")
    print(f"| naive: a set of ISO date strings per habit | {per_naive:,.0f} | "
          f"{per_naive / per_ours:.1f}× more |")
    print(f"| Rapport habit data + the profile hash | {per_ours + per_profile:,.0f} | |")
    record("memory", habit_bytes_per_person_year=per_ours,
           person_bytes_per_year=per_ours + per_profile)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
