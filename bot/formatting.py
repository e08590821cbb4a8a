"""Dates and promises in words people read at a glance, in their own time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.markup import mention, user_text
from habits.commitments import Commitment, CommitmentStatus

_STATUS_WORDS = {
    CommitmentStatus.OPEN: "open",
    CommitmentStatus.RENEGOTIATED: "open (new date agreed)",
    CommitmentStatus.KEPT_ON_TIME: "kept on time",
    CommitmentStatus.KEPT_LATE: "kept late",
    CommitmentStatus.DROPPED: "dropped",
}


def when(moment: datetime, tz: ZoneInfo, now: datetime | None = None) -> str:
    """A due moment in the reader's zone: "Fri 28 Nov, 17:00" (with the year when not this one).

    >>> when(datetime(2026, 11, 28, 17, tzinfo=ZoneInfo("UTC")), ZoneInfo("UTC"))
    'Sat 28 Nov, 17:00'
    """
    local = moment.astimezone(tz)
    text = f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"
    if now is not None and now.astimezone(tz).year != local.year:
        text = f"{local:%a} {local.day} {local:%b} {local.year}, {local:%H:%M}"
    return text


def on_when(moment: datetime, tz: ZoneInfo, now: datetime) -> str:
    """A moment inside a sentence: "today at 17:00", "tomorrow at 09:30", "on Fri 4 Dec at 17:00".

    >>> utc = ZoneInfo("UTC")
    >>> now = datetime(2026, 12, 2, 9, tzinfo=utc)
    >>> on_when(datetime(2026, 12, 2, 17, tzinfo=utc), utc, now)
    'today at 17:00'
    >>> on_when(datetime(2026, 12, 4, 17, tzinfo=utc), utc, now)
    'on Fri 4 Dec at 17:00'
    """
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    if local.date() == today:
        return f"today at {local:%H:%M}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow at {local:%H:%M}"
    year = f" {local.year}" if local.year != today.year else ""
    return f"on {local:%a} {local.day} {local:%b}{year} at {local:%H:%M}"


def promise_line(commitment: Commitment, tz: ZoneInfo, now: datetime | None = None) -> str:
    """One line about a promise: "#3 send the deck — to @priya — due Fri 28 Nov, 17:00"."""
    parts = [f"*#{commitment.number}* {user_text(commitment.what)}"]
    if commitment.to:
        parts.append("to " + ", ".join(mention(person) for person in commitment.to))
    if commitment.due is not None:
        overdue = now is not None and commitment.is_open and commitment.due < now
        parts.append(("was due " if overdue else "due ") + when(commitment.due, tz, now))
    if not commitment.is_open:
        parts.append(_STATUS_WORDS[commitment.status])
    return " — ".join(parts)
