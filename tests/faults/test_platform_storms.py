"""The platform API in a storm of 429s and 5xx: the scheduler's nudges all go out in the end,
and nobody gets one twice.

The real Ticker with the real Slack and Teams messengers (production retry settings; only the
Slack pacer is widened, as in the other Slack tests) against fake platform APIs that refuse
about 60 % of calls at random (seeded): 429 with Retry-After 1, 500, 503. A FixedClock is
moved a minute between ticks, so the scheduler's retry delays cost no wall-clock time; the
in-process waits between retries (slack-sdk's retry handlers, Teams' `with_retries`) are scaled
down 100x, so every retry still happens, just sooner.
"""

from __future__ import annotations

import asyncio
import random
import sys
import types
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web
from redis.asyncio import Redis
from slack_sdk.http_retry import async_handler as slack_async_handler
from slack_sdk.http_retry import builtin_async_handlers as slack_builtin_handlers

# tests/ is not a package: the platform test helpers live beside the Slack and Teams tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "teams"))
from fake_connector import Failure as TeamsFailure
from fake_connector import FakeConnector
from fake_slack import Call, Failure, FakeSlack, conversation_of
from teams_harness import TENANT, TeamsDriver, start_app, teams_of

from adapters.bootstrap import Runtime, wire
from adapters.settings import Settings
from adapters.slack.client import Pacer, SlackClients
from adapters.slack.messenger import SlackMessenger
from adapters.teams import TeamsOptions
from adapters.teams.sending import with_retries
from adapters.web.server import make_app
from bot import nudges
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Messenger, Ports
from bot.tick import Ticker
from habits.people import PersonRef, Profile

LONDON = ZoneInfo("Europe/London")
ENROLLED = datetime(2026, 11, 22, 12, tzinfo=LONDON)    # a Sunday
MONDAY = datetime(2026, 11, 23, 9, 31, tzinfo=LONDON)   # just after the 09:30 nudge time
STORM = 0.6


class StormySlack(FakeSlack):
    """The fake Web API, refusing ~60 % of DM opens and posts; counts what really got posted."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        self.posted: Counter[str] = Counter()
        self.refused: Counter[int] = Counter()
        self.delivered: list[dict[str, object]] = []

    def _answer(self, method: str, args: dict[str, object]) -> dict[str, object]:
        if method == "chat.postMessage":
            self.posted[conversation_of(str(args.get("channel")))] += 1
            self.delivered.append(args)
        if method == "conversations.history":  # only what Slack really took, not refused calls
            return {"messages": [{"type": "message", **({"metadata": p["metadata"]}
                                                        if "metadata" in p else {})}
                                 for p in reversed(self.delivered)
                                 if conversation_of(str(p.get("channel"))) == args.get("channel")],
                    "has_more": False}
        return super()._answer(method, args)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method in {"chat.postMessage", "conversations.open"} and self.rng.random() < STORM:
            failure = self.rng.choice([Failure(429, "ratelimited", 1),
                                       Failure(500, "internal_error"),
                                       Failure(503, "service_unavailable")])
            self.refused[failure.status] += 1
            self.failures.setdefault(method, []).insert(0, failure)
        return await super()._api(request)


class StormyConnector(FakeConnector):
    """The fake Bot Framework connector, refusing ~60 % of sends."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        self.storm = False
        self.refused: Counter[int] = Counter()

    def _failure(self, kind: str) -> web.Response | None:
        if self.storm and kind in {"send", "create"} and self.rng.random() < STORM:
            failure = self.rng.choice([TeamsFailure(429, 1), TeamsFailure(500),
                                       TeamsFailure(503)])
            self.refused[failure.status] += 1
            self.failures.setdefault(kind, []).insert(0, failure)
        return super()._failure(kind)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / 100)

    fast = types.SimpleNamespace(sleep=sleep)
    monkeypatch.setattr(slack_async_handler, "asyncio", fast)
    monkeypatch.setattr(slack_builtin_handlers, "asyncio", fast)
    assert with_retries.__kwdefaults__ is not None
    monkeypatch.setitem(with_retries.__kwdefaults__, "sleep", sleep)


async def enrol(ports: Ports, people: list[PersonRef]) -> None:
    for person in people:
        profile = Profile(person, tz="Europe/London", since=ENROLLED.date(), enrolled=True)
        await ports.people.save_profile(profile)
        await ports.people.enrol(person)
        await nudges.schedule(ports, profile, ENROLLED)


async def tick_until_quiet(ports: Ports, messengers: dict[str, Messenger], clock: FixedClock,
                           done: object, ticks: int = 40) -> tuple[int, int]:
    """Tick a minute apart until `done()`; returns (ticks run, retries the scheduler made)."""
    ticker = Ticker(ports, messengers)
    retried = 0
    for n in range(1, ticks + 1):
        report = await ticker.tick(clock.now())
        retried += report.retried
        assert report.gone == 0 and report.failed == 0, report
        if done():  # type: ignore[operator]
            # One more tick later the same day: nothing is left to send to anyone.
            clock.advance(timedelta(hours=1))
            assert (await ticker.tick(clock.now())).sent == 0
            return n, retried
        clock.advance(timedelta(minutes=1))
    raise AssertionError("the storm was never weathered")


async def test_slack_nudges_weather_a_storm_of_429s_and_5xx_exactly_once(
        ports: Ports, redis: Redis) -> None:
    api = StormySlack(seed=3)
    await api.start()

    async def token(workspace: str) -> str:
        return "xoxb-test-token"

    clients = SlackClients(api.url, token, pacer=Pacer(scale=1000.0))
    people = [PersonRef("slack", "T1", f"U{i:02d}") for i in range(40)]
    await enrol(ports, people)
    clock = FixedClock(MONDAY)
    try:
        ticks, retried = await tick_until_quiet(
            ports, {"slack": SlackMessenger(clients)}, clock,
            lambda: len(api.posted) == len(people))
    finally:
        await clients.close()
        await api.stop()
    assert api.posted == Counter({f"D{p.user}": 1 for p in people}), "someone got two, or none"
    assert 429 in api.refused and {500, 503} & set(api.refused)
    calls = len(api.called("chat.postMessage")) + len(api.called("conversations.open"))
    assert sum(api.refused.values()) >= 0.4 * calls  # a real storm
    assert retried > 0 and ticks > 1  # the storm outlasted the in-process retries, for some


@pytest.fixture
async def teams_app(redis: Redis, ports: Ports) -> AsyncIterator[tuple[TeamsDriver, Runtime]]:
    connector = StormyConnector(seed=7)
    await connector.start()
    clock = FixedClock(MONDAY)
    runtime = wire(Settings(), redis, ports,
                   Rapport(ports, clock), clock, teams=TeamsOptions(public_url="https://rapport.example"))
    app = make_app(runtime)
    runner, base = await start_app(app)
    try:
        async with aiohttp.ClientSession() as session:
            yield TeamsDriver(f"{base}/api/messages", session, connector,
                              teams_of(runtime), clock), runtime
    finally:
        await runner.cleanup()
        await connector.stop()


async def test_teams_nudges_weather_a_storm_of_429s_and_5xx_exactly_once(
        teams_app: tuple[TeamsDriver, Runtime], ports: Ports) -> None:
    teams, runtime = teams_app
    users = [{"id": f"29:user{i:02d}", "name": f"User {i}"} for i in range(12)]
    for user in users:  # each has talked to the bot once: their 1:1 chat is known
        assert (await teams.say("hi", user=user)).status == 200
    people = [PersonRef("teams", TENANT, user["id"]) for user in users]
    await enrol(ports, people)
    connector = teams.connector
    connector.calls.clear()
    connector.storm = True

    def delivered() -> Counter[str]:
        failed_ids = {id(c) for c in connector.sent if not c.id}
        return Counter(c.conversation for c in connector.sent if id(c) not in failed_ids)

    assert isinstance(runtime.clock, FixedClock)
    await tick_until_quiet(ports, dict(runtime.messengers), runtime.clock,
                           lambda: len(delivered()) == len(people))
    assert delivered() == Counter({f"a:personal-{u['id']}": 1 for u in users})
    assert 429 in connector.refused and {500, 503} & set(connector.refused)
    calls = len(connector.of("send")) + len(connector.of("create"))
    assert sum(connector.refused.values()) >= 0.4 * calls  # a real storm


class PostsThenFails(StormySlack):
    """Slack's `internal_error`: "it's possible some aspect of the operation succeeded before
    the error was raised". Here a third of the posts are made, then answered 500."""

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "chat.postMessage" and self.rng.random() < 0.3:
            args = await self._args(request)
            self.calls.append(Call("chat.postMessage", args))
            self.posted[conversation_of(str(args.get("channel")))] += 1
            self.delivered.append(args)
            self.refused[500] += 1
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        return await FakeSlack._api(self, request)


async def test_a_post_slack_made_before_answering_500_is_not_sent_again(
        ports: Ports, redis: Redis) -> None:
    api = PostsThenFails(seed=3)
    await api.start()

    async def token(workspace: str) -> str:
        return "xoxb-test-token"

    clients = SlackClients(api.url, token, pacer=Pacer(scale=1000.0))
    people = [PersonRef("slack", "T1", f"U{i:02d}") for i in range(20)]
    await enrol(ports, people)
    try:
        await tick_until_quiet(ports, {"slack": SlackMessenger(clients)}, FixedClock(MONDAY),
                               lambda: len(api.posted) == len(people))
    finally:
        await clients.close()
        await api.stop()
    assert api.refused[500] > 0
    assert api.posted == Counter({f"D{p.user}": 1 for p in people}), "someone got two"
