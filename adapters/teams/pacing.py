"""Teams' send limits, kept before each call so that 429s stay the exception.

Per bot per conversation (thread): 7 in 1 s, 8 in 2 s, 60 in 30 s, 1800 in an hour; per bot per
tenant we keep to 50 a second. The windows are per process: with several replicas, the 429
handling in the messenger covers what one process cannot see.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

THREAD_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
TENANT_LIMITS: tuple[tuple[int, float], ...] = ((50, 1.0),)
_IDLE = 3600.0


class Window:
    """Sends in the last `span` seconds, for several limits at once."""

    def __init__(self, limits: tuple[tuple[int, float], ...]) -> None:
        self.limits = limits
        self.span = max(span for _, span in limits)
        self.sent: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more send keeps every limit (0: now)."""
        while self.sent and self.sent[0] <= now - self.span:
            self.sent.popleft()
        longest = 0.0
        for count, span in self.limits:
            recent = [t for t in self.sent if t > now - span] if len(self.sent) >= count else []
            if len(recent) >= count:
                longest = max(longest, recent[-count] + span - now)
        return longest


class Pacer:
    """Waits until a send to `thread` in `tenant` keeps Teams' limits, then counts it.

    >>> pacer = Pacer(); await pacer.acquire("19:chat", "tenant-1")  # doctest: +SKIP
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 thread_limits: tuple[tuple[int, float], ...] = THREAD_LIMITS,
                 tenant_limits: tuple[tuple[int, float], ...] = TENANT_LIMITS) -> None:
        self.clock = clock
        self.sleep = sleep
        self.thread_limits = thread_limits
        self.tenant_limits = tenant_limits
        self.threads: dict[str, Window] = {}
        self.tenants: dict[str, Window] = {}
        self._swept = clock()

    async def acquire(self, thread: str, tenant: str) -> float:
        """Wait for a free slot; returns the seconds waited."""
        waited = 0.0
        while True:
            # No await between the check and the count: on one event loop that is atomic, and a
            # slow thread never holds up sends to other threads.
            now = self.clock()
            windows = (self.threads.setdefault(thread, Window(self.thread_limits)),
                       self.tenants.setdefault(tenant, Window(self.tenant_limits)))
            delay = max(window.wait(now) for window in windows)
            if delay <= 0:
                for window in windows:
                    window.sent.append(now)
                self._sweep(now)
                return waited
            await self.sleep(delay)
            waited += delay

    def _sweep(self, now: float) -> None:
        if now - self._swept < 60:
            return
        self._swept = now
        for table in (self.threads, self.tenants):
            for key in [k for k, w in table.items() if not w.sent or w.sent[-1] < now - _IDLE]:
                del table[key]
