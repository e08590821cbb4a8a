"""The server's own endpoints: health, readiness, metrics, request ids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.bootstrap import Runtime, build
from adapters.settings import Settings
from adapters.web.server import make_app, tick_once


@pytest.fixture
async def runtime(redis_url: str, tmp_path: Path) -> AsyncIterator[Runtime]:
    from pydantic import SecretStr

    built = await build(Settings(redis_url=SecretStr(redis_url), rapport_data_dir=tmp_path))
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[TestClient[object, object]]:
    async with TestClient(TestServer(make_app(runtime))) as test_client:
        yield test_client


async def test_health_readiness_and_request_ids(client: TestClient[object, object]) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": "req-42"})
    assert response.status == 200 and response.headers["X-Request-Id"] == "req-42"
    ready = await client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["status"] == "ready"
    generated = await client.get("/healthz", headers={"X-Request-Id": "x" * 500})
    assert len(generated.headers["X-Request-Id"]) == 32  # a silly id is replaced, not echoed


async def test_readiness_fails_while_stopping(runtime: Runtime,
                                              client: TestClient[object, object]) -> None:
    runtime.stopping.set()
    assert (await client.get("/readyz")).status == 503


async def test_metrics_expose_counters_and_tick_figures(
    runtime: Runtime, client: TestClient[object, object],
) -> None:
    await tick_once(runtime)
    response = await client.get("/metrics")
    body = await response.text()
    assert response.status == 200 and response.content_type == "text/plain"
    for name in ("rapport_events_received_total", "rapport_tick_seconds_bucket",
                 "rapport_tick_lag_seconds", "rapport_redis_errors_total",
                 "# TYPE rapport_handle_seconds histogram", "rapport_sends_total"):
        assert name in body, name


async def test_unknown_routes_and_methods_are_4xx(client: TestClient[object, object]) -> None:
    assert (await client.get("/nope")).status == 404
    assert (await client.post("/healthz")).status == 405


async def test_the_core_is_timed_per_event(runtime: Runtime,
                                           client: TestClient[object, object]) -> None:
    from bot.events import Actor, Command
    from habits.people import PersonRef

    await runtime.core.handle(Command(Actor(PersonRef("console", "local", "sam")), "habits", ""))
    body = await (await client.get("/metrics")).text()
    assert 'rapport_handle_seconds_count{kind="command",platform="console"}' in body


RESTORE = {"maxmemory": "0", "maxmemory-policy": "noeviction", "min-replicas-to-write": "0"}


@pytest.mark.parametrize("refusal", [
    {"maxmemory": "1", "maxmemory-policy": "noeviction"},   # out of memory: OOM command not allowed
    {"min-replicas-to-write": "1"},                          # NOREPLICAS: no replica in sync
])
async def test_readiness_fails_while_redis_refuses_writes(tmp_path: Path,
                                                          refusal: dict[str, str]) -> None:
    """Issue 14, item 10: /readyz said ready while Redis answered PING but refused every write."""
    from pydantic import SecretStr

    from adapters.redis.embedded import EmbeddedRedis

    server = EmbeddedRedis(tmp_path / "redis").start()  # its own server: CONFIG SET is global
    built = await build(Settings(redis_url=SecretStr(server.url), rapport_data_dir=tmp_path))
    try:
        async with TestClient(TestServer(make_app(built))) as client:
            assert (await client.get("/readyz")).status == 200
            for name, value in refusal.items():
                await built.redis.config_set(name, value)
            ready = await client.get("/readyz")
            assert ready.status == 503
            body = await ready.json()
            assert body["status"] == "unavailable" and body["redis"] == "writes refused"
            assert body["error"] in {"OutOfMemoryError", "ResponseError"}
            for name in refusal:
                await built.redis.config_set(name, RESTORE[name])
            assert (await client.get("/readyz")).status == 200  # ready again by itself
    finally:
        await built.close()
        server.stop()
