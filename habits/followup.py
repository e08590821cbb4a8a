"""When Rapport follows up on a promise: the reminder, the "did you keep it?", the lapse.

Pure rules over a commitment and its owner's calendar; docs/followup.md says them in words.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from habits.commitments import Commitment
from habits.people import Profile

LONG_PROMISE = timedelta(days=2)     # made this far ahead: remind the working day before
UNDATED_CHECK_IN = 2                 # working days after an undated promise, ask how it went
END_OF_DAY = time(23, 59)


def at_local(day: date, moment: time, profile: Profile) -> datetime:
    """`moment` on `day` in the person's zone (a time skipped by DST lands just after the gap)."""
    return datetime.combine(day, moment, tzinfo=profile.zone)


def working_day_after(day: date, profile: Profile, steps: int = 1) -> date:
    """The `steps`-th working day after `day` (days off and vacations skipped)."""
    for _ in range(366 * 2):
        day += timedelta(days=1)
        if profile.is_working_day(day):
            steps -= 1
            if steps == 0:
                return day
    return day  # nobody works: give up after two years rather than loop forever


def working_day_before(day: date, profile: Profile) -> date:
    for _ in range(366 * 2):
        day -= timedelta(days=1)
        if profile.is_working_day(day):
            return day
    return day


def reminder_at(commitment: Commitment, profile: Profile) -> datetime | None:
    """The morning reminder: the due day's nudge time, or the working day before for promises
    made more than two days ahead (or due before that morning's nudge). None when that moment
    is not strictly between the promise being made and being due.
    """
    if commitment.due is None:
        return None
    due_day = profile.local_date(commitment.due)
    day = due_day
    if commitment.due - commitment.created_at >= LONG_PROMISE or (
        at_local(day, profile.nudge_time, profile) >= commitment.due
    ):
        day = working_day_before(due_day, profile)
    moment = at_local(day, profile.nudge_time, profile)
    if not commitment.created_at < moment < commitment.due:
        return None
    return moment


def ask_at(commitment: Commitment, profile: Profile) -> datetime:
    """When to ask "Did you keep it?": at the due moment; for an undated promise, at the nudge
    time two working days after it was made."""
    if commitment.due is not None:
        return commitment.due
    made = profile.local_date(commitment.created_at)
    return at_local(working_day_after(made, profile, UNDATED_CHECK_IN), profile.nudge_time, profile)


def lapse_at(commitment: Commitment, profile: Profile) -> datetime | None:
    """When an unanswered promise counts as lapsed: the end of the first working day after the
    day it was due. Undated promises never lapse."""
    if commitment.due is None:
        return None
    return at_local(working_day_after(profile.local_date(commitment.due), profile),
                    END_OF_DAY, profile)
