"""Group commit for the ack path: one round trip out at a time, what arrives meanwhile goes in
the next one, and every caller gets its own answer (or the error its round trip met)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.batching import Batcher


class SlowStore:
    """A flush that holds each round trip until told to finish it."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.fail_next = False

    async def flush(self, items: list[Any]) -> list[Any]:
        self.batches.append(list(items))
        await self.release.wait()
        self.release.clear()
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("Redis went away")
        return [item * 10 for item in items]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_one_round_trip_at_a_time_and_the_next_carries_all_that_waited() -> None:
    store = SlowStore()
    batcher = Batcher(store.flush, one_at_a_time=True)
    first = asyncio.create_task(batcher.submit(1))
    await settle()
    assert store.batches == [[1]]  # alone: it goes at once
    waiting = [asyncio.create_task(batcher.submit(n)) for n in range(2, 7)]
    await settle()
    assert store.batches == [[1]]  # the first round trip is still out
    store.release.set()
    assert await first == 10
    await settle()
    assert store.batches == [[1], [2, 3, 4, 5, 6]]
    store.release.set()
    assert await asyncio.gather(*waiting) == [20, 30, 40, 50, 60]


async def test_a_failed_round_trip_fails_its_callers_only() -> None:
    store = SlowStore()
    batcher = Batcher(store.flush, one_at_a_time=True)
    store.fail_next = True
    doomed = asyncio.create_task(batcher.submit(1))
    await settle()
    later = asyncio.create_task(batcher.submit(2))
    await settle()
    store.release.set()
    with pytest.raises(ConnectionError):
        await doomed
    await settle()
    store.release.set()
    assert await later == 20


async def test_a_caller_that_gave_up_while_waiting_is_never_sent() -> None:
    store = SlowStore()
    batcher = Batcher(store.flush, one_at_a_time=True)
    first = asyncio.create_task(batcher.submit(1))
    await settle()
    gave_up = asyncio.create_task(batcher.submit(2))   # waits behind the round trip that is out
    kept = asyncio.create_task(batcher.submit(3))
    await settle()
    gave_up.cancel()                                  # its ack budget ran out: it answered 503
    store.release.set()
    assert await first == 10
    await settle()
    store.release.set()
    assert await kept == 30
    assert store.batches == [[1], [3]]                # 2 never reached the store
