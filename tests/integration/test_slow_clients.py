"""Issue 14, item 9: slow and idle connections can't hold the server. `rapport serve` starts
the app through `adapters.web.server.start` (the connection guards); so do these tests, on an
ephemeral port, with raw sockets playing the slow clients."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from adapters.bootstrap import Runtime, build
from adapters.settings import Settings
from adapters.web.server import bound_port, make_app, start

Serve = Callable[..., "contextlib.AbstractAsyncContextManager[int]"]


@pytest.fixture
def serve(redis_url: str, tmp_path: Path) -> Serve:
    """`async with serve(rapport_header_timeout=1.0) as port:` the app, guarded, on a port."""

    @contextlib.asynccontextmanager
    async def run(**overrides: Any) -> AsyncIterator[int]:
        settings = Settings(redis_url=SecretStr(redis_url), rapport_data_dir=tmp_path,
                            **overrides)
        runtime: Runtime = await build(settings)
        runner: web.AppRunner | None = None
        try:
            runner = await start(make_app(runtime), "127.0.0.1", 0)
            yield bound_port(runner)
        finally:
            if runner is not None:
                await runner.cleanup()
            await runtime.close()

    return run


async def healthz(port: int) -> int:
    async with aiohttp.ClientSession() as session, asyncio.timeout(3), \
            session.get(f"http://127.0.0.1:{port}/healthz") as response:
        return response.status


async def trickle(port: int, give_up: float) -> float:
    """A slowloris client: request headers one byte every 0.1 s, never finished. Returns the
    seconds until the server closed the connection (`give_up` if it never did)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = b"POST /slack/events HTTP/1.1\r\nHost: rapport\r\nX-Padding: " + b"a" * 10_000

    async def feed() -> None:
        with contextlib.suppress(ConnectionError):
            for byte in head:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.1)

    feeding = asyncio.create_task(feed())
    try:
        async with asyncio.timeout(give_up):
            while await reader.read(1024):
                pass
        return loop.time() - started
    except TimeoutError:
        return give_up
    finally:
        feeding.cancel()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_slow_headers_are_cut_off_and_healthz_keeps_answering(serve: Serve) -> None:
    async with serve(rapport_header_timeout=1.0) as port:
        slow = [asyncio.create_task(trickle(port, give_up=15.0)) for _ in range(40)]
        answers = []
        while not all(task.done() for task in slow):
            answers.append(await healthz(port))
            await asyncio.sleep(0.2)
        held = [task.result() for task in slow]
    # Closed after about a second each; before the guard they were held as long as they
    # kept trickling (aiohttp's keep-alive timeout is an hour).
    assert max(held) < 8.0, held
    assert answers and set(answers) == {200}


async def test_a_connection_that_never_sends_anything_is_closed(serve: Serve) -> None:
    async with serve(rapport_header_timeout=1.0) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            async with asyncio.timeout(8):
                assert await reader.read(1024) == b""  # closed by the server, no answer
        finally:
            writer.close()


async def test_at_the_cap_slow_connections_make_room_for_new_ones(serve: Serve) -> None:
    """1,900 slow connections were all held; now at most the cap, and a new client (a health
    probe) still gets in: the oldest connection that is not being answered makes room."""
    async with serve(rapport_max_connections=20, rapport_header_timeout=60.0) as port:
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(20)]
        for _, writer in held:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: rapport\r\n")  # never finished
        await asyncio.sleep(0.2)
        assert [await healthz(port) for _ in range(5)] == [200] * 5
        oldest, _ = held[0]
        async with asyncio.timeout(5):
            assert await oldest.read() == b""  # closed to make room, without an answer
        for _, writer in held:
            writer.close()


async def test_past_the_cap_with_every_connection_answering_is_503(
        serve: Serve, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.web import server

    release = asyncio.Event()

    async def slow_readyz(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({"status": "ready"})

    monkeypatch.setattr(server, "readyz", slow_readyz)
    async with serve(rapport_max_connections=5, rapport_header_timeout=60.0) as port:
        busy = []
        for _ in range(5):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /readyz HTTP/1.1\r\nHost: rapport\r\n\r\n")
            busy.append(writer)
        await asyncio.sleep(0.3)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        async with asyncio.timeout(5):
            refused = await reader.read()  # the whole answer, then the server closes
        writer.close()
        assert refused.startswith(b"HTTP/1.1 503"), refused
        assert b"Retry-After: 1" in refused
        release.set()
        for writer in busy:
            writer.close()
        await asyncio.sleep(0.3)
        assert await healthz(port) == 200  # the slots are free again


async def test_a_slow_handler_is_not_a_slow_client(serve: Serve,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The header deadline stops once a request is being handled: a /readyz that takes longer
    than it (a slow Redis) still gets its answer on the same connection."""
    from adapters.web import server

    real = server.readyz

    async def slow_readyz(request: web.Request) -> web.Response:
        await asyncio.sleep(2.0)
        return await real(request)

    monkeypatch.setattr(server, "readyz", slow_readyz)
    async with serve(rapport_header_timeout=0.5) as port, aiohttp.ClientSession() as session:
        for _ in range(2):  # the second on the kept-alive connection
            async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                assert response.status == 200


def test_the_guards_work_on_uvloop(redis_url: str, tmp_path: Path) -> None:
    """`rapport serve` runs on uvloop, whose transports are not asyncio.Transport objects."""
    import uvloop

    async def main() -> tuple[int, bytes]:
        settings = Settings(redis_url=SecretStr(redis_url), rapport_data_dir=tmp_path,
                            rapport_header_timeout=1.0)
        runtime = await build(settings)
        runner = await start(make_app(runtime), "127.0.0.1", 0)
        try:
            port = bound_port(runner)
            status = await healthz(port)
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\n")  # and nothing more
            async with asyncio.timeout(8):
                rest = await reader.read()
            writer.close()
            return status, rest
        finally:
            await runner.cleanup()
            await runtime.close()

    assert uvloop.run(main()) == (200, b"")
