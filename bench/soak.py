"""A bounded soak: the real `rapport serve` under steady signed Slack traffic for a while.

    .venv/bin/python -m bench.soak [--minutes 10] [--rate 50] [--redis-url URL] [--every 30]

Runs the server as a subprocess (embedded Redis in a temporary folder unless `--redis-url` is
given; the in-process tick on), a local fake Slack Web API in this process, and sends signed
requests at a steady rate, open loop: 80 % chatter, 10 % promises in chat (each gets a private
offer), 10 % slash commands (`/promise`, `/habits`, `/kept`), from 200 people in 20 workspaces.
Every `--every` seconds it samples the server's RSS (/proc/<pid>/status), its /metrics error
counters, the inbox backlog in Redis and the answers so far, then prints a markdown table and a
verdict:

- memory flat: after a warm-up (the first fifth of the run), the average RSS of the last third
  of the samples is within 10 % of the first third's;
- no error: every request got a 2xx, and no error counter (`rapport_events_failed_total`,
  `rapport_redis_errors_total`, failed sends) grew, and nothing went to the dead letters;
- everything acknowledged was processed (the inbox backlog ends at 0) and SIGTERM at the end
  exits 0.

Exit status 0 when the verdict is good. Not part of `make test` or `make bench`: it takes as
long as you ask.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from redis.asyncio import Redis

from adapters.redis.connection import client_for
from adapters.redis.embedded import EmbeddedRedis
from adapters.redis.keys import WorkspaceKeys
from adapters.slack import ids

SECRET = "soak-signing-secret-not-real"
TOKEN = "xoxb-soak-not-a-real-token"
WORKSPACES = [f"T{i:02d}" for i in range(20)]
PEOPLE_PER_WORKSPACE = 10
CHATTER = ["morning all", "the build is green again", "can someone look at the flaky test?",
           "lunch at 12?", "merged, thanks", "the dashboard looks off today", "ok sounds good",
           "who owns the billing service these days?", "deploy is done"]
PROMISES = ["I'll send the deck to <@U01> by Friday", "I will review your PR tomorrow",
            "I'll fix the login bug by end of day", "I'll write up the notes by Thursday"]
COMMANDS = [("/promise", "send the figures by Friday"), ("/habits", ""), ("/kept", "")]
RAPPORT = str(Path(sys.executable).with_name("rapport"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sign(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body,
                      hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


# -- the fake Slack Web API ------------------------------------------------------------------

@dataclass
class FakeApi:
    calls: Counter[str] = field(default_factory=Counter)
    runner: web.AppRunner | None = None
    base: str = ""

    async def start(self) -> None:
        async def method(request: web.Request) -> web.Response:
            name = request.match_info["method"]
            self.calls[name] += 1
            if name == "auth.test":
                return web.json_response({"ok": True, "user_id": "UBOT", "bot_id": "BBOT",
                                          "team_id": WORKSPACES[0]})
            if name == "users.info":
                form = {**request.query, **(await request.post())}
                user = str(form.get("user", "U"))
                return web.json_response({"ok": True, "user": {
                    "id": user, "name": user.lower(), "tz": "Europe/London"}})
            if name == "conversations.open":
                return web.json_response({"ok": True, "channel": {"id": "DSOAK"}})
            if name == "conversations.history":
                return web.json_response({"ok": True, "messages": []})
            return web.json_response({"ok": True, "ts": "1.1", "message_ts": "1.1",
                                      "channel": "C1"})

        async def response_url(request: web.Request) -> web.Response:
            await request.read()
            self.calls["response_url"] += 1
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_route("*", "/api/{method}", method)
        app.router.add_post("/response/{name}", response_url)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


# -- the load --------------------------------------------------------------------------------

@dataclass
class Load:
    url: str
    api: FakeApi
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    def next_request(self) -> tuple[bytes, str]:
        self.sent += 1
        workspace = self.rng.choice(WORKSPACES)
        user = f"U{self.rng.randrange(PEOPLE_PER_WORKSPACE):02d}"
        roll = self.rng.random()
        if roll < 0.1:
            command, text = self.rng.choice(COMMANDS)
            form = {"token": "legacy", "team_id": workspace, "channel_id": "C1",
                    "user_id": user, "command": command, "text": text, "api_app_id": "A1",
                    "response_url": f"{self.api.base}/response/{self.sent}",
                    "trigger_id": f"trigger-{self.sent}"}
            return urlencode(form).encode(), "application/x-www-form-urlencoded"
        text = self.rng.choice(PROMISES) if roll < 0.2 else self.rng.choice(CHATTER)
        body = {"token": "legacy", "team_id": workspace, "api_app_id": "A1",
                "type": "event_callback", "event_id": f"EvSoak{self.sent}",
                "event_time": int(time.time()),
                "event": {"type": "message", "user": user, "text": text, "channel": "C1",
                          "ts": f"{time.time():.6f}", "channel_type": "channel"},
                "authorizations": [{"team_id": workspace, "user_id": "UBOT", "is_bot": True}]}
        return json.dumps(body).encode(), "application/json"

    async def one(self, session: aiohttp.ClientSession) -> None:
        body, content_type = self.next_request()
        started = time.perf_counter()
        try:
            async with session.post(self.url, data=body, headers={
                    "Content-Type": content_type, **sign(body)}) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        self.latencies.append(time.perf_counter() - started)
        self.statuses[status] += 1

    async def run(self, session: aiohttp.ClientSession, rate: float, until: float) -> None:
        """Open loop: a request every 1/rate seconds, whatever the answers take."""
        pending: set[asyncio.Task[None]] = set()
        loop = asyncio.get_running_loop()
        start = loop.time()
        n = 0
        while loop.time() < until:
            n += 1
            task = asyncio.create_task(self.one(session))
            pending.add(task)
            task.add_done_callback(pending.discard)
            await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
        if pending:
            await asyncio.wait(pending, timeout=30)


# -- sampling --------------------------------------------------------------------------------

@dataclass
class Sample:
    minute: float
    rss_mib: float
    sent: int
    non_2xx: int
    p99_ms: float
    backlog: int
    processed: int
    events_failed: float
    redis_errors: float
    sends_failed: float
    dead: int


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def counter(metrics: str, name: str, label: str | None = None) -> float:
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith(name) and not line.startswith("#") and (label is None or label in line):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def inbox_figures(redis: Redis) -> tuple[int, int, int]:
    backlog = processed = dead = 0
    for workspace in WORKSPACES:
        backlog += await redis.xlen(ids.inbox_key(workspace))
        dead += await redis.xlen(ids.dead_letters_key(workspace))
        stats = await redis.hgetall(WorkspaceKeys(ids.workspace_ref(workspace)).stats)
        processed += sum(int(v) for k, v in stats.items() if k.startswith(b"slack_"))
    return backlog, processed, dead


async def sample(session: aiohttp.ClientSession, base: str, pid: int, redis: Redis,
                 load: Load, started: float) -> Sample:
    async with session.get(f"{base}/metrics") as response:
        metrics = await response.text()
    latencies, load.latencies = load.latencies, []
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) >= 100 else 0.0
    backlog, processed, dead = await inbox_figures(redis)
    return Sample(
        minute=(time.monotonic() - started) / 60, rss_mib=rss_mib(pid), sent=load.sent,
        non_2xx=sum(n for status, n in load.statuses.items() if not 200 <= status < 300),
        p99_ms=p99, backlog=backlog, processed=processed,
        events_failed=counter(metrics, "rapport_events_failed_total{"),
        redis_errors=counter(metrics, "rapport_redis_errors_total{"),
        sends_failed=counter(metrics, "rapport_sends_total{", 'outcome="failed"'), dead=dead)


def table(samples: list[Sample]) -> str:
    lines = ["| minute | RSS MiB | requests sent | non-2xx | ack p99 ms | processed | inbox "
             "backlog | events failed | Redis errors | sends failed | dead letters |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in samples:
        lines.append(f"| {s.minute:.1f} | {s.rss_mib:.1f} | {s.sent} | {s.non_2xx} | "
                     f"{s.p99_ms:.1f} | {s.processed} | {s.backlog} | {s.events_failed:.0f} | "
                     f"{s.redis_errors:.0f} | {s.sends_failed:.0f} | {s.dead} |")
    return "\n".join(lines)


def verdict(samples: list[Sample], exit_code: int | None, final_backlog: int) -> tuple[bool, str]:
    after_warmup = samples[max(1, len(samples) // 5):]
    third = max(1, len(after_warmup) // 3)
    first = statistics.mean(s.rss_mib for s in after_warmup[:third])
    last = statistics.mean(s.rss_mib for s in after_warmup[-third:])
    growth = (last - first) / first
    flat = growth <= 0.10
    base, end = after_warmup[0], samples[-1]
    errors = {"non-2xx answers": end.non_2xx,
              "events failed": end.events_failed - base.events_failed,
              "Redis errors": end.redis_errors - base.redis_errors,
              "failed sends": end.sends_failed - base.sends_failed,
              "dead letters": end.dead}
    clean = not any(errors.values())
    drained = final_backlog == 0 and exit_code == 0
    ok = flat and clean and drained
    text = [f"**Verdict: {'PASS' if ok else 'FAIL'}.**",
            f"- memory {'flat' if flat else 'GREW'}: RSS {first:.1f} MiB (first third after "
            f"warm-up) -> {last:.1f} MiB (last third), {growth:+.1%} (limit +10 %)",
            "- errors: " + ("none" if clean else ", ".join(f"{k} {v:g}" for k, v in
                                                       errors.items() if v)),
            f"- shutdown: SIGTERM -> exit {exit_code}, inbox backlog {final_backlog}"]
    return ok, "\n".join(text)


async def soak(minutes: float, rate: float, every: float, redis_url: str) -> int:
    api = FakeApi()
    await api.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "REDIS_", "RAPPORT_")) and k != "PORT"}
    env.update(PORT=str(port), REDIS_URL=redis_url, SLACK_BOT_TOKEN=TOKEN,
               SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=f"{api.base}/api/",
               RAPPORT_LOG_LEVEL="WARNING")
    with tempfile.TemporaryDirectory(prefix="rapport-soak-") as folder:
        log_path = Path(folder) / "serve.log"
        with log_path.open("wb") as log:
            server = await asyncio.create_subprocess_exec(RAPPORT, "serve", cwd=folder, env=env,
                                                          stdout=log, stderr=log)
        redis = client_for(redis_url)
        samples: list[Sample] = []
        try:
            async with aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=10),
                    connector=aiohttp.TCPConnector(limit=200)) as session:
                for _ in range(300):
                    try:
                        async with session.get(f"{base}/readyz") as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
                else:
                    raise SystemExit("the server never became ready:\n" + log_path.read_text())
                load = Load(f"{base}/slack/events", api)
                loop = asyncio.get_running_loop()
                started = time.monotonic()
                until = loop.time() + minutes * 60
                sender = asyncio.create_task(load.run(session, rate, until))
                samples.append(await sample(session, base, server.pid, redis, load, started))
                while not sender.done():
                    await asyncio.wait({sender}, timeout=every)
                    samples.append(await sample(session, base, server.pid, redis, load,
                                                started))
                    print(table(samples[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
                for _ in range(100):  # let the last accepted deliveries be processed
                    if (await inbox_figures(redis))[0] == 0:
                        break
                    await asyncio.sleep(0.1)
                samples.append(await sample(session, base, server.pid, redis, load, started))
            server.send_signal(signal.SIGTERM)
            exit_code: int | None = await asyncio.wait_for(server.wait(), 30)
            final_backlog = (await inbox_figures(redis))[0]
        finally:
            if server.returncode is None:
                server.kill()
                await server.wait()
            await redis.aclose()
            await api.stop()
    ok, text = verdict(samples, exit_code, final_backlog)
    print(f"Soak: `.venv/bin/python -m bench.soak --minutes {minutes:g} --rate {rate:g}`, "
          f"{load.sent} signed requests at {rate:g}/s for {minutes:g} min "
          f"(answers: {dict(sorted(load.statuses.items()))}); Slack Web API calls made: "
          f"{dict(api.calls.most_common())}.\n")
    print(table(samples))
    print()
    print(text)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=50.0, help="requests a second")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--redis-url", help="a Redis to use (default: an embedded one)")
    args = parser.parse_args()
    if args.redis_url:
        return asyncio.run(soak(args.minutes, args.rate, args.every, args.redis_url))
    with tempfile.TemporaryDirectory(prefix="rapport-soak-redis-") as folder:
        server = EmbeddedRedis(Path(folder), fsync="everysec").start()
        try:
            return asyncio.run(soak(args.minutes, args.rate, args.every, server.url))
        finally:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
