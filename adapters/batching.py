"""Gathering the calls many concurrent tasks make into one round trip (the Slack inbox's accepts
and settles, a tick's send marks): each caller awaits its own answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


class Batcher:
    """Gathers the calls made in one turn of the event loop (or, `one_at_a_time`, while the
    last round trip was out) into one Redis round trip.

    `flush` gets every item submitted since the last flush and returns one result (or
    exception) per item; each caller gets its own.
    """

    def __init__(self, flush: Callable[[list[Any]], Awaitable[list[Any]]],
                 delay: float = 0.0, one_at_a_time: bool = False) -> None:
        self.flush = flush
        self.delay = delay
        # Group commit: while one round trip is out, what arrives waits for it and goes in the
        # next; alone, an item goes at once. Batches grow with the load, latency does not.
        self.one_at_a_time = one_at_a_time
        self._items: list[tuple[Any, asyncio.Future[Any]]] = []
        self._scheduled = False
        self._flushing = False
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, item: Any) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._items.append((item, future))
        if not (self._flushing and self.one_at_a_time):
            self._schedule()
        return await future

    def _schedule(self) -> None:
        if self._scheduled:
            return
        self._scheduled = True
        loop = asyncio.get_running_loop()
        if self.delay:
            loop.call_later(self.delay, self._start)
        else:
            loop.call_soon(self._start)

    def _start(self) -> None:
        self._scheduled = False
        # A caller that gave up (its timeout cancelled the future) is not sent at all.
        items, self._items = [item for item in self._items if not item[1].done()], []
        if not items:
            return
        self._flushing = True
        task = asyncio.create_task(self._run(items))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, items: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        try:
            results = await self.flush([item for item, _ in items])
        except Exception as error:  # the whole round trip failed: every caller hears it
            results = [error] * len(items)
        finally:
            self._flushing = False
            if self._items:
                self._schedule()
        for (_, future), result in zip(items, results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)
