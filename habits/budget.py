"""The notification budget: when Rapport may write to someone who did not just ask it something.

One place decides, for every scheduled message (the morning nudge, the one follow-up a day, the
weekly digest, a snoozed nudge); docs/followup.md says the rules in words:

- *Working hours* (09:00-18:00 local unless the person set others), on working days only; never
  on days off, on vacation, while paused, with nudges off, or to someone who never enrolled.
- *Bundling*: at most two scheduled messages a working day: the morning nudge, which carries
  everything due, and at most one follow-up later that day for promises due within hours.
- *Back-off*: after `BACK_OFF_AFTER` mornings with no interaction at all, one message says
  Rapport will write weekly, then at most one morning a week until the person answers.
- *Catch-up*: a morning missed by downtime still goes the same local day while working hours
  remain; yesterday's never goes.

>>> from habits.people import PersonRef, Profile
>>> p = Profile(PersonRef("console", "local", "ana"), enrolled=True)
>>> morning_at(p, date(2026, 12, 7)).isoformat()
'2026-12-07T09:30:00+00:00'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from habits.commitments import Commitment
from habits.people import Profile

BACK_OFF_AFTER = 5      # mornings sent with no interaction before writing weekly instead
SEARCH_DAYS = 800       # how far ahead to look for a day Rapport may write on
LAST_CALL = timedelta(minutes=1)  # nothing scheduled starts in the last minute of the hours


def writes_on(profile: Profile, day: date) -> bool:
    """May Rapport write unasked to this person on their local `day` at all?"""
    return (profile.enrolled and profile.nudges_on and profile.is_working_day(day)
            and not profile.is_paused(day))


def backing_off(profile: Profile) -> bool:
    """`BACK_OFF_AFTER` mornings went unanswered: the next one says Rapport goes weekly."""
    return profile.quiet_days == BACK_OFF_AFTER


def weekly(profile: Profile) -> bool:
    """Backed off, and told so: at most one morning a week until the person answers."""
    return profile.quiet_days > BACK_OFF_AFTER


def hours(profile: Profile, day: date) -> tuple[datetime, datetime]:
    """The person's working hours on `day`, as aware moments (DST-safe: built from local time)."""
    start = datetime.combine(day, profile.work_start, tzinfo=profile.zone)
    end = datetime.combine(day, profile.work_end, tzinfo=profile.zone)
    return start, max(end, start)


def within_hours(profile: Profile, moment: datetime) -> bool:
    """Is `moment` inside the person's working hours on a day Rapport may write to them?"""
    day = profile.local_date(moment)
    if not writes_on(profile, day):
        return False
    start, end = hours(profile, day)
    return start <= moment < end


def morning_time(profile: Profile) -> time:
    """The morning nudge's local time: the chosen nudge time, kept inside working hours."""
    latest = (datetime.combine(date.min, profile.work_end) - LAST_CALL).time() \
        if profile.work_end > time(0, 1) else profile.work_end
    return min(max(profile.nudge_time, profile.work_start), max(latest, profile.work_start))


def morning_at(profile: Profile, day: date) -> datetime:
    return datetime.combine(day, morning_time(profile), tzinfo=profile.zone)


def first_of_week(profile: Profile, day: date) -> bool:
    """Is `day` the first day of its Monday-to-Sunday week that Rapport may write on?"""
    monday = day - timedelta(days=day.weekday())
    return not any(writes_on(profile, monday + timedelta(days=n)) for n in range(day.weekday()))


def morning_day(profile: Profile, day: date) -> bool:
    """Does `day` get a morning nudge (the cadence included: weekly ones on the week's first)?"""
    return writes_on(profile, day) and (not weekly(profile) or first_of_week(profile, day))


def next_morning(profile: Profile, now: datetime) -> datetime | None:
    """The next morning nudge strictly after `now`; None when there is none to plan."""
    if not (profile.enrolled and profile.nudges_on):
        return None
    today = profile.local_date(now)
    for offset in range(SEARCH_DAYS):
        day = today + timedelta(days=offset)
        if morning_day(profile, day) and (moment := morning_at(profile, day)) > now:
            return moment
    return None


def catch_up(profile: Profile, now: datetime) -> bool:
    """May a morning nudge still go out now for today (missed by downtime, say)?

    Yes from today's morning moment while working hours remain; never for another day.
    """
    day = profile.local_date(now)
    _, end = hours(profile, day)
    return morning_day(profile, day) and morning_at(profile, day) <= now < end - LAST_CALL


def follow_up_at(profile: Profile, day: date, promises: Iterable[Commitment]) -> datetime | None:
    """The one follow-up of `day`: at the last due moment among the open promises due that day
    after the morning nudge and within working hours. Promises due after hours are asked about
    in the next working morning's nudge instead. None: no follow-up that day."""
    if not writes_on(profile, day) or profile.quiet_days >= BACK_OFF_AFTER:
        return None
    morning = morning_at(profile, day)
    _, end = hours(profile, day)
    moments = [c.due for c in promises
               if c.is_open and c.due is not None and morning < c.due <= end - LAST_CALL
               and profile.local_date(c.due) == day]
    return max(moments) if moments else None


def due_within(day: date, profile: Profile, promises: Iterable[Commitment],
               before: datetime) -> list[Commitment]:
    """Open promises due on the local `day` at or before `before`, soonest first."""
    found = [c for c in promises if c.is_open and c.due is not None and c.due <= before
             and profile.local_date(c.due) == day]
    return sorted(found, key=lambda c: (c.due or before, c.number))
