"""The daily nudge: whether someone gets one today, when, and what it should be about.

At most one nudge a day, on working days only, chosen by priority:
1. promises due today or overdue;
2. a junior colleague from their teams to recognise (the one they recognised least recently);
3. a decision to hand over, when they handed none over this week;
4. a short tip tied to how their streaks stand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache

from habits.commitments import Commitment
from habits.people import Profile
from habits.streaks import Habit, Streak

SEARCH_DAYS = 800  # how far ahead to look for a working day before giving up


class NudgeKind(StrEnum):
    PROMISES = "promises"
    RECOGNISE = "recognise"
    HAND_OVER = "hand_over"
    TIP = "tip"


@dataclass(frozen=True, slots=True)
class NudgePlan:
    kind: NudgeKind
    promises: tuple[Commitment, ...] = ()
    junior: str | None = None
    habit: Habit | None = None


def nudges_on(profile: Profile, day: date) -> bool:
    """Does this person get a nudge on their local `day`?"""
    return profile.nudges_on and profile.is_working_day(day) and not profile.is_paused(day)


def next_nudge_at(profile: Profile, now: datetime) -> datetime | None:
    """The next moment, strictly after `now`, at the person's local nudge time on a day they
    get nudges. Computed from the local date each time, so 09:30 stays 09:30 across DST."""
    if not profile.nudges_on:
        return None
    today = profile.local_date(now)
    for offset in range(SEARCH_DAYS):
        day = today + timedelta(days=offset)
        if not nudges_on(profile, day):
            continue
        moment = datetime.combine(day, profile.nudge_time, tzinfo=profile.zone)
        if moment > now:
            return moment
    return None


def end_of(day: date, profile: Profile) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=profile.zone)


def plan(
    profile: Profile,
    day: date,
    open_promises: Sequence[Commitment],
    juniors: Sequence[tuple[str, date | None]],
    handed_over_this_week: bool,
    streaks: Sequence[Streak] | Callable[[], Sequence[Streak]],
) -> NudgePlan | None:
    """What today's nudge is about, or None when there is to be no nudge today.

    `juniors` are (user id, the day this person last recognised them, or None), from the
    person's teams; the person themselves is never suggested. `streaks` may be given as a
    function, called only when the choice depends on them.
    """
    if not nudges_on(profile, day):
        return None
    cutoff = end_of(day, profile)
    due = tuple(c for c in open_promises if c.is_open and c.due is not None and c.due <= cutoff)
    if due:
        return NudgePlan(NudgeKind.PROMISES, promises=tuple(sorted(due, key=_due_key)))
    standing: Callable[[], Sequence[Streak]] = \
        cache(streaks) if callable(streaks) else (lambda: streaks)
    candidates = [(user, last) for user, last in juniors if user != profile.person.user]
    if candidates and not any(s.habit is Habit.RECOGNISE_JUNIOR and s.week_done
                              for s in standing()):
        user, _ = min(candidates, key=lambda c: (c[1] or date.min, c[0]))
        return NudgePlan(NudgeKind.RECOGNISE, junior=user)
    if not handed_over_this_week:
        return NudgePlan(NudgeKind.HAND_OVER)
    weakest = min(standing(), key=lambda s: (s.week_done, s.current, s.habit.value)) \
        if standing() else None
    return NudgePlan(NudgeKind.TIP, habit=weakest.habit if weakest else Habit.KEEP)


def _due_key(commitment: Commitment) -> datetime:
    assert commitment.due is not None
    return commitment.due
