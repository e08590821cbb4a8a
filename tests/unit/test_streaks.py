"""Streak maths over per-day bitmaps, in people's own calendars."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from habits.people import MONDAY_TO_FRIDAY, SUNDAY_TO_THURSDAY, PersonRef, Profile, TimeOff
from habits.streaks import RULES, Habit, HabitRule, done_this_week, has_bit, streak, week_start, with_bit

ZONES = ["Asia/Kathmandu", "America/St_Johns", "Pacific/Kiritimati", "Europe/London",
         "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "UTC"]
ME = PersonRef("console", "local", "me")


def bits_of(days: set[date]) -> dict[int, bytes]:
    bits: dict[int, bytes] = {}
    for day in days:
        bits = with_bit(bits, day)
    return bits


def reference_current(rule: HabitRule, done: set[date], lapses: set[date],
                      working: Callable[[date], bool], since: date, today: date) -> int:
    """Walk back from today: count practice days until a lapse or too long an idle run."""
    count = idle = 0
    day = today
    while day >= since:
        if day in done:
            count += 1
            idle = 0
        elif day != today and rule.grace is not None and working(day):
            idle += 1
            if idle >= rule.grace:
                return count
        if rule.lapses_break and day in lapses:
            return count
        day -= timedelta(days=1)
    return count


days_strategy = st.sets(st.integers(min_value=0, max_value=119), max_size=80)


@given(
    habit=st.sampled_from(list(Habit)),
    done_offsets=days_strategy,
    lapse_offsets=st.sets(st.integers(min_value=0, max_value=119), max_size=6),
    weekdays=st.sets(st.integers(min_value=0, max_value=6), min_size=1),
    start=st.dates(min_value=date(2023, 10, 1), max_value=date(2027, 12, 1)),
)
@settings(max_examples=300, deadline=None)
def test_streak_matches_a_walk_back_from_today(
    habit: Habit, done_offsets: set[int], lapse_offsets: set[int], weekdays: set[int], start: date,
) -> None:
    rule = RULES[habit]
    today = start + timedelta(days=119)
    done = {start + timedelta(days=o) for o in done_offsets}
    lapses = {start + timedelta(days=o) for o in lapse_offsets}

    def working(day: date) -> bool:
        return day.weekday() in weekdays

    result = streak(rule, bits_of(done), bits_of(lapses), is_working_day=working,
                    working_days=frozenset(weekdays), since=start, today=today)
    assert result.current == reference_current(rule, done, lapses, working, start, today)
    assert 0 <= result.current <= result.best <= len(done)


@given(
    zone_name=st.sampled_from(ZONES),
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    length=st.integers(min_value=1, max_value=400),
    minute_of_day=st.integers(min_value=0, max_value=24 * 60 - 1),
    sunday_week=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_practising_every_working_day_counts_each_day_once_across_dst_and_year_ends(
    zone_name: str, start: date, length: int, minute_of_day: int, sunday_week: bool,
) -> None:
    """One practice per local working day, stored by UTC instant, gives one bit per day."""
    week = SUNDAY_TO_THURSDAY if sunday_week else MONDAY_TO_FRIDAY
    profile = Profile(ME, tz=zone_name, working_days=week)
    tz = ZoneInfo(zone_name)
    at = time(minute_of_day // 60, minute_of_day % 60)
    bits: dict[int, bytes] = {}
    practised = 0
    for offset in range(length):
        day = start + timedelta(days=offset)
        if not profile.is_working_day(day):
            continue
        instant = datetime.combine(day, at, tzinfo=tz).astimezone(UTC)  # as a server records it
        local_day = profile.local_date(instant)
        assert local_day == day
        bits = with_bit(bits, local_day)
        practised += 1
    today = start + timedelta(days=length - 1)
    for habit in (Habit.RECOGNISE, Habit.KEEP):
        result = streak(RULES[habit], bits, {}, is_working_day=profile.is_working_day,
                        working_days=week, since=start, today=today)
        assert result.current == practised
        assert result.best == practised


@given(
    done_offsets=days_strategy,
    away=st.lists(st.tuples(st.integers(0, 119), st.integers(0, 20)), max_size=4),
    habit=st.sampled_from([Habit.RECOGNISE, Habit.RECOGNISE_JUNIOR, Habit.HAND_OVER]),
)
@settings(max_examples=200, deadline=None)
def test_time_off_never_breaks_a_streak(
    done_offsets: set[int], away: list[tuple[int, int]], habit: Habit,
) -> None:
    start, today = date(2026, 8, 1), date(2026, 8, 1) + timedelta(days=119)
    done = bits_of({start + timedelta(days=o) for o in done_offsets})
    spans = tuple(TimeOff(start + timedelta(days=a), start + timedelta(days=a + n))
                  for a, n in away)
    plain = Profile(ME)
    on_leave = Profile(ME, time_off=spans)
    before = streak(RULES[habit], done, {}, is_working_day=plain.is_working_day,
                    working_days=plain.working_days, since=start, today=today)
    after = streak(RULES[habit], done, {}, is_working_day=on_leave.is_working_day,
                   working_days=on_leave.working_days, since=start, today=today)
    assert after.current >= before.current


def test_weekends_do_not_break_a_recognition_streak() -> None:
    profile = Profile(ME)
    # Practised Mon 16 to Fri 20 Nov 2026, nothing on the weekend, today is Monday 23.
    done = bits_of({date(2026, 11, d) for d in range(16, 21)})
    result = streak(RULES[Habit.RECOGNISE], done, {}, is_working_day=profile.is_working_day,
                    working_days=profile.working_days, since=date(2026, 11, 1),
                    today=date(2026, 11, 23))
    assert result.current == 5


def test_a_working_week_of_silence_ends_a_recognition_streak() -> None:
    profile = Profile(ME)
    done = bits_of({date(2026, 11, 2), date(2026, 11, 3)})
    result = streak(RULES[Habit.RECOGNISE], done, {}, is_working_day=profile.is_working_day,
                    working_days=profile.working_days, since=date(2026, 11, 1),
                    today=date(2026, 11, 11))
    assert (result.current, result.best) == (0, 2)


def test_a_silent_lapse_ends_the_keep_streak_but_quiet_days_do_not() -> None:
    profile = Profile(ME)
    done = bits_of({date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 19)})
    quiet = streak(RULES[Habit.KEEP], done, {}, is_working_day=profile.is_working_day,
                   working_days=profile.working_days, since=date(2026, 11, 1),
                   today=date(2026, 11, 24))
    lapsed = streak(RULES[Habit.KEEP], done, bits_of({date(2026, 11, 10)}),
                    is_working_day=profile.is_working_day, working_days=profile.working_days,
                    since=date(2026, 11, 1), today=date(2026, 11, 24))
    assert quiet.current == 3
    assert (lapsed.current, lapsed.best) == (1, 2)


def test_sunday_to_thursday_week_starts_on_sunday_and_skips_friday_and_saturday() -> None:
    profile = Profile(ME, working_days=SUNDAY_TO_THURSDAY)
    assert week_start(date(2026, 11, 26), SUNDAY_TO_THURSDAY) == date(2026, 11, 22)
    done = bits_of({date(2026, 11, d) for d in (22, 23, 24, 25, 26, 29)})
    result = streak(RULES[Habit.RECOGNISE], done, {}, is_working_day=profile.is_working_day,
                    working_days=SUNDAY_TO_THURSDAY, since=date(2026, 11, 1),
                    today=date(2026, 11, 29))
    assert result.current == 6
    assert result.this_week == 1


def test_bits_cover_leap_year_ends() -> None:
    bits = bits_of({date(2024, 12, 31), date(2025, 1, 1)})
    assert has_bit(bits, date(2024, 12, 31)) and has_bit(bits, date(2025, 1, 1))
    assert not has_bit(bits, date(2024, 12, 30))
    assert len(bits[2024]) == 46  # one bit a day: a whole year fits in 46 bytes


@given(
    weekdays=st.sets(st.integers(min_value=0, max_value=6), min_size=1),
    away=st.lists(st.tuples(st.integers(-30, 400), st.integers(0, 40)), max_size=4),
    since=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 1, 1)),
    days=st.integers(min_value=1, max_value=400),
)
@settings(max_examples=200, deadline=None)
def test_working_flags_agree_with_is_working_day(
    weekdays: set[int], away: list[tuple[int, int]], since: date, days: int,
) -> None:
    spans = tuple(TimeOff(since + timedelta(days=a), since + timedelta(days=a + n)) for a, n in away)
    profile = Profile(ME, working_days=frozenset(weekdays), time_off=spans)
    flags = profile.working_flags(since, days)
    assert flags == "".join("1" if profile.is_working_day(since + timedelta(days=i)) else "0"
                            for i in range(days))


@settings(max_examples=300, deadline=None)
@given(days=st.lists(st.integers(0, 800), max_size=40), lapse_days=st.lists(st.integers(0, 800), max_size=5),
       span=st.integers(0, 800), first=st.integers(0, 30),
       week=st.sampled_from([MONDAY_TO_FRIDAY, SUNDAY_TO_THURSDAY, frozenset(range(7)),
                             frozenset({0, 2, 4})]),
       habit=st.sampled_from(list(Habit)))
def test_done_this_week_is_the_streaks_count_of_the_week(
        days: list[int], lapse_days: list[int], span: int, first: int, week: frozenset[int],
        habit: Habit) -> None:
    # The morning nudge asks only "is the week's target met?" (bot.progress.week_done_from).
    since = date(2025, 1, 1) + timedelta(days=first)
    today = since + timedelta(days=span)
    done: dict[int, bytes] = {}
    for offset in days:
        done = with_bit(done, date(2025, 1, 1) + timedelta(days=offset))
    lapses: dict[int, bytes] = {}
    for offset in lapse_days:
        lapses = with_bit(lapses, date(2025, 1, 1) + timedelta(days=offset))
    whole = streak(RULES[habit], done, lapses, is_working_day=lambda d: d.weekday() in week,
                   working_days=week, since=since, today=today)
    assert done_this_week(done, working_days=week, since=since, today=today) == whole.this_week
