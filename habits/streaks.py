"""Habits and streaks, computed over one bit per local day.

A person's year of one habit is a bitmap: bit `n` (most significant bit first, as Redis
SETBIT counts) is set when they practised the habit on day `n + 1` of that year, in their own
time zone. Streak maths is a pure function over those bytes; the rules are in docs/habits.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

YearBits = Mapping[int, bytes]  # year -> bitmap, bit (day_of_year - 1) set when practised


class Habit(StrEnum):
    KEEP = "keep"
    FOLLOW_UP = "follow_up"
    RECOGNISE = "recognise"
    RECOGNISE_JUNIOR = "recognise_junior"
    HAND_OVER = "hand_over"


@dataclass(frozen=True, slots=True)
class HabitRule:
    """How one habit's streak lives and dies.

    - `grace`: working days in a row without practice that end the streak (None: idleness
      never ends it, because the habit only applies when there is something to do).
    - `lapses_break`: a silently lapsed promise ends the streak that day.
    - `weekly_target`: practice days a week that make a good week.
    """

    habit: Habit
    title: str
    grace: int | None
    lapses_break: bool
    weekly_target: int


RULES: dict[Habit, HabitRule] = {
    Habit.KEEP: HabitRule(Habit.KEEP, "Keep your promises", None, True, 1),
    Habit.FOLLOW_UP: HabitRule(Habit.FOLLOW_UP, "Follow up early", None, True, 1),
    Habit.RECOGNISE: HabitRule(Habit.RECOGNISE, "Recognise specifically", 5, False, 2),
    Habit.RECOGNISE_JUNIOR: HabitRule(
        Habit.RECOGNISE_JUNIOR, "Recognise junior colleagues", 10, False, 1
    ),
    Habit.HAND_OVER: HabitRule(Habit.HAND_OVER, "Hand over decisions", 10, False, 1),
}


@dataclass(frozen=True, slots=True)
class Streak:
    """Where a habit stands today."""

    habit: Habit
    current: int
    best: int
    this_week: int
    weekly_target: int

    @property
    def week_done(self) -> bool:
        return self.this_week >= self.weekly_target


def bit_index(day: date) -> tuple[int, int]:
    """The (year, bit offset) that records `day`.

    >>> bit_index(date(2026, 1, 1)), bit_index(date(2024, 12, 31))
    ((2026, 0), (2024, 365))
    """
    return day.year, day.timetuple().tm_yday - 1


def has_bit(bits: YearBits, day: date) -> bool:
    year, index = bit_index(day)
    data = bits.get(year, b"")
    byte = index >> 3
    return byte < len(data) and bool(data[byte] & (0x80 >> (index & 7)))


def with_bit(bits: YearBits, day: date) -> dict[int, bytes]:
    """A copy of `bits` with `day` set (what Redis SETBIT does, for pure callers and tests)."""
    year, index = bit_index(day)
    data = bytearray(bits.get(year, b""))
    byte = index >> 3
    if len(data) <= byte:
        data.extend(b"\x00" * (byte + 1 - len(data)))
    data[byte] |= 0x80 >> (index & 7)
    return {**bits, year: bytes(data)}


def week_start(day: date, working_days: frozenset[int]) -> date:
    """First day of the person's working week containing `day`.

    The week starts on the working weekday that follows a day off (Monday for a Monday–Friday
    week, Sunday for Sunday–Thursday); Monday when every day is a working day.
    """
    starts = [d for d in range(7) if d in working_days and (d - 1) % 7 not in working_days]
    first = starts[0] if len(starts) == 1 else 0
    return day - timedelta(days=(day.weekday() - first) % 7)


def streak(
    rule: HabitRule,
    done: YearBits,
    lapses: YearBits,
    *,
    is_working_day: Callable[[date], bool],
    working_days: frozenset[int],
    since: date,
    today: date,
) -> Streak:
    """The current and best streak of one habit, as of `today` (a local date).

    A streak counts practice days. Days that are not working days (weekends, days off,
    vacations, pauses) never break it; today never breaks it either, as it is not over yet.

    >>> rule = RULES[Habit.RECOGNISE]
    >>> log = with_bit({}, date(2026, 11, 20))
    >>> streak(rule, log, {}, is_working_day=lambda d: d.weekday() < 5,
    ...        working_days=frozenset(range(5)), since=date(2026, 11, 1),
    ...        today=date(2026, 11, 24)).current
    1
    """
    run = best = idle = 0
    day = since
    while day <= today:
        if rule.lapses_break and has_bit(lapses, day):
            run = idle = 0
        if has_bit(done, day):
            run += 1
            idle = 0
            best = max(best, run)
        elif day != today and rule.grace is not None and is_working_day(day):
            idle += 1
            if idle >= rule.grace:
                run = 0
        day += timedelta(days=1)
    start = max(week_start(today, working_days), since)
    this_week = sum(
        1 for offset in range((today - start).days + 1)
        if has_bit(done, start + timedelta(days=offset))
    )
    return Streak(rule.habit, run, best, this_week, rule.weekly_target)
