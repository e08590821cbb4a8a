"""Parse the due moment out of chat phrases ("by Friday 3pm", "tmrw", "in 2 hours").

Everything is computed in the author's local time (the ``tz`` passed in). The rules
and the default time of day for each phrase are listed in docs/detection.md; the
guiding principle is that the due moment is the *latest moment that still keeps the
words* ("by Friday" = Friday 17:00, "tonight" = 21:00), because the bot nudges
before it and asks "done?" after it.

Only the standard library is used: dateutil's fuzzy parser is both slower and too
eager ("I sat down" is not Saturday), and hand-written patterns let us say exactly
which phrases we understand.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from habits.detection.windows import ends_with, space_before

__all__ = ["DueMatch", "find_due", "parse_due", "parse_due_phrase"]

# Default times of day (local). See docs/detection.md.
DEFAULT_TIME = time(17, 0)  # "by Friday", "Dec 5", "tomorrow": close of the working day
END_OF_DAY = time(23, 59)  # a same-day phrase whose default time already passed
MORNING = time(12, 0)  # "this morning", "Monday morning": before lunch
AFTERNOON = time(17, 0)
EVENING = time(21, 0)  # "tonight", "this evening", "Friday night"
FIRST_THING = time(10, 0)
BEFORE_LUNCH = time(12, 0)
LUNCH = time(13, 0)
AFTER_LUNCH = time(14, 0)
# Before this local hour, "tomorrow" means the coming daytime (the author has not slept).
LATE_NIGHT_CUTOFF = 4
SOON = timedelta(hours=1)  # "in a bit", "shortly", "right away"

_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2,
    "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
# Common misspellings of the day names, as typed in chat ("by frday", "on monady").
_WEEKDAY_TYPOS = {
    "mondy": 0, "monady": 0, "moday": 0, "tuesdy": 1, "teusday": 1, "tusday": 1, "wendsday": 2,
    "wednsday": 2, "wedensday": 2, "wensday": 2, "wednesay": 2, "thrusday": 3, "thursdy": 3,
    "thurday": 3, "thurdsay": 3, "frday": 4, "firday": 4, "fridy": 4, "friady": 4, "fryday": 4,
    "satuday": 5, "saturdy": 5, "sunady": 6, "sundy": 6,
}  # fmt: skip
_WEEKDAYS.update(_WEEKDAY_TYPOS)
# Short forms that are also ordinary words ("I sat down", "the sun", "wed") only count
# after a preposition or when the whole phrase is the weekday.
_AMBIGUOUS_WEEKDAYS = frozenset({"mon", "tue", "wed", "thu", "thur", "sat", "sun"})
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50,
    "few": 3, "a few": 3, "couple": 2, "a couple": 2, "couple of": 2, "a couple of": 2,
    "several": 3, "half an": 0.5, "half a": 0.5,
}  # fmt: skip

_I = re.I
_TOMORROW = r"(?:tomm?orr?ow|tomm?orow|tmrw?|tmw|tmrow|tomoz|tomo|2moro+w?|2morr?ow|2mrw|2mro)"
_NUM = (
    r"(?P<num>\d+(?:\.\d+)?|half\s+an?|an?\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+few|few"
    r"|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
    r"|twenty|thirty|forty-five|forty|fifty)"
)
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>20\d\d))?"


@dataclass(frozen=True, slots=True)
class DueMatch:
    """A due moment found in a text, with the span of the phrase that said it."""

    due: datetime
    start: int
    end: int
    past: bool = False  # the phrase names a moment already gone ("by yesterday", "last week")


@dataclass(frozen=True, slots=True)
class _Day:
    """A local calendar day with the default time for the phrase that named it."""

    day: date
    default: time
    same_day_phrase: bool = False  # "today", "EOD": past default time -> 23:59, not tomorrow
    past: bool = False  # "yesterday", "last week": said of a moment already gone


class _Said:
    """The text a due phrase is looked for in, with what the rules ask of all of it computed
    once (not once per date word: a long text of ambiguous words would make that quadratic)."""

    __slots__ = ("_stripped", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._stripped: str | None = None

    @property
    def stripped(self) -> str:
        """The text without the spaces and punctuation around it: is it just the phrase?"""
        if self._stripped is None:
            self._stripped = self.text.strip(" .!?,")
        return self._stripped


_DayRule = Callable[[re.Match[str], datetime, _Said], "_Day | None"]


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    m = month - 1 + n
    return year + m // 12, m % 12 + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _number(word: str) -> float | None:
    w = " ".join(word.lower().split())
    if w in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[w])
    try:
        return float(w)
    except ValueError:
        return None


# --- day rules --------------------------------------------------------------------


def _today(m: re.Match[str], now: datetime, _said: _Said) -> _Day:
    word = m.group(0).lower()
    if "morning" in word:
        return _Day(now.date(), MORNING, True)
    if "evening" in word or "night" in word or "nite" in word:
        return _Day(now.date(), EVENING, True)
    return _Day(now.date(), AFTERNOON if "afternoon" in word or "arvo" in word else DEFAULT_TIME, True)


def _tomorrow(m: re.Match[str], now: datetime, _said: _Said) -> _Day:
    days = 2 if m.group("after") else 1
    if now.hour < LATE_NIGHT_CUTOFF:
        days -= 1  # at 01:30, "tomorrow" is the day that is about to start
    return _Day(now.date() + timedelta(days=days), DEFAULT_TIME)


_PREPOSITION_BEFORE = re.compile(
    r"(?:\b(?:by|on|before|until|till|til|due|for|from|this|next|coming|every|latest)|[,(])\s*$",
    _I,
)
_PREPOSITION_WIDTH = 6  # "before", "coming", "latest"
_POSSESSIVE_OK = re.compile(r"\b(?:before|ahead\s+of|prior\s+to|for|by)\s+$", _I)


def _possessive_ok(text: str, end: int) -> bool:
    """``_POSSESSIVE_OK.search(text[:end])``, in the window it can match in: "before" (6), or
    "ahead"/"prior" (5), whitespace and "of"/"to" (2)."""
    last = space_before(text, end)
    first = space_before(text, max(0, last - 2))
    return _POSSESSIVE_OK.search(text, max(0, min(last - 6, first - 5)), end) is not None


def _weekday(m: re.Match[str], now: datetime, said: _Said) -> _Day | None:
    word = m.group("wd").lower()
    text = said.text
    qualifier = (m.group("q") or "").lower()
    if word in _AMBIGUOUS_WEEKDAYS and not qualifier:
        bare = len(said.stripped) == len(word) and said.stripped.lower() == word
        if not bare and not ends_with(_PREPOSITION_BEFORE, text, m.start(), _PREPOSITION_WIDTH):
            return None
    if m.group("poss") and not _possessive_ok(text, m.start()):
        return None  # "Tuesday's meeting notes" names a day, not a deadline
    target = _WEEKDAYS[word]
    today = now.date()
    if qualifier.startswith("next") or qualifier == "the following":
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        day = monday + timedelta(days=target)
    else:
        delta = (target - today.weekday()) % 7
        if delta == 0 and not qualifier.startswith("this"):
            delta = 7  # people say "today" for today; a bare weekday means next week's
        day = today + timedelta(days=delta)
    part = (m.group("part") or "").lower()
    default = DEFAULT_TIME
    if part in ("morning", "am"):
        default = MORNING
    elif part in ("evening", "night"):
        default = EVENING
    return _Day(day, default, day == today)


def _week(m: re.Match[str], now: datetime, _said: _Said) -> _Day:
    phrase = " ".join(m.group(0).lower().split())
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    if "weekend" in phrase:
        sunday = monday + timedelta(days=6)
        if phrase.startswith("by the"):
            # "by the weekend" = before the weekend starts: Friday
            fri = monday + timedelta(days=4)
            return _Day(fri if fri >= today else fri + timedelta(days=7), DEFAULT_TIME, True)
        if "next" in phrase:
            sunday += timedelta(days=7)
        return _Day(sunday, DEFAULT_TIME, sunday == today)
    if "next" in phrase:
        next_monday = monday + timedelta(days=7)
        if phrase.startswith("by next"):
            return _Day(next_monday, DEFAULT_TIME)
        if any(w in phrase for w in ("early", "beginning", "start")):
            return _Day(next_monday + timedelta(days=1), DEFAULT_TIME)
        if "mid" in phrase:
            return _Day(next_monday + timedelta(days=2), DEFAULT_TIME)
        return _Day(next_monday + timedelta(days=4), DEFAULT_TIME)
    friday = monday + timedelta(days=4)
    if friday < today:  # said on the weekend: the coming working week
        friday += timedelta(days=7)
    return _Day(friday, DEFAULT_TIME, friday == today)


def _month(m: re.Match[str], now: datetime, _said: _Said) -> _Day:
    phrase = m.group(0).lower()
    today = now.date()
    if "year" in phrase or "eoy" in phrase:
        return _Day(date(today.year, 12, 31), DEFAULT_TIME, True)
    if "quarter" in phrase or "eoq" in phrase:
        q_end_month = (today.month - 1) // 3 * 3 + 3
        return _Day(_month_end(today.year, q_end_month), DEFAULT_TIME, True)
    y, mo = today.year, today.month
    if "next" in phrase:
        y, mo = _add_months(y, mo, 1)
    return _Day(_month_end(y, mo), DEFAULT_TIME, True)


def _calendar_day(year: int | None, month: int, day: int, now: datetime) -> _Day | None:
    today = now.date()
    try:
        if year is not None:
            d = date(year, month, day)
            # An explicit date more than a day in the past is not a due date we can use.
            return _Day(d, DEFAULT_TIME, True) if d >= today - timedelta(days=1) else None
        d = date(today.year, month, day)
        if d < today:
            d = date(today.year + 1, month, day)
    except ValueError:
        return None
    return _Day(d, DEFAULT_TIME, True)


def _month_name_date(m: re.Match[str], now: datetime, _said: _Said) -> _Day | None:
    month = _MONTHS[m.group("mon")[:3].lower()]
    year = int(m.group("year")) if m.group("year") else None
    return _calendar_day(year, month, int(m.group("day")), now)


def _iso_date(m: re.Match[str], now: datetime, _said: _Said) -> _Day | None:
    return _calendar_day(int(m.group("y")), int(m.group("m")), int(m.group("d")), now)


_NUMERIC_CONTEXT = re.compile(r"\b(?:by|on|before|until|till|til|due|for|from|the)\s+$", _I)
_NUMERIC_CONTEXT_WIDTH = 6  # "before"


def _numeric_date(m: re.Match[str], now: datetime, said: _Said) -> _Day | None:
    bare = said.stripped == m.group(0)
    if not bare and not ends_with(_NUMERIC_CONTEXT, said.text, m.start(), _NUMERIC_CONTEXT_WIDTH):
        return None  # "1/2 of it", "24/7", "50/50" are not dates
    a, b = int(m.group("a")), int(m.group("b"))
    month, day = a, b  # US month/day by default (docs/detection.md)
    if a > 12 >= b:
        month, day = b, a  # "25/12" can only be day/month
    year: int | None = None
    if m.group("yr"):
        year = int(m.group("yr"))
        year += 2000 if year < 100 else 0
    return _calendar_day(year, month, day, now)


def _dotted_date(m: re.Match[str], now: datetime, said: _Said) -> _Day | None:
    """"on 07.01." / "by 15.01.2027": day first, as everywhere dots separate a date."""
    bare = said.stripped.rstrip(".") == m.group(0).rstrip(".")
    if not bare and not ends_with(_NUMERIC_CONTEXT, said.text, m.start(), _NUMERIC_CONTEXT_WIDTH):
        return None  # "version 2.1", "3.5 hours" are not dates
    year: int | None = None
    if m.group("yr"):
        year = int(m.group("yr"))
        year += 2000 if year < 100 else 0
    return _calendar_day(year, int(m.group("mo")), int(m.group("dd")), now)


def _past_day(m: re.Match[str], now: datetime, _said: _Said) -> _Day:
    """"yesterday", "last week", "last Friday": a moment already gone (marked past)."""
    phrase = " ".join(m.group(0).lower().split())
    today = now.date()
    if phrase.endswith("yesterday"):
        return _Day(today - timedelta(days=1), DEFAULT_TIME, past=True)
    if phrase.endswith(("week", "weekend")):
        monday = today - timedelta(days=today.weekday())
        return _Day(monday - timedelta(days=3), DEFAULT_TIME, past=True)  # last Friday
    if phrase.endswith("month"):
        return _Day(today.replace(day=1) - timedelta(days=1), DEFAULT_TIME, past=True)
    target = _WEEKDAYS[phrase.split()[-1]]
    delta = (today.weekday() - target) % 7 or 7
    return _Day(today - timedelta(days=delta), DEFAULT_TIME, past=True)


def _ordinal(m: re.Match[str], now: datetime, _said: _Said) -> _Day | None:
    n = int(m.group("n"))
    if not 1 <= n <= 31:
        return None
    y, mo = now.year, now.month
    for _ in range(3):
        if n <= calendar.monthrange(y, mo)[1] and date(y, mo, n) >= now.date():
            return _Day(date(y, mo, n), DEFAULT_TIME, True)
        y, mo = _add_months(y, mo, 1)
    return None


def _within_the(m: re.Match[str], now: datetime, said: _Said) -> _Day:
    unit = m.group("unit").lower()
    if unit == "week":
        return _week(m, now, said)
    return _Day(now.date(), DEFAULT_TIME, True)


_DAY_RULES: list[tuple[re.Pattern[str], _DayRule]] = [
    (re.compile(rf"\b(?:(?P<after>(?:the\s+)?day\s+after)\s+)?{_TOMORROW}\b", _I), _tomorrow),
    (
        re.compile(
            r"\b(?:later\s+(?:on\s+)?today|by\s+the\s+end\s+of\s+today|today|tonight|tonite|2nite"
            r"|this\s+(?:morning|afternoon|evening|arvo)|asap|a\.s\.a\.p\b\.?)\b(?!'s|')",
            _I,
        ),
        _today,
    ),
    (
        re.compile(
            rf"\b{_NUM}\s*(?P<unit>days?|weeks?|wks?)\s+from\s+(?:now|today)\b"
            rf"|\b(?:in|within)\s+(?:the\s+next\s+|about\s+|around\s+|~)?{_NUM.replace('num', 'n2')}"
            r"\s*(?P<u2>days?|weeks?|wks?)\b",
            _I,
        ),
        lambda m, now, _said: _in_days_any(m, now),
    ),
    (re.compile(r"\bwithin\s+the\s+(?P<unit>day|week)\b", _I), _within_the),
    (
        re.compile(
            r"\b(?:(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week|eow|e\.o\.w\b\.?"
            r"|(?:by\s+the|this|next|the|over\s+the)\s+weekend|end\s+of\s+next\s+week"
            r"|(?:early|later|mid|middle\s+of|beginning\s+of|start\s+of)[\s-]+next\s+week"
            r"|by\s+next\s+week|next\s+week|later\s+this\s+week|this\s+week"
            r"|(?:the\s+)?rest\s+of\s+the\s+week)\b",
            _I,
        ),
        _week,
    ),
    (
        re.compile(
            r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:month|year|quarter)|eom|eoy|eoq"
            r"|e\.o\.m\b\.?|month[\s-]end|year[\s-]end|end\s+of\s+next\s+month|next\s+month"
            r"|this\s+month)\b",
            _I,
        ),
        _month,
    ),
    (re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_YEAR}", _I), _month_name_date),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b{_YEAR}", _I), _month_name_date),
    (re.compile(r"\b(?P<y>20\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)\b", _I), _iso_date),
    (
        re.compile(r"(?<![\d.])(?P<dd>[0-3]?\d)\.(?P<mo>[01]?\d)(?:\.(?P<yr>\d{4}|\d\d)?)?(?![\d])"),
        _dotted_date,
    ),
    (
        re.compile(
            r"\b(?:yesterday|(?:the\s+)?day\s+before\s+yesterday|last\s+(?:week(?:end)?|month"
            r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
            _I,
        ),
        _past_day,
    ),
    (
        re.compile(
            r"(?<![\d/.])(?P<a>[01]?\d|[0-3]\d)/(?P<b>[0-3]?\d)(?:/(?P<yr>\d{4}|\d\d))?"
            r"(?![\d/])"
        ),
        _numeric_date,
    ),
    (
        re.compile(
            r"\bthe\s+(?P<n>[0-3]?\d)(?:st|nd|rd|th)\b"
            r"(?!\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
            _I,
        ),
        _ordinal,
    ),
    (
        re.compile(
            r"\b(?:(?P<q>this\s+coming|this|next|coming|the\s+following)\s+)?"
            r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|thurs|weds"
            r"|thur|mon|tue|wed|thu|fri|sat|sun|" + "|".join(sorted(_WEEKDAY_TYPOS)) + r")\b\.?"
            r"(?P<poss>'s)?(?:\s+(?P<part>morning|afternoon|arvo|evening|night|am|pm)\b)?",
            _I,
        ),
        _weekday,
    ),
]


# What each day rule's text must contain (lower-cased) for it to match at all: a rule whose
# words are absent is not run. "0" stands for any digit. Most sentences name no date, and each
# pattern costs a few microseconds per 100 characters; a substring test costs almost nothing.
_MONTH_WORDS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_TRIGGERS: list[tuple[str, ...]] = [
    ("tom", "tmr", "tmw", "2mo", "2mr"),
    ("today", "tonight", "tonite", "2nite", "morning", "afternoon", "evening", "arvo", "asap", "a.s.a"),
    ("day", "week", "wk"),
    ("within",),
    ("week", "eow", "e.o.w"),
    ("month", "year", "quarter", "eom", "eoy", "eoq", "e.o.m"),
    _MONTH_WORDS,
    _MONTH_WORDS,
    ("0",),
    ("0",),
    ("yesterday", "last"),
    ("0",),
    ("0",),
    ("mon", "tue", "wed", "thu", "fri", "sat", "sun", *_WEEKDAY_TYPOS),
]
_OFFSET_TRIGGERS = (
    "in ", "within", "eta", "gimme", "give me", "shortly", "right", "straight", "immediately",
    "momentarily", "now", "rn", "speak",
)  # fmt: skip
_TIME_TRIGGERS = (
    "0", "eod", "e.o.d", "cob", "c.o.b", "eob", "end of", "close of", "before", "after", "noon",
    "midday", "midnight", "lunch", "first thing", "morning", "afternoon", "evening", "night",
)  # fmt: skip
_DIGIT = re.compile(r"\d")
# A text's words, each by its first three letters: a rule runs only if one of its words is there.
_WORD_START = re.compile(r"[a-z0-9][a-z0-9.]*")


def _starts(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w.split()[0][:3] for w in words if w != "0")


_DAY_STARTS = [(_starts(words), "0" in words) for words in _DAY_TRIGGERS]
# The same triggers the other way round: which day rules a word start (or a digit) wakes, so a
# text's words pick its rules in one set intersection instead of one test per rule.
_DAY_RULES_BY_START: dict[str, tuple[int, ...]] = {
    start: tuple(order for order, (starts, _d) in enumerate(_DAY_STARTS) if start in starts)
    for start in frozenset().union(*(starts for starts, _d in _DAY_STARTS))
}
_DAY_START_KEYS = frozenset(_DAY_RULES_BY_START)
_DAY_RULES_BY_DIGIT = tuple(order for order, (_s, digit) in enumerate(_DAY_STARTS) if digit)
_OFFSET_STARTS = _starts(_OFFSET_TRIGGERS)
_TIME_STARTS = _starts(_TIME_TRIGGERS) | _starts(("at", "by", "until", "till", "around")) | {"@"}


class _Words:
    """What the trigger tests need of a text: its words' first three letters, and digits."""

    __slots__ = ("digit", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        low = text.lower()
        self.starts = {w[:3] for w in _WORD_START.findall(low)}
        if "@" in low:
            self.starts.add("@")
        self.digit = _DIGIT.search(text) is not None

    def any_of(self, starts: frozenset[str], digit: bool = False) -> bool:
        return (digit and self.digit) or not self.starts.isdisjoint(starts)


def _in_days_any(m: re.Match[str], now: datetime) -> _Day | None:
    num = m.group("num") or m.group("n2")
    unit = m.group("unit") or m.group("u2")
    n = _number(num)
    if n is None or n > 3660:
        return None
    days = n * 7 if unit.lower().startswith("w") else n
    return _Day(now.date() + timedelta(days=max(1, round(days))), DEFAULT_TIME)


# --- absolute offsets ("in 2 hours") ----------------------------------------------------

_OFFSET = re.compile(
    rf"\b(?:in|within|eta:?|(?:give\s+me|gimme)(?:\s+(?:another|like))?)\s+(?:the\s+next\s+|about\s+"
    rf"|around\s+|~)?{_NUM}\s*"
    r"(?P<unit>minutes?|mins?|m|hours?|hrs?|hr|h)\b(?:\s+and\s+a\s+half)?"
    # "merging in 10", "next update in 30", "gimme 5": minutes, in a chat about work
    r"|\b(?:in|eta:?|(?:give\s+me|gimme))\s+~?(?P<bare>[1-9]\d?)(?=\s*(?:$|[,.;!)\n]|(?:and|then|or"
    r"|tops|max|latest|pls|please|or\s+so)\b))"
    r"|\b(?:give\s+me|gimme)\s+(?:a\s+)?(?:sec|second|min|minute|moment|few)\b"
    r"|\bin\s+some\s?time\b(?!\s+(?:next|this|later|today|tomorrow))"
    r"|(?P<now>\bnow\b|\brn\b|\bas\s+we\s+speak\b)"
    r"|\bwithin\s+the\s+hour\b|\bin\s+(?:a\s+)?(?:bit|sec|second|min|minute|moment|jiffy|tick)\b"
    r"|\bin\s+a\s+few\b(?!\s+(?:days?|weeks?|hours?|mins?|minutes?))"
    r"|\b(?:shortly|right\s+now|right\s+away|straight\s+away|immediately|momentarily)\b",
    _I,
)


# "now" is a due only when it says the work is happening: not "for now", "by now", "from now on".
_NOT_NOW_BEFORE = re.compile(r"\b(?:for|by|until|till|til|than|since|from|just|right|even|up\s+to)\s*$", _I)
_NOT_NOW_BEFORE_WIDTH = 5  # "until"
_NOT_NOW_AFTER = re.compile(r"\s*(?:that|on\b|and\s+then|or\s+never|'s|is|it's)", _I)


def _is_now(text: str, m: re.Match[str]) -> bool:
    return not (
        ends_with(_NOT_NOW_BEFORE, text, m.start(), _NOT_NOW_BEFORE_WIDTH)
        or _NOT_NOW_AFTER.match(text, m.end())
    )


def _offset(m: re.Match[str]) -> timedelta | None:
    if m.group("bare") is not None:
        return timedelta(minutes=int(m.group("bare")))
    num = m.group("num")
    if num is None:
        return SOON
    n = _number(num)
    if n is None or n > 10_000:
        return None
    unit = m.group("unit").lower()
    if m.group(0).lower().endswith("and a half"):
        n += 0.5
    if unit.startswith("h"):
        return timedelta(hours=n)
    return timedelta(minutes=n)


# --- times of day ---------------------------------------------------------------------

_TIME = re.compile(
    r"(?P<eod>\b(?:eod|e\.o\.d\b\.?|cob|c\.o\.b\b\.?|eob|end\s+of\s+(?:the\s+)?(?:day|business)"
    r"|close\s+of\s+(?:business|play)|end\s+of\s+play"
    r"|before\s+i\s+(?:head\s+(?:out|off|home)|log\s+off|sign\s+off|leave|go\s+home|finish\s+up))\b)"
    r"|\b(?P<h>[01]?\d)(?::(?P<mi>[0-5]\d))?\s*(?P<ap>a\.?m\b\.?|p\.?m\b\.?)"
    r"|\b(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)\b(?!\s*(?:mins?|minutes?|hours?|hrs?|%))"
    r"|\b(?P<named>noon|midday|midnight|lunchtime|lunch\s+time)\b"
    r"|\b(?P<lunch>before|after)\s+lunch\b"
    r"|\b(?P<first>first\s+thing)\b"
    r"|\b(?:at|by|before|until|till|around|@)\s+(?P<bare>[01]?\d)\b"
    r"(?![:./\-]\d|\s*(?:mins?|minutes?|hours?|hrs?|days?|weeks?|%|st|nd|rd|th|people|of|am|pm))"
    r"|\b(?P<hoc>[01]?\d)\s*o'?clock\b"
    r"|\b(?:in\s+the\s+)?(?P<part>morning|afternoon|evening|night)\b",
    _I,
)


# A clock time that cannot be ("25:00", "13pm", "10:75"): the phrase is not understood, so it
# gives no due rather than a wrong one.
_BAD_TIME = re.compile(
    r"\b(?:(?:2[4-9]|[3-9]\d):\d\d|\d{1,2}:(?:[6-9]\d)|(?:1[3-9]|2\d)\s*(?:am|pm))\b"
    r"|\b(?:3[2-9]|[4-9]\d)(?:st|nd|rd|th)\b"
    r"|\b(?:30|31)(?:st|th)?\s+feb(?:ruary)?\b|\bfeb(?:ruary)?\s+(?:30|31)(?:st|th)?\b"
    r"|\b31(?:st)?\s+(?:apr(?:il)?|june?|sep(?:t(?:ember)?)?|nov(?:ember)?)\b"
    r"|\b(?:apr(?:il)?|june?|sep(?:t(?:ember)?)?|nov(?:ember)?)\s+31(?:st)?\b",
    _I,
)


def _clock(h: int, minute: int = 0) -> time | None:
    if not (0 <= h <= 23 and 0 <= minute <= 59):
        return None
    return time(h, minute)


def _time_of(m: re.Match[str]) -> tuple[time, bool] | None:
    """Return (time, same_day_phrase) for a time-of-day match."""
    if m.group("eod"):
        return DEFAULT_TIME, True
    if m.group("h") is not None:
        h = int(m.group("h"))
        if not 1 <= h <= 12:
            return None
        pm = m.group("ap").lower().startswith("p")
        h = h % 12 + (12 if pm else 0)
        return _clock(h, int(m.group("mi") or 0)), False  # type: ignore[return-value]
    if m.group("h24") is not None:
        h = int(m.group("h24"))
        if 1 <= h <= 7:
            h += 12  # "at 3:30" in a work chat is the afternoon
        t = _clock(h, int(m.group("m24")))
        return (t, False) if t else None
    if m.group("named"):
        w = m.group("named").lower()
        if w == "midnight":
            return END_OF_DAY, True
        return (LUNCH if w.startswith("lunch") else time(12, 0)), False
    if m.group("lunch"):
        return (BEFORE_LUNCH if m.group("lunch").lower() == "before" else AFTER_LUNCH), False
    if m.group("first"):
        return FIRST_THING, False
    bare = m.group("bare") or m.group("hoc")
    if bare is not None:
        h = int(bare)
        if not 1 <= h <= 12:
            return None
        return time(h + 12 if h <= 7 else h % 24), False
    part = m.group("part").lower()
    if part == "morning":
        return MORNING, False
    if part == "afternoon":
        return AFTERNOON, False
    return EVENING, False


def _local(d: date, t: time, tz: ZoneInfo) -> datetime:
    # Round-trip through UTC so a wall time inside a DST gap becomes a real instant.
    return datetime.combine(d, t, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _first_day(text: str, now: datetime, words: _Words) -> tuple[_Day, int, int] | None:
    said = _Said(text)
    found: list[tuple[int, int, int, re.Match[str]]] = []
    woken = {order for start in words.starts & _DAY_START_KEYS for order in _DAY_RULES_BY_START[start]}
    if words.digit:
        woken.update(_DAY_RULES_BY_DIGIT)
    for order in sorted(woken):  # the rules _DAY_STARTS says these words can complete
        for m in _DAY_RULES[order][0].finditer(text):
            found.append((m.start(), order, m.end(), m))
    found.sort(key=lambda f: (f[0], f[1]))
    for start, order, end, m in found:
        day = _DAY_RULES[order][1](m, now, said)
        if day is not None:
            return day, start, end
    return None


def _first_time(text: str, skip: tuple[int, int] | None, words: _Words
                ) -> tuple[time, bool, int, int] | None:
    if not words.any_of(_TIME_STARTS, True):
        return None
    for m in _TIME.finditer(text):
        if skip and m.start() < skip[1] and m.end() > skip[0]:
            continue
        got = _time_of(m)
        if got is not None:
            return got[0], got[1], m.start(), m.end()
    return None


def find_due(text: str, now: datetime, tz: ZoneInfo) -> DueMatch | None:
    """Find the first due phrase in ``text`` and resolve it against ``now`` in ``tz``.

    Returns the due moment with the span of the phrase (so callers can cut it out).

    >>> from zoneinfo import ZoneInfo
    >>> tz = ZoneInfo("Europe/London")
    >>> m = find_due("send it by fri 3pm", datetime(2026, 11, 24, 10, tzinfo=tz), tz)
    >>> m.due.isoformat(), m.start
    ('2026-11-27T15:00:00+00:00', 11)
    """
    local = now.astimezone(tz)
    words = _Words(text)
    if words.digit and _BAD_TIME.search(text):
        return None
    day = _first_day(text, local, words)
    off = None
    if words.any_of(_OFFSET_STARTS):
        for found in _OFFSET.finditer(text):
            if found.group("now") is None or _is_now(text, found):
                off = found
                break
    if off is not None and (day is None or off.start() < day[1]):
        delta = _offset(off)
        if delta is not None:
            due = (local.astimezone(UTC) + delta).astimezone(tz)
            if off.group("now") is not None and due.date() != local.date() and local.time() < END_OF_DAY:
                due = _local(local.date(), END_OF_DAY, tz)  # "deploying it now" at 23:30: today
            return DueMatch(due, off.start(), off.end())
    if day is not None:
        d, start, end = day
        tod = _first_time(text, (start, end), words)
        if tod is not None:
            t, _same, ts, te = tod
            return DueMatch(_local(d.day, t, tz), min(start, ts), max(end, te), d.past)
        due = _local(d.day, d.default, tz)
        if d.same_day_phrase and d.day == local.date() and due <= local:
            due = _local(d.day, END_OF_DAY, tz)
        return DueMatch(due, start, end, d.past)
    tod = _first_time(text, None, words)
    if tod is None:
        return None
    t, same_day, ts, te = tod
    due = _local(local.date(), t, tz)
    if due <= local:
        if same_day:
            due = _local(local.date(), END_OF_DAY, tz)  # "EOD" said at 19:00 is still today
        else:
            due = _local(local.date() + timedelta(days=1), t, tz)
    return DueMatch(due, ts, te)


def parse_due(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """Parse a due phrase ("by Friday 3pm", "tmrw", "Dec 5", "in 2 hours") into an aware datetime.

    ``now`` must be aware; relative phrases are interpreted in ``tz`` and the result is
    in ``tz``. Returns None when no due phrase is found.

    >>> from zoneinfo import ZoneInfo
    >>> tz = ZoneInfo("America/New_York")
    >>> parse_due("friday", now=datetime(2026, 11, 24, 9, tzinfo=tz), tz=tz).isoformat()
    '2026-11-27T17:00:00-05:00'
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    m = find_due(text, now, tz)
    return m.due if m else None


def parse_due_phrase(text: str, *, now: datetime, tz: ZoneInfo) -> DueMatch | None:
    """Like parse_due, with the span of the phrase and whether it names a past moment.

    ``past`` is True for "by yesterday", "last Friday", "last week" (the due is then before
    ``now``); a command can refuse those rather than store a promise already overdue.
    Impossible dates and times ("31 Feb", "Monday 25:00") give None, as in parse_due.

    >>> from zoneinfo import ZoneInfo
    >>> tz = ZoneInfo("Europe/London")
    >>> m = parse_due_phrase("by yesterday", now=datetime(2026, 11, 24, 9, tzinfo=tz), tz=tz)
    >>> m.past, m.due.date().isoformat()
    (True, '2026-11-23')
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return find_due(text, now, tz)
