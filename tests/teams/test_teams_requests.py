"""The HTTP contract of /api/messages: local mode, 401 without a valid Bot Framework token when
an app id is set, and clear errors for anything that is not an activity (deeply nested JSON
too, before any authentication work)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fake_connector import FakeConnector
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from teams_harness import TENANT_ID, TeamsDriver, running_teams, teams_runtime, teams_settings

from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports

APP_ID = "00000000-aaaa-bbbb-cccc-000000000001"


@pytest.fixture
async def secured(redis: Redis, ports: Ports, clock: FixedClock, core: Rapport,
                  connector: FakeConnector) -> AsyncIterator[TeamsDriver]:
    settings = teams_settings(microsoft_app_id=APP_ID, microsoft_app_password="not-a-secret",
                              microsoft_app_tenant_id=TENANT_ID,
                              rapport_teams_service_urls=connector.url)
    runtime = teams_runtime(settings, redis, ports, core, clock)
    async with running_teams(runtime, connector) as driver:
        yield driver


def forged_token() -> str:
    """A well-formed Bot Framework JWT signed by a key Microsoft never published."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "iat": now, "nbf": now,
              "exp": now + 3600, "serviceurl": "https://smba.trafficmanager.net/emea/"}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "forged-key"})


async def test_without_an_app_id_the_endpoint_runs_in_local_mode(teams: TeamsDriver) -> None:
    assert teams.adapter.local_mode
    assert (await teams.say("habits")).status == 200
    assert teams.connector.sent


async def test_with_an_app_id_a_request_without_a_token_is_401(secured: TeamsDriver) -> None:
    answer = await secured.say("habits")
    assert answer.status == 401
    assert secured.connector.calls == []


async def test_with_an_app_id_a_forged_token_is_401(secured: TeamsDriver) -> None:
    answer = await secured.post(
        secured.activity("message", text="habits"),
        headers={"Authorization": f"Bearer {forged_token()}"})
    assert answer.status == 401
    assert secured.connector.calls == []


async def test_garbage_is_refused_clearly(teams: TeamsDriver) -> None:
    async with teams.session.post(teams.url, data=b"{not json",
                                  headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400
    async with teams.session.post(teams.url, data=b"text=hi",
                                  headers={"Content-Type": "text/plain"}) as response:
        assert response.status == 415
    assert (await teams.post({"text": "no type"})).status == 400
    assert teams.connector.calls == []


@pytest.mark.parametrize("depth", [65, 5_000, 200_000])
async def test_deeply_nested_json_is_400_before_any_authentication_work(
        secured: TeamsDriver, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, depth: int) -> None:
    """Issue 14, item 10: nested JSON gave a 500 with a traceback (RecursionError) before auth."""
    calls: list[str] = []

    async def spy(*args: object) -> None:
        calls.append("authenticate")
        raise AssertionError("authentication must not run")

    monkeypatch.setattr(secured.adapter.auth, "authenticate_request", spy)
    head = json.dumps({"type": "message", "serviceUrl": secured.connector.url})[:-1]
    body = head + ', "value": ' + "[" * depth + "]" * depth + "}"
    token = {"Authorization": "Bearer not-checked-yet"}  # without one: 401 from the headers
    async with secured.session.post(secured.url, data=body.encode(),
                                    headers={"Content-Type": "application/json",
                                             **token}) as response:
        assert response.status == 400
        assert await response.text() == "JSON nested too deeply"
    assert calls == [] and secured.connector.calls == []
    assert not [r for r in caplog.records if r.levelname == "ERROR" or r.exc_info]
    # What Teams really sends nests far less deep, and still gets through to authentication.
    shallow = secured.activity("message", text="hi", value={"a": [[{"b": [1]}]]})
    assert (await secured.post(shallow, headers=token)).status == 401
    assert calls == ["authenticate"]


async def test_redis_down_fails_loudly(teams: TeamsDriver,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    async def unavailable(*args: object) -> None:
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(teams.adapter.store, "remember", unavailable)
    assert (await teams.say("habits")).status == 503
    assert teams.connector.sent == []
