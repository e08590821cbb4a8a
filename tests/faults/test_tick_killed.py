"""A `rapport tick` process killed mid-fan-out: after recovery, nobody nudged twice or missed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from adapters.redis.keys import PersonKeys
from bot import nudges
from bot.ports import Ports
from habits.people import PersonRef, Profile

RAPPORT = str(Path(sys.executable).with_name("rapport"))
LONDON = ZoneInfo("Europe/London")
PEOPLE = 3000


def tick(redis_url: str, now: datetime) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env["REDIS_URL"] = redis_url
    return subprocess.Popen([RAPPORT, "tick", "--now", now.isoformat()], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


async def inbox_total(redis: Redis, people: list[PersonRef]) -> list[int]:
    async with redis.pipeline(transaction=False) as pipe:
        for person in people:
            pipe.llen(PersonKeys(person).inbox)
        return list(await pipe.execute())


async def test_a_killed_tick_is_recovered_with_no_duplicates_and_no_misses(
    ports: Ports, redis: Redis, redis_url: str,
) -> None:
    enrolled = datetime(2026, 11, 23, 7, tzinfo=LONDON)
    people = [PersonRef("console", "local", f"p{i:04d}") for i in range(PEOPLE)]
    for person in people:
        profile = Profile(person, tz="Europe/London", since=enrolled.date(), enrolled=True)
        await ports.people.save_profile(profile)
        await ports.people.enrol(person)
        await nudges.schedule(ports, profile, enrolled)
    moment = datetime(2026, 11, 23, 9, 31, tzinfo=LONDON)

    first = tick(redis_url, moment)
    for _ in range(600):
        if sum(await inbox_total(redis, people)) >= 200:
            break
        await asyncio.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    halfway = sum(await inbox_total(redis, people))
    assert 0 < halfway < PEOPLE, "the kill must land mid-fan-out"

    second = tick(redis_url, moment + timedelta(minutes=6))  # after the claim lease
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()[-2000:]
    counts = await inbox_total(redis, people)
    assert counts.count(1) == PEOPLE, {n: counts.count(n) for n in set(counts)}
