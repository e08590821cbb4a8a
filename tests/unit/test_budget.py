"""The notification budget's rules, for any person, zone and moment (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from habits.budget import (
    BACK_OFF_AFTER,
    catch_up,
    follow_up_at,
    hours,
    morning_day,
    next_morning,
    within_hours,
    writes_on,
)
from habits.commitments import Commitment
from habits.people import PersonRef, Profile, TimeOff

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Tokyo",
         "America/Los_Angeles", "Australia/Lord_Howe", "Pacific/Chatham", "UTC"]
ME = PersonRef("console", "local", "ana")


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    start = draw(st.integers(5 * 60, 11 * 60))
    end = draw(st.integers(start + 60, min(start + 12 * 60, 23 * 60 + 59)))
    nudge = draw(st.integers(start, end - 2))
    days = frozenset(draw(st.sets(st.integers(0, 6), min_size=1)))
    first = draw(st.dates(date(2026, 1, 1), date(2028, 12, 31)))
    away = (TimeOff(first, first + timedelta(days=draw(st.integers(0, 20)))),) \
        if draw(st.booleans()) else ()
    return Profile(ME, tz=draw(st.sampled_from(ZONES)), working_days=days,
                   work_start=time(start // 60, start % 60), work_end=time(end // 60, end % 60),
                   nudge_time=time(nudge // 60, nudge % 60), time_off=away, enrolled=True,
                   quiet_days=draw(st.integers(0, BACK_OFF_AFTER + 3)))


moments = st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC))


@settings(max_examples=300, deadline=None)
@given(profiles(), moments)
def test_the_next_morning_is_within_working_hours_on_a_day_rapport_may_write(
        profile: Profile, now: datetime) -> None:
    moment = next_morning(profile, now)
    assert moment is not None and moment > now
    assert within_hours(profile, moment)
    assert morning_day(profile, profile.local_date(moment))


@settings(max_examples=300, deadline=None)
@given(profiles(), moments, st.lists(st.integers(0, 48 * 60), max_size=8))
def test_the_follow_up_is_within_hours_and_after_every_promise_it_asks_about(
        profile: Profile, now: datetime, offsets: list[int]) -> None:
    promises = [Commitment(ME, n, "x", created_at=now, due=now + timedelta(minutes=m))
                for n, m in enumerate(offsets, start=1)]
    for day in {profile.local_date(p.due) for p in promises if p.due}:
        moment = follow_up_at(profile, day, promises)
        if moment is None:
            continue
        assert within_hours(profile, moment) and profile.local_date(moment) == day
        assert profile.quiet_days < BACK_OFF_AFTER


@settings(max_examples=300, deadline=None)
@given(profiles(), moments)
def test_catch_up_never_outside_hours_and_never_for_another_day(
        profile: Profile, now: datetime) -> None:
    if catch_up(profile, now):
        start, end = hours(profile, profile.local_date(now))
        assert start <= now < end and writes_on(profile, profile.local_date(now))


def test_nobody_unenrolled_or_paused_or_with_nudges_off_gets_a_morning() -> None:
    now = datetime(2026, 12, 2, 8, tzinfo=UTC)
    for profile in (Profile(ME), Profile(ME, enrolled=True, nudges_on=False),
                    Profile(ME, enrolled=True, paused_until=date.max)):
        assert next_morning(profile, now) is None


def test_backed_off_people_get_one_morning_a_week() -> None:
    profile = Profile(ME, enrolled=True, quiet_days=BACK_OFF_AFTER + 1)
    now = datetime(2026, 12, 2, 8, tzinfo=UTC)  # a Wednesday
    found = []
    for _ in range(4):
        moment = next_morning(profile, now)
        assert moment is not None
        found.append(moment.date().isoformat())
        now = moment
    assert found == ["2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28"]  # Mondays
