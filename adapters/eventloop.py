"""The event loop Rapport's long-running processes use.

uvloop (libuv) where it is installed: a daily fan-out or a burst of Slack deliveries is
thousands of concurrent Redis and HTTP calls, and libuv's sockets, timers and callbacks cost
noticeably less per call than asyncio's pure-Python loop. asyncio's own loop otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)`, on uvloop when it is available."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux and macOS
        return asyncio.run(main)
    return uvloop.run(main)
