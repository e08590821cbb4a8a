"""Coaching that gets out of the way: a long coaching line at most once a fortnight per person.

Each line has an id. The first time (and again once a fortnight has passed) the person reads
the long words; in between they read the short ones, or nothing. What was shown when is kept
per person (bot.ports.Coaching), exported with their data and gone with forget-me.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.ports import Ports
from habits.people import PersonRef

EVERY = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class Line:
    """One coaching line: its id, the long words, and the short ones for the days between."""

    id: str
    long: str
    short: str = ""


HANDOVER = Line(
    "handover",
    "Handing over a decision gives them control and shows you trust them. Let it stand, even "
    "if they choose differently than you would.",
    "Now it's theirs to decide.")
KEPT_LATE = Line(
    "kept_late",
    "A little late: next time, a quick word before the date keeps their trust.",
    "A little late, but done.")
DROPPED = Line(
    "dropped",
    "A short, honest note to {who} keeps their trust: what changed, and what they can do "
    "instead.",
    "Worth a short note to {who}.")
MORE_TIME = Line(
    "more_time",
    "Tell {who} now, before they have to ask: early news keeps their trust.",
    "Tell {who} now.")
MORE_TIME_LATE = Line(
    "more_time_late",
    "Let {who} know the new date today, so they can plan around it.",
    "Let {who} know today.")
VAGUE_KUDOS = Line(
    "vague_kudos",
    "Name the thing, so they know what to repeat, e.g. "
    "`/kudos @sam your test plan caught the billing bug before release`.",
    "Say what they did, or post it as it is.")
AWAY = Line(
    "away",
    "A word now to the people waiting, with a new date, keeps their trust.",
    "A word to the people waiting helps.")

LINES = (HANDOVER, KEPT_LATE, DROPPED, MORE_TIME, MORE_TIME_LATE, VAGUE_KUDOS, AWAY)


def due(last: date | None, today: date) -> bool:
    """Whether the long words are due: never shown, or last shown a fortnight ago or more.

    >>> due(None, date(2026, 12, 2)), due(date(2026, 11, 25), date(2026, 12, 2))
    (True, False)
    >>> due(date(2026, 11, 18), date(2026, 12, 2))
    True
    """
    return last is None or today - last >= EVERY


async def words(ports: Ports, person: PersonRef, line: Line, today: date, **names: str) -> str:
    """The long words of `line` when due (noting that they were shown), else the short ones.
    `names` fill the line's placeholders ({who})."""
    last = (await ports.coaching.last_shown(person, [line.id])).get(line.id)
    if due(last, today):
        await ports.coaching.shown(person, line.id, today)
        return line.long.format(**names)
    return line.short.format(**names)
