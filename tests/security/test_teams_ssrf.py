"""Server-side request forgery through Teams' `serviceUrl`: Rapport's outbound Bot Framework calls
go only to service URLs allowed for the channel, and stored conversation references change only
from activities that may change them (issue 14, item 1).

A sink, a local HTTP server on 127.0.0.2 (loopback, but not a name local mode allows), records
everything that reaches it: it must receive nothing, whichever way the activity comes in. The
fake connector (tests/teams/fake_connector.py) plays the allowed Bot Framework connector.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "teams"))
from bot_framework_issuer import Issuer, running_issuer
from fake_connector import FakeConnector
from teams_harness import ALEX, TeamsDriver, running_teams, start_app

from adapters.bootstrap import Runtime, wire
from adapters.settings import Settings, TeamsMode
from adapters.teams import TeamsOptions
from adapters.teams import ids as teams_ids
from adapters.teams.sending import RetryPolicy
from adapters.teams.store import encode
from adapters.web.server import make_app
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import DeliveryOutcome, Ports
from bot.replies import Audience, Reply
from habits.people import PersonRef

APP_ID = "00000000-aaaa-bbbb-cccc-00000000000e"
TENANT = "tenant-1"
OPTIONS = TeamsOptions(retry=RetryPolicy(attempts=2, backoff=0.01, max_wait=1.0),
                       public_url="https://rapport.example")


@dataclass
class Sink:
    url: str = ""
    hits: list[str] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        async def record(request: web.Request) -> web.Response:
            self.hits.append(f"{request.method} {request.path}")
            return web.json_response({"id": "sink"}, status=201)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", record)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.2", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.2:{port}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    server = Sink()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with running_issuer() as running:
        yield running


def runtime_with(settings: Settings, redis: Redis, ports: Ports, clock: FixedClock,
                 options: TeamsOptions | None = None) -> Runtime:
    return wire(settings, redis, ports, Rapport(ports, clock), clock, teams=options)


@pytest.fixture
async def local(redis: Redis, ports: Ports, clock: FixedClock,
                connector: FakeConnector) -> AsyncIterator[TeamsDriver]:
    """The quick start: no credential at all, so local mode (loopback names allowed)."""
    settings = Settings()
    assert settings.teams_mode is TeamsMode.LOCAL
    async with running_teams(runtime_with(settings, redis, ports, clock, OPTIONS),
                             connector) as driver:
        yield driver


@pytest.fixture
async def secured(redis: Redis, ports: Ports, clock: FixedClock, connector: FakeConnector,
                  issuer: Issuer) -> AsyncIterator[TeamsDriver]:
    """Authenticated mode, botbuilder trusting the test issuer; the fake connector and one
    address nothing listens on are the extra allowed service URLs."""
    settings = Settings(microsoft_app_id=APP_ID, microsoft_app_password="not-a-real-password",
                        microsoft_app_tenant_id="00000000-0000-0000-0000-0000000000aa",
                        rapport_teams_service_urls=f"{connector.url},http://127.0.0.1:9/")
    assert settings.teams_mode is TeamsMode.AUTHENTICATED
    options = TeamsOptions(retry=OPTIONS.retry, public_url=OPTIONS.public_url,
                           bot_config=issuer.bot_config)
    async with running_teams(runtime_with(settings, redis, ports, clock, options),
                             connector) as driver:
        yield driver


async def keys(redis: Redis) -> list[bytes]:
    return [key async for key in redis.scan_iter(count=1000)]


def alex() -> PersonRef:
    return PersonRef("teams", TENANT, ALEX["id"])


async def stored_service_url(redis: Redis) -> str | None:
    raw = await redis.get(teams_ids.personal_reference_key(alex()))
    return None if raw is None else str(json.loads(raw)["serviceUrl"])


async def test_a_slack_only_deployment_has_no_teams_endpoint(
        redis: Redis, ports: Ports, clock: FixedClock, sink: Sink) -> None:
    settings = Settings(slack_bot_token="xoxb-not-a-real-token",
                        slack_signing_secret="not-a-real-signing-secret")
    assert settings.teams_mode is TeamsMode.OFF
    runtime = runtime_with(settings, redis, ports, clock, OPTIONS)
    app = make_app(runtime)
    assert runtime.platform("teams") is None and "teams" not in runtime.messengers
    runner, base = await start_app(app)
    activity = {"type": "message", "id": "m1", "channelId": "msteams", "serviceUrl": sink.url,
                "from": ALEX, "recipient": {"id": "28:rapport-bot"}, "text": "habits",
                "conversation": {"id": "a:1", "conversationType": "personal",
                                 "tenantId": TENANT}}
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{base}/api/messages", json=activity) as response:
                assert response.status == 404
            async with session.get(f"{base}/teams/files/{'x' * 43}") as response:
                assert response.status == 404
    finally:
        await runner.cleanup()
    assert sink.hits == []
    assert await keys(redis) == []


@pytest.mark.parametrize("target", [
    "{sink}",                                            # loopback, but not localhost/127.0.0.1
    "http://169.254.169.254/latest/meta-data/",          # cloud metadata
    "http://10.0.0.7:6379/",                             # a private Redis
    "https://smba.trafficmanager.net.evil.example/emea/",
    "https://evil.example/smba.trafficmanager.net/",
    "https://smba.trafficmanager.net@127.0.0.2:{port}/",
    "https://smba.trafficmanager.net:8443/emea/",
    "https://evil.example\\@smba.trafficmanager.net/",
    "https://webchat.botframework.com/",                 # another channel's host, for msteams
    "file:///etc/passwd",
])
async def test_local_mode_calls_no_service_url_outside_the_allow_list(
        local: TeamsDriver, redis: Redis, sink: Sink, target: str) -> None:
    service_url = target.format(sink=sink.url, port=sink.url.rsplit(":", 1)[1].rstrip("/"))
    answer = await local.post(local.activity("message", text="habits", serviceUrl=service_url))
    assert answer.status == 400 and "serviceUrl not allowed" in answer.text
    assert sink.hits == [] and local.connector.calls == []
    assert await keys(redis) == []  # nothing stored: no reference, no member record


async def test_a_forged_activity_cannot_redirect_a_persons_messages(
        local: TeamsDriver, redis: Redis, sink: Sink) -> None:
    assert (await local.say("hi")).status == 200
    assert await stored_service_url(redis) == local.connector.url
    forged = local.activity("message", text="hi", serviceUrl=sink.url)
    assert (await local.post(forged)).status == 400
    assert await stored_service_url(redis) == local.connector.url
    local.connector.calls.clear()
    delivery = await local.adapter.messenger.deliver(
        Reply("Your nudge", audience=Audience.DIRECT, to=alex()))
    assert delivery.outcome is DeliveryOutcome.SENT
    assert [call.conversation for call in local.connector.sent] == [f"a:personal-{ALEX['id']}"]
    assert sink.hits == []


async def test_references_stored_before_the_allow_list_are_never_used(
        local: TeamsDriver, redis: Redis, sink: Sink) -> None:
    """A reference (and a member record) pointing at the sink, as a forged activity could have
    left them: the messenger refuses both and drops the reference."""
    from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

    reference = ConversationReference(
        channel_id="msteams", service_url=sink.url, bot=ChannelAccount(id="28:rapport-bot"),
        user=ChannelAccount(id=ALEX["id"]),
        conversation=ConversationAccount(id="a:planted", tenant_id=TENANT,
                                         conversation_type="personal"))
    await redis.set(teams_ids.personal_reference_key(alex()), encode(reference))
    await redis.hset(teams_ids.member_key(alex()), mapping={
        "service_url": sink.url, "bot_id": "28:rapport-bot", "name": "Alex Wilber"})
    delivery = await local.adapter.messenger.deliver(
        Reply("Your nudge", audience=Audience.DIRECT, to=alex()))
    assert delivery.outcome is DeliveryOutcome.GONE
    assert sink.hits == [] and local.connector.calls == []
    assert await redis.get(teams_ids.personal_reference_key(alex())) is None


async def authenticated(driver: TeamsDriver, issuer: Issuer, service_url: str,
                        **extra: Any) -> tuple[int, str]:
    body = driver.activity("message", text="", serviceUrl=service_url, **extra)
    answer = await driver.post(body, headers={
        "Authorization": f"Bearer {issuer.token(APP_ID, service_url)}"})
    return answer.status, answer.text


async def test_authenticated_mode_checks_tokens_with_botbuilder_and_service_urls_too(
        secured: TeamsDriver, issuer: Issuer, redis: Redis, sink: Sink) -> None:
    # A token botbuilder validates (issuer, key, endorsement, audience, serviceurl claim):
    # the activity is processed and Alex's reference stored.
    assert await authenticated(secured, issuer, secured.connector.url) == (200, "")
    assert await stored_service_url(redis) == secured.connector.url
    # Even a valid token cannot send Rapport to a service URL outside the allow-list.
    status, text = await authenticated(secured, issuer, sink.url)
    assert status == 400 and "serviceUrl not allowed" in text
    # No token, or a token signed by someone else: 401, and the reference is unchanged.
    other = "http://127.0.0.1:9/"
    assert (await secured.post(secured.activity("message", text="hi",
                                                serviceUrl=other))).status == 401
    with running_issuer() as impostor:
        forged = impostor.token(APP_ID, other)
    answer = await secured.post(secured.activity("message", text="hi", serviceUrl=other),
                                headers={"Authorization": f"Bearer {forged}"})
    assert answer.status == 401
    assert await stored_service_url(redis) == secured.connector.url
    assert sink.hits == []
