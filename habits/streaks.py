"""Habits and streaks, computed over one bit per local day.

A person's year of one habit is a bitmap: bit `n` (most significant bit first, as Redis
SETBIT counts) is set when they practised the habit on day `n + 1` of that year, in their own
time zone. Streak maths is a pure function over those bytes; the rules are in docs/habits.md.
"""

from __future__ import annotations

import re
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
    HELP = "help"
    STAY_IN_TOUCH = "stay_in_touch"
    PREPARE_REFLECT = "prepare_reflect"


@dataclass(frozen=True, slots=True)
class HabitRule:
    """One habit, declared once: how its streak lives and dies, and the words Rapport uses
    for it. `/habits`, the morning nudge's tips and the team summaries all read it here.

    - `grace`: working days in a row without practice that end the streak (None: idleness
      never ends it, because the habit only applies when there is something to do).
    - `lapses_break`: a silently lapsed promise ends the streak that day.
    - `weekly_target`: practice days a week that make a good week.
    - `short`: its name in the team summary's one-line totals.
    - `tip`: the one tip `/habits` gives when this habit needs attention most.
    - `nudge_tips`: the morning nudge's tips of the day for it (varied by day and person).
    """

    habit: Habit
    title: str
    grace: int | None
    lapses_break: bool
    weekly_target: int
    short: str
    tip: str
    nudge_tips: tuple[str, ...]


RULES: dict[Habit, HabitRule] = {rule.habit: rule for rule in (
    HabitRule(
        Habit.KEEP, "Keep your promises", None, True, 1, "keep",
        "Keep the next promise small and dated; trust grows one kept promise at a time.",
        ("Promise a little less and deliver a little more: a small, dated promise kept beats a "
         "big vague one.",
         "Before you say \"I'll do it\", say when. A date turns a good intention into a promise "
         "people can rely on.")),
    HabitRule(
        Habit.FOLLOW_UP, "Follow up early", None, True, 1, "follow-up",
        "If something will slip, say so before it's due: early news is good manners.",
        ("If something is going to slip, the best moment to say so is as soon as you know.",
         "Follow up before you are chased: it tells people you are holding their thing in "
         "mind.")),
    HabitRule(
        Habit.RECOGNISE, "Recognise specifically", 5, False, 2, "recognise",
        "Name one thing a colleague did this week and why it helped.",
        ("Praise the work, not the person's tie: name what was good and why it mattered.",
         "Sincere, specific thanks costs a minute and is remembered for months.")),
    HabitRule(
        Habit.RECOGNISE_JUNIOR, "Recognise junior colleagues", 10, False, 1, "juniors",
        "A junior colleague's good work, noticed specifically, is remembered for years.",
        ("Treat junior colleagues with the respect they feel due, and a little more; their "
         "careers will rise, and they will remember.",
         "Invite someone new into the conversation today; belonging is a gift you can give.")),
    HabitRule(
        Habit.HAND_OVER, "Hand over decisions", 10, False, 1, "hand over",
        "Which decision on your plate could someone else make? Hand it over.",
        ("Control lowers stress: give someone a decision about their own work today.",
         "Ask \"what do you think we should do?\" and then let the answer stand.")),
    HabitRule(
        Habit.HELP, "Help and pay it forward", 10, False, 1, "help",
        "Offer a hand with something a colleague is stuck on, and ask for nothing back.",
        ("Help that asks for nothing back is the kind people pass on.",
         "Someone helped you lately? The best thanks is helping someone else.")),
    HabitRule(
        Habit.STAY_IN_TOUCH, "Stay in touch", 15, False, 1, "in touch",
        "Say hello to a teammate you haven't spoken to in a while; ask about their work.",
        ("People trust the people they know: a two-line hello to a quiet teammate counts.",
         "Ask a teammate what they are working on this week, and listen to the answer.")),
    # Negotiations come when they come: no weekly target, and quiet days never end the streak.
    HabitRule(
        Habit.PREPARE_REFLECT, "Prepare and reflect", None, False, 0, "prep",
        "Before your next negotiation, take ten minutes to prepare it; afterwards, debrief it.",
        ("Before a negotiation, ask who has most to lose with no deal: the answer is your "
         "leverage, or your homework.",
         "After a negotiation, a three-line debrief teaches you more than the next one will.")),
)}
# Every habit is declared: a habit added to the enum without its entry fails at import.
if set(RULES) != set(Habit):
    raise RuntimeError(f"habits without a RULES entry: {sorted(set(Habit) - set(RULES))}")


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


_TOKENS = str.maketrans({"0": "", "1": "i", "2": "d", "3": "d", "4": "L", "5": "Li", "6": "Ld",
                         "7": "Ld"})


def day_flags(bits: YearBits, since: date, days: int) -> str:
    """One character per day from `since`: "1" where the bitmap has the day, else "0"."""
    parts: list[str] = []
    day, left = since, days
    while left > 0:
        year_end = date(day.year, 12, 31)
        span = min(left, (year_end - day).days + 1)
        data = bits.get(day.year, b"")
        if data:
            row = bin(int.from_bytes(data, "big"))[2:].zfill(len(data) * 8)
            first = day.timetuple().tm_yday - 1
            parts.append(row[first:first + span].ljust(span, "0"))
        else:
            parts.append("0" * span)
        day += timedelta(days=span)
        left -= span
    return "".join(parts)


def working_flags(is_working_day: Callable[[date], bool], since: date, days: int) -> str:
    """One character per day from `since`: "1" on the person's working days."""
    return "".join("1" if is_working_day(since + timedelta(days=offset)) else "0"
                   for offset in range(days))


def streak(
    rule: HabitRule,
    done: YearBits,
    lapses: YearBits,
    *,
    is_working_day: Callable[[date], bool],
    working_days: frozenset[int],
    since: date,
    today: date,
    working: str | None = None,
) -> Streak:
    """The current and best streak of one habit, as of `today` (a local date).

    A streak counts practice days. Days that are not working days (weekends, days off,
    vacations, pauses) never break it; today never breaks it either, as it is not over yet.
    `working` (from `working_flags`) may be passed in when computing several habits at once.

    >>> rule = RULES[Habit.RECOGNISE]
    >>> log = with_bit({}, date(2026, 11, 20))
    >>> streak(rule, log, {}, is_working_day=lambda d: d.weekday() < 5,
    ...        working_days=frozenset(range(5)), since=date(2026, 11, 1),
    ...        today=date(2026, 11, 24)).current
    1
    """
    days = (today - since).days + 1
    if days <= 0:
        return Streak(rule.habit, 0, 0, 0, rule.weekly_target)
    practised = day_flags(done, since, days)
    lapsed = day_flags(lapses, since, days) if rule.lapses_break else "0" * days
    if working is None and rule.grace is not None:
        working = working_flags(is_working_day, since, days)
    # One token per day: "L" a lapse (first, so practice later that day still counts), "d"
    # practice, "i" an idle working day (never today), nothing for a neutral day. The three
    # flag strings are read as octal numbers (a day per digit) and added, so each digit codes
    # one day's flags; str.translate turns digits into tokens. All at C speed.
    idle = working[:-1] + "0" if working is not None and rule.grace is not None else "0" * days
    code = 4 * int(lapsed, 8) + 2 * int(practised, 8) + int(idle, 8)
    tokens = oct(code)[2:].zfill(days).translate(_TOKENS)
    breaker = "L" if rule.grace is None else f"L|i{{{rule.grace},}}"
    runs = re.split(breaker, tokens)
    current = runs[-1].count("d")
    best = max(run.count("d") for run in runs)
    start = max(week_start(today, working_days), since)
    this_week = practised[(start - since).days:].count("1")
    return Streak(rule.habit, current, best, this_week, rule.weekly_target)


def done_this_week(done: YearBits, *, working_days: frozenset[int], since: date, today: date) -> int:
    """Days practised this working week up to `today`: `streak(...).this_week`, read from the
    week's own bits (a week, where the streak reads the whole history).

    >>> done_this_week(with_bit({}, date(2026, 11, 23)), working_days=frozenset(range(5)),
    ...                since=date(2026, 1, 1), today=date(2026, 11, 25))
    1
    """
    start = max(week_start(today, working_days), since)
    return sum(has_bit(done, start + timedelta(days=offset))
               for offset in range((today - start).days + 1))


def streaks(
    done: Mapping[Habit, YearBits],
    lapses: YearBits,
    *,
    is_working_day: Callable[[date], bool],
    working_days: frozenset[int],
    since: date,
    today: date,
    working: str | None = None,
) -> list[Streak]:
    """Every habit's streak, sharing one pass over the calendar (`working`, when given, is
    the working-day flags from `since` to `today`)."""
    days = (today - since).days + 1
    if working is None:
        working = working_flags(is_working_day, since, max(days, 0))
    return [streak(rule, done.get(habit, {}), lapses, is_working_day=is_working_day,
                   working_days=working_days, since=since, today=today, working=working)
            for habit, rule in RULES.items()]
