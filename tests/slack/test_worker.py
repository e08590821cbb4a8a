"""`rapport slack-worker`: `serve` with SLACK_PROCESS_INBOX=false only accepts and acks; the
workers process, however they hear of the work (a wake-up, or their sweep)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable

import pytest
from fake_slack import FakeSlack
from redis.asyncio import Redis
from slack_harness import (
    FAST,
    SlackDriver,
    running_slack,
    slack_platform,
    slack_runtime,
    slack_settings,
)

from adapters.bootstrap import Runtime
from adapters.cli.main import main
from adapters.slack import SlackOptions, ids
from adapters.slack.worker import work
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports

PROMISE = "I'll send the release notes to <@U2> by Friday"


@pytest.fixture
async def web_only(api: FakeSlack, redis: Redis, ports: Ports, clock: FixedClock,
                   core: Rapport) -> AsyncIterator[SlackDriver]:
    async with running_slack(worker_runtime(api, redis, ports, core, clock), api, clock) as driver:
        yield driver


def worker_runtime(api: FakeSlack, redis: Redis, ports: Ports, core: Rapport,
                   clock: FixedClock, options: SlackOptions = FAST) -> Runtime:
    return slack_runtime(slack_settings(api, slack_process_inbox=False), redis, ports, core,
                         clock, options)


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_serve_only_accepts_and_a_worker_processes(
        web_only: SlackDriver, api: FakeSlack, redis: Redis, ports: Ports, core: Rapport,
        clock: FixedClock) -> None:
    stop = asyncio.Event()
    no_sweep = SlackOptions(recover_every=3600, min_idle_ms=400, pacing_scale=1000.0)
    worker = asyncio.create_task(work(slack_platform(worker_runtime(api, redis, ports, core,
                                                                 clock, no_sweep)),
                                      stop))  # so only the wake-ups bring it work
    try:
        await asyncio.sleep(0.2)  # listening
        assert (await web_only.message(PROMISE)).status == 200
        assert (await web_only.message("lunch at 12?")).status == 200
        await until(lambda: bool(api.called("chat.postEphemeral")))
        (offer,) = api.called("chat.postEphemeral")
        assert offer.args["user"] == "U1" and "release notes" in offer.all_text()
        stream = ids.inbox_key("T1")
        async with asyncio.timeout(10):
            while await redis.xlen(stream):  # noqa: ASYNC110 (both settled: acked, removed)
                await asyncio.sleep(0.01)
        stats = await redis.hget("rp:{w:slack:T1}:stats", "slack_events")
        assert int(stats or 0) == 2
    finally:
        stop.set()
        await worker
    assert worker.done() and worker.exception() is None


async def test_serve_alone_leaves_the_work_to_the_workers(
        web_only: SlackDriver, api: FakeSlack, redis: Redis, ports: Ports, core: Rapport,
        clock: FixedClock) -> None:
    # Accepted while no worker was running: the worker that starts later finds it.
    assert (await web_only.message(PROMISE)).status == 200
    await asyncio.sleep(0.3)
    assert api.called("chat.postEphemeral") == []
    assert await redis.xlen(ids.inbox_key("T1")) == 1
    stop = asyncio.Event()
    worker = asyncio.create_task(work(slack_platform(worker_runtime(api, redis, ports, core, clock)), stop))
    try:
        await until(lambda: bool(api.called("chat.postEphemeral")))
    finally:
        stop.set()
        await worker
    assert len(api.called("chat.postEphemeral")) == 1


async def test_two_workers_process_each_delivery_once(
        web_only: SlackDriver, api: FakeSlack, redis: Redis, ports: Ports, core: Rapport,
        clock: FixedClock) -> None:
    stop = asyncio.Event()
    workers = [asyncio.create_task(work(slack_platform(worker_runtime(api, redis, ports, core, clock)),
                                        stop)) for _ in range(2)]
    try:
        await asyncio.sleep(0.2)
        for n in range(20):
            assert (await web_only.message(f"I'll send report {n} by Friday",
                                           user=f"U{n % 5}")).status == 200
        await until(lambda: len(api.called("chat.postEphemeral")) >= 20)
        await asyncio.sleep(0.3)  # nothing more arrives
    finally:
        stop.set()
        await asyncio.gather(*workers)
    offers = api.called("chat.postEphemeral")
    assert sorted(json.dumps(o.all_text()) for o in offers) == sorted(
        {json.dumps(o.all_text()) for o in offers})
    assert len(offers) == 20


def test_slack_worker_without_slack_settings_says_what_it_needs(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
                 "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["slack-worker"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


async def test_starting_with_a_bot_token_in_the_environment_warns_of_nothing(
        api: FakeSlack, redis: Redis, ports: Ports, core: Rapport, clock: FixedClock,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")  # bolt reads it too
    stop = asyncio.Event()
    stop.set()
    with caplog.at_level(logging.INFO):
        await work(slack_platform(worker_runtime(api, redis, ports, core, clock)), stop)
    assert "stopped" in caplog.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
