"""Time, as the core sees it: always aware, always from a clock it is given.

Every decision that depends on the time of day or the date reads a `Clock`; the composition root
(adapters/bootstrap.py) builds one and hands it to the core and the adapters. Product code never
reads the wall clock itself (tests/test_clock_discipline.py checks that), so a test or an operator
can run all of Rapport at any moment:

* `SystemClock`: the real time, in production.
* `ShiftedClock`: real time moved to start at another moment and then run at the real pace,
  for a whole server run "as if it were then" (`RAPPORT_NOW`, see `clock_at`).
* `FixedClock`: stands still until moved, for `rapport tick --now` and for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

NOW_VARIABLE = "RAPPORT_NOW"


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: for `rapport tick --now` and for tests."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a clock needs an aware datetime (with an offset or a zone)")
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta

    def set(self, moment: datetime) -> None:
        self.moment = moment


class ShiftedClock:
    """Real time, moved: `start` when made, then running at the real pace.

    The pace comes from a monotonic clock, so the wall clock (NTP steps, a faked date) never
    moves it; only the starting moment is chosen.
    """

    def __init__(self, start: datetime, monotonic: Callable[[], float] = time.monotonic) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock needs an aware datetime (with an offset or a zone)")
        self.start = start
        self.monotonic = monotonic
        self.began = monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.monotonic() - self.began)


def moment(text: str) -> datetime:
    """An ISO 8601 moment with an offset (`2027-10-31T01:30:00+00:00`, `...Z`); ValueError
    otherwise, naming the expected form."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"expected an ISO 8601 moment with an offset, e.g. "
                         f"2026-11-27T17:00:00+00:00 (got {text!r})")
    return parsed


def clock_at(start: str | None) -> Clock:
    """The clock for a process: real time, or, when `start` (the value of `RAPPORT_NOW`) is
    given, real time shifted to begin at that moment (`ShiftedClock`)."""
    if start is None or not start.strip():
        return SystemClock()
    return ShiftedClock(moment(start))
