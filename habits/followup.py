"""When Rapport follows up on a promise: the heads-up, the "did you keep it?", the lapse.

Pure rules over a commitment and its owner's calendar; docs/followup.md says them in words.
Nothing here sends: the morning nudge and the one follow-up a day (habits.budget) carry them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from habits.budget import follow_up_at, hours, morning_at, writes_on
from habits.commitments import Commitment
from habits.people import Profile

LONG_PROMISE = timedelta(days=2)     # made this far ahead: a heads-up the working day before
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


def heads_up_day(commitment: Commitment, profile: Profile) -> date | None:
    """The working morning before the due day whose nudge gives a heads-up: for promises made
    more than two days ahead, or due before the due day's own morning nudge. None otherwise
    (the due day's morning nudge lists it), or when that morning is not after it was made."""
    if commitment.due is None:
        return None
    due_day = profile.local_date(commitment.due)
    if commitment.due - commitment.created_at < LONG_PROMISE and \
            morning_at(profile, due_day) < commitment.due:
        return None
    day = working_day_before(due_day, profile)
    return day if commitment.created_at < morning_at(profile, day) < commitment.due else None


def ask_at(commitment: Commitment, profile: Profile) -> datetime:
    """When Rapport asks "Did you keep it?": the day's follow-up when the promise falls due
    within working hours after the morning nudge, otherwise the next working morning after
    its due moment. Undated promises: the morning two working days after they were made."""
    if commitment.due is None:
        made = profile.local_date(commitment.created_at)
        return morning_at(profile, working_day_after(made, profile, UNDATED_CHECK_IN))
    due_day = profile.local_date(commitment.due)
    later = follow_up_at(profile, due_day, [commitment])
    if later is not None:
        return later
    day = due_day
    if not writes_on(profile, day) or morning_at(profile, day) < commitment.due:
        day = working_day_after(due_day, profile)
    return morning_at(profile, day)


def lapse_at(commitment: Commitment, profile: Profile) -> datetime | None:
    """When an unanswered promise counts as lapsed: the end of the first working day after the
    day it was due (vacations skipped, so time away never lapses a promise). Undated promises
    never lapse."""
    if commitment.due is None:
        return None
    return at_local(working_day_after(profile.local_date(commitment.due), profile),
                    END_OF_DAY, profile)


def due_while_away(commitments: list[Commitment], profile: Profile,
                   first: date, last: date) -> list[Commitment]:
    """Open promises falling due between `first` and `last` (local days, both included)."""
    return [c for c in commitments if c.is_open and c.due is not None
            and first <= profile.local_date(c.due) <= last]


def still_in_hours(profile: Profile, moment: datetime) -> bool:
    """Is there working time left in the person's local day at `moment`?"""
    return moment < hours(profile, profile.local_date(moment))[1]
