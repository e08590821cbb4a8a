"""Due-date parsing with a fixed `now`, across zones, DST changes, month and year ends."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from habits.detection import parse_due

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
SYDNEY = ZoneInfo("Australia/Sydney")
UTC = ZoneInfo("UTC")

TUE = datetime(2026, 11, 24, 10, 15, tzinfo=LONDON)  # Tuesday 10:15


def elapsed(a: datetime, b: datetime) -> timedelta:
    """Real time between two instants (same-zone subtraction in Python is wall-clock)."""
    return a.astimezone(UTC) - b.astimezone(UTC)


def at(y: int, mo: int, d: int, h: int = 17, mi: int = 0, tz: ZoneInfo = LONDON) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=tz)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        # bare phrases as used by "/promise <what> by <when>"
        ("friday", at(2026, 11, 27)),
        ("Fri", at(2026, 11, 27)),
        ("tomorrow 3pm", at(2026, 11, 25, 15)),
        ("2026-12-05", at(2026, 12, 5)),
        ("in 3 days", at(2026, 11, 27)),
        ("next tuesday", at(2026, 12, 1)),
        ("eod", at(2026, 11, 24)),
        ("COB", at(2026, 11, 24)),
        ("end of day", at(2026, 11, 24)),
        ("tonight", at(2026, 11, 24, 21)),
        ("this afternoon", at(2026, 11, 24, 17)),
        ("this morning", at(2026, 11, 24, 12)),
        ("later today", at(2026, 11, 24)),
        ("today", at(2026, 11, 24)),
        ("tmrw", at(2026, 11, 25)),
        ("tmr", at(2026, 11, 25)),
        ("2moro", at(2026, 11, 25)),
        ("tomorrow morning", at(2026, 11, 25, 12)),
        ("first thing tomorrow", at(2026, 11, 25, 10)),
        ("day after tomorrow", at(2026, 11, 26)),
        ("by Friday 3pm", at(2026, 11, 27, 15)),
        ("Friday at 10", at(2026, 11, 27, 10)),
        ("Monday EOD", at(2026, 11, 30)),
        ("EOD Monday", at(2026, 11, 30)),
        ("end of week", at(2026, 11, 27)),
        ("EOW", at(2026, 11, 27)),
        ("by the weekend", at(2026, 11, 27)),
        ("this weekend", at(2026, 11, 29)),
        ("next week", at(2026, 12, 4)),
        ("early next week", at(2026, 12, 1)),
        ("end of next week", at(2026, 12, 4)),
        ("end of month", at(2026, 11, 30)),
        ("next month", at(2026, 12, 31)),
        ("Dec 5", at(2026, 12, 5)),
        ("5 Dec", at(2026, 12, 5)),
        ("2 December", at(2026, 12, 2)),
        ("December 5th, 2027", at(2027, 12, 5)),
        ("12/5", at(2026, 12, 5)),  # US month/day
        ("25/12", at(2026, 12, 25)),  # only valid as day/month
        ("the 1st", at(2026, 12, 1)),
        ("on the 30th", at(2026, 11, 30)),
        ("in two days", at(2026, 11, 26)),
        ("in a week", at(2026, 12, 1)),
        ("in 2 hours", at(2026, 11, 24, 12, 15)),
        ("within the hour", at(2026, 11, 24, 11, 15)),
        ("in a bit", at(2026, 11, 24, 11, 15)),
        ("in half an hour", at(2026, 11, 24, 10, 45)),
        ("by 3pm", at(2026, 11, 24, 15)),
        ("at 15:00", at(2026, 11, 24, 15)),
        ("by noon", at(2026, 11, 24, 12)),
        ("by 5", at(2026, 11, 24, 17)),  # a bare 1-7 o'clock is the afternoon
        ("at 9", at(2026, 11, 25, 9)),  # 09:00 already passed today
        ("after lunch", at(2026, 11, 24, 14)),
        ("asap", at(2026, 11, 24)),
    ],
)
def test_phrases_on_a_tuesday_morning(phrase: str, expected: datetime) -> None:
    assert parse_due(phrase, now=TUE, tz=LONDON) == expected


@pytest.mark.parametrize(
    "text", ["", "whenever", "soon", "I sat down", "1/2 of it", "it runs 24/7", "Tuesday's notes", "v1.2"]
)
def test_no_due(text: str) -> None:
    assert parse_due(text, now=TUE, tz=LONDON) is None


def test_same_weekday_means_next_week_but_this_means_today() -> None:
    fri = datetime(2026, 11, 27, 10, tzinfo=LONDON)
    assert parse_due("by Friday", now=fri, tz=LONDON) == at(2026, 12, 4)
    assert parse_due("this friday", now=fri, tz=LONDON) == at(2026, 11, 27)


def test_past_times_roll_forward() -> None:
    evening = datetime(2026, 11, 24, 19, 30, tzinfo=LONDON)
    assert parse_due("by 3pm", now=evening, tz=LONDON) == at(2026, 11, 25, 15)
    # same-day phrases stay on the same day: the end of it
    assert parse_due("EOD", now=evening, tz=LONDON) == at(2026, 11, 24, 23, 59)
    assert parse_due("today", now=evening, tz=LONDON) == at(2026, 11, 24, 23, 59)
    dec10 = datetime(2026, 12, 10, 9, tzinfo=LONDON)
    assert parse_due("Dec 5", now=dec10, tz=LONDON) == at(2027, 12, 5)
    assert parse_due("the 1st", now=dec10, tz=LONDON) == at(2027, 1, 1)


def test_explicit_past_date_is_ignored() -> None:
    assert parse_due("2025-01-01", now=TUE, tz=LONDON) is None


def test_tomorrow_after_midnight_means_the_coming_day() -> None:
    late = datetime(2026, 11, 25, 1, 30, tzinfo=LONDON)
    assert parse_due("tomorrow", now=late, tz=LONDON) == at(2026, 11, 25)


def test_month_ends() -> None:
    jan31 = datetime(2026, 1, 31, 9, tzinfo=LONDON)
    assert parse_due("next month", now=jan31, tz=LONDON) == at(2026, 2, 28)
    assert parse_due("end of month", now=jan31, tz=LONDON) == at(2026, 1, 31)
    assert parse_due("tomorrow", now=jan31, tz=LONDON) == at(2026, 2, 1)
    feb10 = datetime(2026, 2, 10, 9, tzinfo=LONDON)
    assert parse_due("by the 30th", now=feb10, tz=LONDON) == at(2026, 3, 30)
    assert parse_due("Feb 30", now=feb10, tz=LONDON) is None


def test_year_end() -> None:
    dec30 = datetime(2026, 12, 30, 15, tzinfo=NEW_YORK)  # a Wednesday
    assert parse_due("Jan 2", now=dec30, tz=NEW_YORK) == at(2027, 1, 2, tz=NEW_YORK)
    assert parse_due("in 3 days", now=dec30, tz=NEW_YORK) == at(2027, 1, 2, tz=NEW_YORK)
    assert parse_due("next week", now=dec30, tz=NEW_YORK) == at(2027, 1, 8, tz=NEW_YORK)
    assert parse_due("12/31", now=dec30, tz=NEW_YORK) == at(2026, 12, 31, tz=NEW_YORK)
    dec31 = datetime(2026, 12, 31, 20, tzinfo=NEW_YORK)
    assert parse_due("tmrw", now=dec31, tz=NEW_YORK) == at(2027, 1, 1, tz=NEW_YORK)
    assert parse_due("end of month", now=dec31, tz=NEW_YORK) == at(2026, 12, 31, 23, 59, NEW_YORK)


def test_new_york_spring_forward() -> None:
    sat = datetime(2026, 3, 7, 15, tzinfo=NEW_YORK)  # the clocks go forward Sunday 02:00
    due = parse_due("tomorrow", now=sat, tz=NEW_YORK)
    assert due == at(2026, 3, 8, tz=NEW_YORK)
    assert due is not None and due.utcoffset() == timedelta(hours=-4)
    # 02:30 does not exist on that day: it becomes the real instant an hour later
    gap = parse_due("tomorrow 2:30am", now=sat, tz=NEW_YORK)
    assert gap is not None and (gap.hour, gap.minute) == (3, 30)
    # "in 3 hours" is three real hours, across the gap
    night = datetime(2026, 3, 8, 0, 30, tzinfo=NEW_YORK)
    due = parse_due("in 3 hours", now=night, tz=NEW_YORK)
    assert due == datetime(2026, 3, 8, 4, 30, tzinfo=NEW_YORK)
    assert due is not None and elapsed(due, night) == timedelta(hours=3)


def test_new_york_fall_back() -> None:
    night = datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK)  # EDT; 01:00-02:00 happens twice
    due = parse_due("in 2 hours", now=night, tz=NEW_YORK)
    assert due is not None and elapsed(due, night) == timedelta(hours=2)
    assert due.utcoffset() == timedelta(hours=-5)
    sat = datetime(2026, 10, 31, 12, tzinfo=NEW_YORK)
    assert parse_due("Sunday", now=sat, tz=NEW_YORK) == at(2026, 11, 1, tz=NEW_YORK)


def test_london_clock_changes() -> None:
    sat = datetime(2026, 3, 28, 12, tzinfo=LONDON)
    due = parse_due("tomorrow", now=sat, tz=LONDON)
    assert due is not None and due.utcoffset() == timedelta(hours=1)
    assert due.date().isoformat() == "2026-03-29"
    late = datetime(2026, 10, 24, 23, 30, tzinfo=LONDON)  # BST; clocks go back at 02:00
    due = parse_due("in 2 hours", now=late, tz=LONDON)
    assert due is not None and elapsed(due, late) == timedelta(hours=2)
    assert due.date().isoformat() == "2026-10-25"
    assert parse_due("by 9am", now=late, tz=LONDON) == at(2026, 10, 25, 9)


def test_now_in_another_offset_is_read_in_the_authors_zone() -> None:
    utc_evening = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # 01:45 Wed in Kathmandu
    assert parse_due("tomorrow", now=utc_evening, tz=KATHMANDU) == at(2026, 11, 25, tz=KATHMANDU)
    assert parse_due("by 9am", now=utc_evening, tz=KATHMANDU) == at(2026, 11, 25, 9, tz=KATHMANDU)
    assert parse_due("friday", now=utc_evening, tz=SYDNEY) == at(2026, 11, 27, tz=SYDNEY)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_due("tomorrow", now=datetime(2026, 1, 1), tz=LONDON)


# --- the shared date grammar, made stricter (issue 18) ------------------------------------------


def test_date_grammar_additions() -> None:
    from habits.detection import parse_due_phrase

    tz = ZoneInfo("Europe/London")
    now = datetime(2026, 11, 24, 10, 5, tzinfo=tz)  # a Tuesday

    def day(text: str) -> str | None:
        got = parse_due(text, now=now, tz=tz)
        return got.date().isoformat() if got else None

    assert day("in two weeks") == "2026-12-08"
    assert day("in 3 days") == "2026-11-27"
    assert parse_due("this afternoon", now=now, tz=tz) == datetime(2026, 11, 24, 17, tzinfo=tz)
    assert day("by 31 Feb") is None
    assert day("by Monday 25:00") is None
    assert day("at 13pm") is None
    assert day("on 07.01.") == "2027-01-07"  # day first, with dots
    assert day("by frday") == "2026-11-27"
    assert day("this arvo") == "2026-11-24"
    assert day("for now") is None
    past = parse_due_phrase("by yesterday", now=now, tz=tz)
    assert past is not None and past.past and past.due < now
    future = parse_due_phrase("by Friday", now=now, tz=tz)
    assert future is not None and not future.past
