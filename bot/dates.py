"""Dates people type into commands, read with detection's one date grammar (parse_due).

This is a thin layer over `habits.detection.due`: the grammar itself lives there, so that
`/promise`, the buttons, vacation, pause and chat detection all read "in two weeks" alike.
What this layer adds is the honest answer when a date cannot be used: a phrase that looks
like a date but is not one ("31 Feb", "25:00"), or one that has already passed ("yesterday",
"last Friday", "2026-11-01"). Such a phrase is never quietly left in a promise's text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from habits.detection import parse_due
from habits.detection.due import find_due

TRY = "try e.g. 'Friday 3pm', 'in 3 days' or '2026-12-24'"

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*"
# Words and shapes that say "this is meant as a date or a time". A "by ..." tail without any
# ("by the design team") is part of what was promised, not a date.
_DATE_LIKE = re.compile(
    rf"\b(?:{_WEEKDAY}|{_MONTH}|today|tonight|tomorrow|tmrw|yesterday|eod|eow|eom|noon|midnight"
    r"|morning|afternoon|evening|week|weekend|month|quarter|year|next|last|end)\b"
    r"|\b\d{1,4}[:/.-]\d{1,2}|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,2}\s*(?:am|pm)\b"
    r"|\bin\s+(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|a\s+couple)"
    r"\s+(?:min|hour|day|week)",
    re.IGNORECASE,
)
_BAD_CLOCK = re.compile(r"\b(?P<h>\d{1,2}):(?P<m>\d{2})\b|(?<![:\d])(?P<ap>\d{1,2})\s*(?:am|pm)\b",
                        re.IGNORECASE)
_PAST_WORDS = re.compile(rf"\b(?:yesterday|last\s+(?:{_WEEKDAY}|week|month|year|night)"
                         r"|(?:a\s+)?(?:day|week)s?\s+ago)\b", re.IGNORECASE)
_ISO = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")
_DAY_MONTH = re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH})\b"
                        rf"|\b(?P<mon2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b",
                        re.IGNORECASE)
_MARKERS = (" by ", " before ", " until ", " due ", " on ")


@dataclass(frozen=True, slots=True)
class DateProblem:
    """A date phrase that cannot be used, with what to tell the person."""

    phrase: str
    message: str


def looks_like_a_date(text: str) -> bool:
    """Whether `text` was meant as a date or time ("Friday", "31 Feb", "25:00").

    >>> looks_like_a_date("31 Feb"), looks_like_a_date("the design team")
    (True, False)
    """
    return _DATE_LIKE.search(text) is not None


def problem_with(phrase: str, now: datetime, tz: ZoneInfo) -> DateProblem | None:
    """What is wrong with a date phrase that detection's grammar would misread or reject.

    >>> from zoneinfo import ZoneInfo
    >>> utc = ZoneInfo("UTC")
    >>> problem_with("31 Feb", datetime(2026, 12, 1, tzinfo=utc), utc).message
    "I can't read '31 Feb' as a date; try e.g. 'Friday 3pm', 'in 3 days' or '2026-12-24'."
    """
    shown = " ".join(phrase.split()).strip(" .,;")
    today = now.astimezone(tz).date()
    for clock in _BAD_CLOCK.finditer(shown):
        hour = int(clock.group("h") or clock.group("ap"))
        minute = int(clock.group("m") or 0)
        if (hour > 23 or minute > 59) if clock.group("h") else not 1 <= hour <= 12:
            return DateProblem(shown, f"I can't read '{clock.group(0)}' as a time of day; "
                                      "try e.g. '17:00' or '5pm'.")
    if (past := _PAST_WORDS.search(shown)) is not None:
        return DateProblem(shown, f"'{past.group(0)}' has already passed; pick a day ahead, "
                                  "e.g. 'tomorrow' or 'next Friday'.")
    for match in _ISO.finditer(shown):
        try:
            day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return DateProblem(shown, f"I can't read '{match.group(0)}' as a date; {TRY}.")
        if day < today:
            return DateProblem(shown, f"{day.isoformat()} has already passed; pick a day ahead.")
    for match in _DAY_MONTH.finditer(shown):
        number = int(match["d"] or match["d2"])
        month = _MONTHS[(match["mon"] or match["mon2"])[:3].lower()]
        if not 1 <= number <= 31 or number > max(calendar.monthrange(y, month)[1]
                                                 for y in (today.year, today.year + 1)):
            return DateProblem(shown, f"I can't read '{match.group(0)}' as a date; {TRY}.")
    return None


def read_due(phrase: str, now: datetime, tz: ZoneInfo) -> datetime | DateProblem:
    """A due moment ahead of `now` from a phrase that is all date ("Friday 3pm", "in 2 days").

    >>> from zoneinfo import ZoneInfo
    >>> utc = ZoneInfo("UTC")
    >>> read_due("friday", datetime(2026, 12, 1, 9, tzinfo=utc), utc).isoformat()
    '2026-12-04T17:00:00+00:00'
    >>> read_due("yesterday", datetime(2026, 12, 1, 9, tzinfo=utc), utc).message[:25]
    "'yesterday' has already p"
    """
    shown = " ".join(phrase.split()).strip(" .,;")
    problem = problem_with(shown, now, tz)
    if problem is not None:
        return problem
    due = parse_due(shown, now=now, tz=tz)
    if due is None:
        return DateProblem(shown, f"I can't read '{shown}' as a date; {TRY}.")
    if due <= now:
        return DateProblem(shown, f"'{shown}' has already passed; pick a moment ahead.")
    return due


def read_day(phrase: str, now: datetime, tz: ZoneInfo) -> date | DateProblem:
    """A local calendar day, today or later ("today", "next monday", "2026-12-24").

    >>> from zoneinfo import ZoneInfo
    >>> utc = ZoneInfo("UTC")
    >>> read_day("today", datetime(2026, 12, 1, 18, tzinfo=utc), utc)
    datetime.date(2026, 12, 1)
    """
    shown = " ".join(phrase.split()).strip(" .,;")
    today = now.astimezone(tz).date()
    if shown.lower() in {"today", "tonight"}:
        return today
    problem = problem_with(shown, now, tz)
    if problem is not None:
        return problem
    if _ISO.fullmatch(shown):
        return date(*(int(part) for part in shown.split("-")))
    # Read from today's noon, so that a day named late in the evening (or just after
    # midnight, when "tomorrow" still means the coming day) is the day the person means.
    found = find_due(shown, datetime.combine(today, time(12), tzinfo=tz), tz)
    # The whole phrase must be the date: "2026-12-20 2027-01-02" is two days, not the first.
    due = found.due if found is not None and _only(shown, found.start, found.end) else None
    if due is None:
        return DateProblem(shown, f"I can't read '{shown}' as a date; try e.g. 'today', "
                                  "'next monday' or '2026-12-24'.")
    day = due.astimezone(tz).date()
    if day < today:
        return DateProblem(shown, f"'{shown}' has already passed; pick a day ahead.")
    return day


def _only(text: str, start: int, end: int) -> bool:
    before = text[:start].strip().lower()
    return before in {"", "on", "by", "until", "till"} and not text[end:].strip(" .,;")


@dataclass(frozen=True, slots=True)
class DueSplit:
    """What was promised, with the due moment cut out of it (or what was wrong with it)."""

    what: str
    due: datetime | None = None
    problem: DateProblem | None = None


def split_due(text: str, now: datetime, tz: ZoneInfo) -> DueSplit:
    """Cut the due phrase out of a promise's text.

    A tail after "by", "before", "until", "due" or "on" that looks like a date must read as
    one ahead of now, else the problem is returned; otherwise the first due phrase detection
    finds anywhere in the text ("in two weeks", "this afternoon") is the due moment.

    >>> from zoneinfo import ZoneInfo
    >>> utc = ZoneInfo("UTC")
    >>> split = split_due("write the RFC in two weeks", datetime(2026, 12, 1, 9, tzinfo=utc), utc)
    >>> split.what, split.due.date().isoformat()
    ('write the RFC', '2026-12-15')
    """
    padded = " " + text.strip()
    lowered = padded.lower()
    cut = max(((lowered.rfind(marker), marker) for marker in _MARKERS), default=(-1, ""))
    if cut[0] >= 0:
        tail = padded[cut[0] + len(cut[1]):]
        if looks_like_a_date(tail):
            due = read_due(tail, now, tz)
            if isinstance(due, DateProblem):
                return DueSplit(_tidy(padded), problem=due)
            return DueSplit(_tidy(padded[:cut[0]]), due)
    found = find_due(padded, now, tz)
    if found is None or found.due <= now:
        return DueSplit(_tidy(padded))
    # "call Sam Monday 25:00": detection reads Monday and skips a clock it cannot read.
    clock = problem_with(padded[found.start:found.end + 7], now, tz)
    if clock is not None and "time of day" in clock.message:
        return DueSplit(_tidy(padded), problem=clock)
    if found.due <= now:
        return DueSplit(_tidy(padded))
    return DueSplit(_tidy(padded[:found.start] + " " + padded[found.end:]), found.due)


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" ,.;:-")
