"""SIGTERM while Slack traffic pours in: the real `rapport serve` finishes what it acknowledged,
says "stopping" on /readyz, exits 0 within the grace period, and loses nothing.

The server runs as a subprocess against the test Redis; a fake Slack Web API in this process
answers a little slowly (as the real one does under load), so that at SIGTERM there is work in
flight: deliveries accepted into the inbox and not yet processed.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from redis.asyncio import Redis

# tests/ is not a package: the Slack test helpers live beside the Slack tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))
from fake_slack import TEAM, FakeSlack
from slack_harness import SECRET, sign, slack_of, slack_runtime, slack_settings, start_app

from adapters.redis.keys import WorkspaceKeys
from adapters.slack import ids
from adapters.web.server import make_app
from bot.clock import FixedClock, SystemClock
from bot.core import Rapport
from bot.ports import Ports

RAPPORT = str(Path(sys.executable).with_name("rapport"))
USERS = [f"U{i:02d}" for i in range(12)]
PACE = 0.03  # seconds between requests of one sender: load the server can keep up with
GRACE = 30.0  # the server's own grace is 25 s (Kubernetes kills at 30)


class SlowSlack(FakeSlack):
    """The fake Web API, answering response_urls after a short wait."""

    delay: float = 0.02

    async def _response_url(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay)
        return await super()._response_url(request)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(port: int, redis_url: str, api: FakeSlack) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "REDIS_", "RAPPORT_")) and k != "PORT"}
    env.update(PORT=str(port), REDIS_URL=redis_url, SLACK_BOT_TOKEN="xoxb-fake-sigterm-token",
               SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=api.url, RAPPORT_TICK="off")
    return env


async def wait_ready(session: aiohttp.ClientSession, base: str, process: asyncio.subprocess.Process,
                     within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert process.returncode is None, "the server exited at start"
        try:
            async with session.get(f"{base}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the server never became ready")


def command_body(user: str, text: str, response: str) -> bytes:
    return urlencode({"token": "legacy", "team_id": TEAM, "team_domain": "acme",
                      "channel_id": "C1", "channel_name": "general", "user_id": user,
                      "user_name": user.lower(), "command": "/promise", "text": text,
                      "api_app_id": "A1", "response_url": response,
                      "trigger_id": f"trigger-{response}"}).encode()


def event_body(user: str, event_id: str, text: str) -> bytes:
    return json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A1",
                       "type": "event_callback", "event_id": event_id,
                       "event_time": int(time.time()),
                       "event": {"type": "message", "user": user, "text": text, "channel": "C1",
                                 "ts": f"{time.time():.6f}", "channel_type": "channel"},
                       "authorizations": [{"team_id": TEAM, "user_id": "UBOT",
                                           "is_bot": True}]}).encode()


async def test_sigterm_during_load_finishes_in_flight_work_and_loses_nothing(
        redis: Redis, redis_url: str, ports: Ports, tmp_path: Path) -> None:
    api = SlowSlack()
    await api.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_file = (tmp_path / "serve.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        RAPPORT, "serve", cwd=tmp_path, env=server_env(port, redis_url, api), stdout=log_file,
        stderr=asyncio.subprocess.STDOUT)
    # What each request got: (kind, key) -> status, or 0 when the connection was refused.
    answers: dict[tuple[str, str], int] = {}
    before_sigterm: dict[tuple[str, str], int] = {}
    after_sigterm: list[int] = []
    readiness: list[tuple[int, str]] = []
    terminated = asyncio.Event()
    try:
        async with aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=10)) as session:
            await wait_ready(session, base, process)

            async def send(kind: str, key: str, body: bytes, content_type: str) -> bool:
                sent_after = terminated.is_set()
                try:
                    async with session.post(f"{base}/slack/events", data=body, headers={
                            "Content-Type": content_type, **sign(body)}) as response:
                        status = response.status
                        await response.read()
                except (aiohttp.ClientError, OSError):
                    status = 0
                answers[(kind, key)] = status
                if not sent_after:
                    before_sigterm[(kind, key)] = status
                else:
                    after_sigterm.append(status)
                return status != 0

            async def pour(user: str) -> None:
                n = 0
                while True:
                    n += 1
                    what = f"ship item {user}-{n}"
                    if not await send("command", what, command_body(
                            user, what, api.response_url(f"{user}-{n}")),
                            "application/x-www-form-urlencoded"):
                        return  # the server stopped listening
                    event_id = f"Ev{user}x{n}"
                    if not await send("event", event_id, event_body(
                            user, event_id, f"morning all, coffee number {n}?"),
                            "application/json"):
                        return
                    # After SIGTERM a trickle goes on (a load balancer takes a moment to notice).
                    await asyncio.sleep(PACE * 8 if terminated.is_set() else PACE)

            async def watch_readiness() -> None:
                await terminated.wait()
                while process.returncode is None:
                    try:
                        async with session.get(f"{base}/readyz") as response:
                            readiness.append((response.status, await response.text()))
                    except (aiohttp.ClientError, OSError):
                        return  # no longer listening
                    await asyncio.sleep(0.01)

            watcher = asyncio.create_task(watch_readiness())
            writers = [asyncio.create_task(pour(user)) for user in USERS]
            deadline = time.monotonic() + 30
            while sum(1 for s in answers.values() if s == 200) < 300:
                assert time.monotonic() < deadline, "the load never got going"
                await asyncio.sleep(0.01)
            backlog = await redis.xlen(ids.inbox_key(TEAM))
            process.send_signal(signal.SIGTERM)
            terminated.set()
            stopped_at = time.monotonic()
            await asyncio.wait_for(process.wait(), GRACE)
            took = time.monotonic() - stopped_at
            await asyncio.gather(*writers)
            await watcher
    except BaseException:
        await api.stop()
        raise
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        log_file.close()
    output = (tmp_path / "serve.log").read_text(errors="replace")
    assert process.returncode == 0, output[-3000:]
    assert took < GRACE
    assert backlog > 0, "SIGTERM must land while deliveries are still waiting to be processed"

    # While draining, readiness said so (the load balancer stops sending); then the port closed.
    # (the first probe may beat the signal's delivery; once stopping, never ready again)
    statuses = [status for status, _ in readiness]
    assert 503 in statuses and all(s == 503 for s in statuses[statuses.index(503):]), readiness
    assert any("stopping" in text for _, text in readiness)
    # Requests that came after SIGTERM: acknowledged, answered 503, or refused at the door.
    assert after_sigterm and set(after_sigterm) <= {200, 503, 0}, Counter(after_sigterm)
    assert 0 in after_sigterm  # the listener really closed

    acked = {key for key, status in answers.items() if status == 200}
    acked_before = {key for key, status in before_sigterm.items() if status == 200}
    # Everything acknowledged before SIGTERM was processed by the stopping process itself.
    tracked = await tracked_promises(ports)
    lost = sorted(w for kind, w in acked_before if kind == "command" and w not in tracked)
    assert not lost, f"{len(lost)} promises acknowledged before SIGTERM were not processed: {lost[:3]}"
    # What it acknowledged later and did not get to is still in the durable inbox...
    stats = await redis.hgetall(WorkspaceKeys(ids.workspace_ref(TEAM)).stats)
    processed = sum(int(stats.get(f, 0)) for f in (b"slack_events", b"slack_commands"))
    waiting = await redis.xlen(ids.inbox_key(TEAM))
    assert processed + waiting == len(acked), (processed, waiting, len(acked))

    # ...and the next replica (here in this process) processes it: nothing acknowledged is lost,
    # nothing is done twice.
    await next_replica_settles(api, redis, ports)
    stats = await redis.hgetall(WorkspaceKeys(ids.workspace_ref(TEAM)).stats)
    acked_commands = sorted(w for kind, w in acked if kind == "command")
    acked_events = [w for kind, w in acked if kind == "event"]
    assert int(stats.get(b"slack_events", 0)) == len(acked_events)
    assert int(stats.get(b"slack_commands", 0)) == len(acked_commands)
    tracked = await tracked_promises(ports)
    missing = [what for what in acked_commands if what not in tracked]
    assert not missing, f"{len(missing)} acknowledged promises were lost, e.g. {missing[:3]}"
    refused = {w for kind, w in answers if kind == "command"} - set(acked_commands)
    assert not refused & tracked, "a request answered with an error was half done"
    answered = Counter(call.args["name"] for call in api.called("response_url")
                       if "Tracking your promise" in call.all_text())
    wrong = [w for w in acked_commands if answered[w.removeprefix("ship item ")] != 1]
    assert not wrong, f"{len(wrong)} acknowledged commands were not answered exactly once"
    assert not await redis.exists(ids.dead_letters_key(TEAM))
    await api.stop()


async def tracked_promises(ports: Ports) -> set[str]:
    tracked: set[str] = set()
    for user in USERS:
        tracked |= {c.what for c in await ports.commitments.all_for(ids.person(TEAM, user))}
    return tracked


async def next_replica_settles(api: FakeSlack, redis: Redis, ports: Ports) -> None:
    """Another replica starts on the same Redis, sweeps the inbox and works it off."""
    clock = SystemClock()
    runtime = slack_runtime(slack_settings(api), redis, ports, Rapport(ports, clock), clock)
    app = make_app(runtime)
    runner, _ = await start_app(app)
    try:
        async with asyncio.timeout(30):
            while await redis.xlen(ids.inbox_key(TEAM)):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            await slack_of(runtime).settled()
    finally:
        await runner.cleanup()


async def test_a_delivery_arriving_while_draining_is_refused_for_a_live_replica(
        redis: Redis, redis_url: str, tmp_path: Path) -> None:
    api = SlowSlack()
    api.delay = 1.5  # one delivery in flight for a while: the drain lasts that long
    await api.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = await asyncio.create_subprocess_exec(
        RAPPORT, "serve", cwd=tmp_path, env=server_env(port, redis_url, api),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await wait_ready(session, base, process)

            async def promise(what: str) -> int:
                body = command_body("U01", what, api.response_url(what.replace(" ", "-")))
                async with session.post(f"{base}/slack/events", data=body, headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        **sign(body)}) as response:
                    return response.status

            assert await promise("first thing") == 200
            await asyncio.sleep(0.3)  # being processed: waiting for Slack's response_url
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(5):
                while True:
                    async with session.get(f"{base}/readyz") as response:
                        if "stopping" in await response.text():
                            break
                    await asyncio.sleep(0.01)
            assert process.returncode is None  # still draining the first delivery
            assert await promise("second thing") == 503  # Slack retries it elsewhere
    finally:
        if process.returncode is None:
            await asyncio.wait_for(process.wait(), GRACE)
        await api.stop()


async def test_a_slack_worker_process_does_what_serve_accepted_and_stops_cleanly(
        redis: Redis, redis_url: str, ports: Ports, tmp_path: Path, clock: FixedClock) -> None:
    # `serve` with SLACK_PROCESS_INBOX=false (here in process) only acknowledges; the real
    # `rapport slack-worker` command, in its own process, answers the commands. Both run at
    # the same moment, the worker through RAPPORT_NOW: a Tuesday, so "by Friday" is this week's.
    api = SlowSlack()
    await api.start()
    runtime = slack_runtime(slack_settings(api, slack_process_inbox=False), redis, ports,
                            Rapport(ports, clock), clock)
    app = make_app(runtime)
    runner, web_base = await start_app(app)
    port = free_port()
    log_file = (tmp_path / "worker.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        RAPPORT, "slack-worker", cwd=tmp_path,
        env={**server_env(port, redis_url, api), "SLACK_PROCESS_INBOX": "false",
             "RAPPORT_NOW": clock.now().isoformat()},
        stdout=log_file, stderr=asyncio.subprocess.STDOUT)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await wait_ready(session, f"http://127.0.0.1:{port}", process)
            for n in range(10):
                body = command_body(USERS[n], f"ship item {n} by Friday", api.response_url(f"w{n}"))
                async with session.post(f"{web_base}/slack/events", data=body, headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        **sign(body)}) as response:
                    assert response.status == 200
            deadline = time.monotonic() + 20
            while len(api.called("response_url")) < 10:
                assert time.monotonic() < deadline, "the worker never answered"
                await asyncio.sleep(0.02)
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200 and "rapport_" in await response.text()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), GRACE)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        log_file.close()
        await runner.cleanup()
        await api.stop()
    output = (tmp_path / "worker.log").read_text(errors="replace")
    assert process.returncode == 0, output[-3000:]
    answered = sorted(c.args["name"] for c in api.called("response_url"))
    assert answered == sorted(f"w{n}" for n in range(10))  # each once
    assert all("ship item" in c.all_text() for c in api.called("response_url"))
    friday = clock.now().date() + timedelta(days=(4 - clock.now().weekday()) % 7)
    assert all(f"{friday.day} {friday:%b}" in c.all_text() for c in api.called("response_url"))
    assert await redis.xlen(ids.inbox_key(TEAM)) == 0
