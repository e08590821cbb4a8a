"""Benchmark: the daily nudge fan-out. 100,000 people across 24 time zones on a real Redis, a
local HTTP server playing the Slack Web API, and ticks planning and sending every nudge.

    .venv/bin/python -m bench.nudge_fanout [people]

1. one tick process: wall time, Redis commands per nudge, duplicates and misses;
2. three tick processes at once on the same work: zero duplicates, zero misses;
3. the API enforcing a rate limit with 429s: achieved send rate against the allowed rate.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from redis.asyncio import Redis

from adapters import eventloop
from adapters.redis import codec
from adapters.redis.due import _member
from adapters.redis.keys import DueKeys, PersonKeys, WorkspaceKeys, due_shard
from adapters.redis.store import redis_ports
from adapters.slack.client import Pacer, SlackClients
from adapters.slack.messenger import SlackMessenger
from bench.support import machine, redis_server
from bot.nudges import DAILY, SUBJECT
from bot.tick import Ticker
from habits.people import PersonRef, Profile

TICK_AT = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)  # a Tuesday; no zone crosses midnight
ZONES = [f"Etc/GMT{'+' if h > 0 else '-' if h < 0 else ''}{abs(h) if h else ''}"
         for h in range(-12, 12)]  # UTC+12 … UTC-11 (Etc/ names have inverted signs)
WORKSPACES = 100
LIMITED_PEOPLE = 6000
ALLOWED_RATE = 300.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def people(count: int) -> list[tuple[PersonRef, str]]:
    return [(PersonRef("slack", f"T{i % WORKSPACES:04d}", f"U{i:06d}"), ZONES[i % len(ZONES)])
            for i in range(count)]


async def populate(url: str, count: int, due: datetime) -> None:
    """Profiles and due daily nudges for `count` people, written the way Rapport writes them."""
    redis = Redis.from_url(url)
    await redis.flushall()
    everyone = people(count)
    for start in range(0, count, 2000):
        async with redis.pipeline(transaction=False) as pipe:
            for person, zone in everyone[start:start + 2000]:
                from zoneinfo import ZoneInfo

                local = due.astimezone(ZoneInfo(zone))
                profile = Profile(person, tz=zone, nudge_time=clock_time(local.hour, local.minute),
                                  since=local.date() - timedelta(days=30))
                pipe.hset(PersonKeys(person).profile, mapping=codec.profile_to_hash(profile))
                pipe.sadd(WorkspaceKeys(person.workspace_ref).people, person.user)
                pipe.zadd(DueKeys(due_shard(person)).jobs,
                          {_member(DAILY, person, SUBJECT): due.timestamp()})
            await pipe.execute()
    await redis.aclose()


async def commands(url: str) -> int:
    redis = Redis.from_url(url)
    stats = await redis.info("commandstats")
    await redis.aclose()
    return sum(int(v["calls"]) for k, v in stats.items() if k.startswith("cmdstat_")
               and k not in ("cmdstat_info",))


async def worker(url: str, api: str, now_text: str, until_idle: float) -> dict[str, Any]:
    """One tick process. With `until_idle` > 0, keeps ticking in real time (retries included)
    until a tick finds nothing to do for that many seconds."""
    redis = Redis.from_url(url)
    ports = redis_ports(redis)

    async def token(workspace: str) -> str:
        return "xoxb-bench-fake"

    clients = SlackClients(api, token, pacer=Pacer(scale=1e6))  # pacing measured in part 3
    ticker = Ticker(ports, {"slack": SlackMessenger(clients, redis=redis)}, concurrency=64)
    started_wall = time.perf_counter()
    start = datetime.fromisoformat(now_text)
    totals: dict[str, int] = {"claimed": 0, "sent": 0, "retried": 0, "gone": 0, "skipped": 0}
    idle_since = time.perf_counter()
    while True:
        now = start + timedelta(seconds=time.perf_counter() - started_wall)
        report = await ticker.tick(now)
        for name in totals:
            totals[name] += getattr(report, name)
        if report.claimed:
            idle_since = time.perf_counter()
        if until_idle <= 0 or time.perf_counter() - idle_since > until_idle:
            break
        await asyncio.sleep(0.05)
    wall = time.perf_counter() - started_wall
    await clients.close()
    await redis.aclose()
    return {"wall": wall, **totals}


def api_server(rate: float | None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    args = [sys.executable, "-m", "bench.fake_slack_api", str(port)] + ([str(rate)] if rate else [])
    process = subprocess.Popen(args, stdout=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.readline()
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    return process, f"http://127.0.0.1:{port}/api/"


def api_stats(api: str) -> dict[str, Any]:
    with urllib.request.urlopen(api.replace("/api/", "/stats"), timeout=30) as answer:
        return dict(json.load(answer))


def reset(api: str) -> None:
    request = urllib.request.Request(api.replace("/api/", "/reset"), method="POST")
    urllib.request.urlopen(request, timeout=10).close()


def spawn(url: str, api: str, until_idle: float = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bench.nudge_fanout", "worker", url, api,
                             TICK_AT.isoformat(), str(until_idle)], stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONHASHSEED": "0"})


def collect(process: subprocess.Popen[bytes]) -> dict[str, Any]:
    out, _ = process.communicate(timeout=900)
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


def check(stats: dict[str, Any], count: int) -> tuple[int, int]:
    posts: dict[str, int] = stats["posts"]
    duplicates = sum(n - 1 for n in posts.values() if n > 1)
    misses = count - len(posts)
    return duplicates, misses


async def main(count: int) -> None:
    due = TICK_AT - timedelta(minutes=1)
    rows = []
    with redis_server() as url:
        api_process, api = api_server(None)
        try:
            await populate(url, count, due)
            before = await commands(url)
            one = await asyncio.to_thread(collect, spawn(url, api))
            used = await commands(url) - before
            duplicates, misses = check(await asyncio.to_thread(api_stats, api), count)
            rows.append(("one tick process", one["wall"], one["sent"], duplicates, misses,
                         used / max(one["sent"], 1)))

            await asyncio.to_thread(reset, api)
            await populate(url, count, due)
            started = time.perf_counter()
            three = [spawn(url, api) for _ in range(3)]
            results = [await asyncio.to_thread(collect, p) for p in three]
            wall = time.perf_counter() - started
            duplicates, misses = check(await asyncio.to_thread(api_stats, api), count)
            rows.append(("three tick processes at once", wall, sum(r["sent"] for r in results),
                         duplicates, misses, None))
        finally:
            api_process.terminate()
            api_process.wait()

        api_process, api = api_server(ALLOWED_RATE)
        try:
            await populate(url, LIMITED_PEOPLE, due)
            limited = await asyncio.to_thread(collect, spawn(url, api, until_idle=3.0))
            stats = await asyncio.to_thread(api_stats, api)
            duplicates, misses = check(stats, LIMITED_PEOPLE)
            # The API's bucket starts full (one second's worth): those first posts go at once
            # and are not counted as part of the sustained rate.
            achieved = (len(stats["posts"]) - ALLOWED_RATE) / max(stats["last"] - stats["first"],
                                                                 1e-9)
        finally:
            api_process.terminate()
            api_process.wait()

    print(f"Nudge fan-out, {count:,} people across {len(ZONES)} time zones in {WORKSPACES} "
          f"workspaces ({machine()})")
    print("Command: .venv/bin/python -m bench.nudge_fanout")
    print()
    print("| run | wall time | nudges sent | duplicates | misses | Redis commands per nudge |")
    print("|---|---|---|---|---|---|")
    for name, wall, sent, dup, miss, per in rows:
        print(f"| {name} | {wall:.1f} s | {sent:,} | {dup} | {miss} | "
              f"{'' if per is None else f'{per:.1f}'} |")
    print()
    print(f"Rate-limited API ({ALLOWED_RATE:.0f} messages/s, 429 with Retry-After beyond), "
          f"{LIMITED_PEOPLE:,} people: achieved {achieved:.0f} messages/s = "
          f"{achieved / ALLOWED_RATE:.0%} of the allowed rate (sustained: the first second's "
          f"burst allowance not counted); {stats['limited']:,} requests "
          f"answered 429; {duplicates} duplicates, {misses} misses; "
          f"ticking until idle took {limited['wall']:.1f} s.")
    one_wall = rows[0][1]
    exact = all(dup == 0 and miss == 0 for _, _, _, dup, miss, _ in rows) and not (
        duplicates or misses)
    print(f"\nGoals: {count:,} nudges by one process in ≤ 60 s: "
          f"{'met' if one_wall <= 60 else 'NOT met'} ({one_wall:.1f} s); sustained rate ≥ 90 % "
          f"of the allowed rate: {'met' if achieved >= 0.9 * ALLOWED_RATE else 'NOT met'}; "
          f"zero duplicates and misses everywhere: {'met' if exact else 'NOT met'}.")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        result = eventloop.run(worker(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])))
        print(json.dumps(result))
    else:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
