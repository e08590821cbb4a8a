"""Loaded into every Python process of a faked-date test run, and only there (make test puts
this folder on PYTHONPATH under faketime; see tests/faketime/at-dates.sh).

Debian's libfaketime 0.9.10 with FAKETIME_DONT_FAKE_MONOTONIC=1 breaks `time.sleep` on Python
3.11+: CPython sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) and libfaketime
shifts that real monotonic deadline by the faked offset, into the past, so the kernel answers
EINVAL (libfaketime issue #426). Everything else (asyncio, threading timeouts, select) waits on
relative or unshifted deadlines and works. Here `time.sleep` waits with select() instead, on
the real monotonic clock: the same behaviour, without the broken call.
"""

from __future__ import annotations

import select
import time

_monotonic = time.monotonic


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = _monotonic() + seconds
    while (left := deadline - _monotonic()) > 0:
        select.select([], [], [], left)


time.sleep = _sleep
