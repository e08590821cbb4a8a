"""The clocks Rapport runs on, and RAPPORT_NOW: a real `rapport` process run at another moment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock, ShiftedClock, SystemClock, clock_at, moment

RAPPORT = str(Path(sys.executable).with_name("rapport"))
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


class Ticking:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.seconds = 5000.0

    def __call__(self) -> float:
        return self.seconds


def test_a_shifted_clock_starts_at_its_moment_and_runs_at_the_real_pace() -> None:
    ticking = Ticking()
    clock = ShiftedClock(TUESDAY, monotonic=ticking)
    assert clock.now() == TUESDAY
    ticking.seconds += 90.5
    assert clock.now() == TUESDAY + timedelta(seconds=90.5)


def test_clock_at_reads_an_iso_moment_with_an_offset() -> None:
    assert isinstance(clock_at(None), SystemClock) and isinstance(clock_at("  "), SystemClock)
    shifted = clock_at("2027-10-31T01:30:00Z")
    assert isinstance(shifted, ShiftedClock)
    assert abs(shifted.now() - datetime(2027, 10, 31, 1, 30, tzinfo=UTC)) < timedelta(seconds=5)
    assert moment("2027-12-31T23:30:00+00:00") == datetime(2027, 12, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2027-10-31T01:30:00", "next friday", ""])
def test_a_moment_without_an_offset_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match="with an offset"):
        moment(text)
    with pytest.raises(ValueError):
        FixedClock(datetime(2027, 10, 31, 1, 30))
    with pytest.raises(ValueError):
        ShiftedClock(datetime(2027, 10, 31, 1, 30))


def rapport(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RAPPORT_", "REDIS_"))}
    return subprocess.run([RAPPORT, *args], input=stdin, capture_output=True, text=True,
                          env={**clean, **env}, timeout=30, check=False)


def test_rapport_now_runs_a_real_process_at_that_moment() -> None:
    # "tomorrow", written on Tuesday 24 November 2026 in London: due Wednesday at 17:00.
    done = rapport("detect", "--tz", "Europe/London", stdin="I'll send it tomorrow\n",
                   RAPPORT_NOW="2026-11-24T10:00:00+00:00")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["due"] == "2026-11-25T17:00:00+00:00"
    # The same words at another RAPPORT_NOW: the moment really comes from the variable.
    later = rapport("detect", "--tz", "Europe/London", stdin="I'll send it tomorrow\n",
                    RAPPORT_NOW="2028-02-28T10:00:00+00:00")
    assert json.loads(later.stdout)["due"] == "2028-02-29T17:00:00+00:00"


def test_a_bad_rapport_now_stops_the_process_and_says_why() -> None:
    done = rapport("tick", RAPPORT_NOW="yesterday")
    assert done.returncode == 2
    assert "RAPPORT_NOW" in done.stderr and "with an offset" in done.stderr
