"""Helpfulness: help given without asking for a return, and passed on.

A favour is one piece of help: someone thanked a colleague for it (`/thanks`), or kept a
tracked promise that read as help for someone else ("I can take a look at your test plan").
It is kept with the helper (help given) and with the person helped (help received). There is
no ledger of debts: nothing here ever adds up what anyone owes. A person's help given feeds
their "Help and pay it forward" habit; help they received may bring, the next working morning,
one suggestion to pass it on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from habits.budget import morning_at
from habits.followup import working_day_before
from habits.people import PersonRef, Profile

SHOWN_WEEKS = 12  # `/thanks list` looks back this far


class FavourSource(StrEnum):
    THANKS = "thanks"       # the person helped said thank you for it
    OFFER_KEPT = "offer"    # a tracked offer of help, kept


@dataclass(frozen=True, slots=True)
class Favour:
    """Help `helper` gave `helped` (None: an offer of help kept for nobody named)."""

    helper: PersonRef
    helped: PersonRef | None
    what: str
    at: datetime
    source: FavourSource = FavourSource.THANKS
    channel: str | None = None


# Offers of help, as a tracked promise's words read ("help Sam with the migration", "take a
# look at your test plan", "review your PR", "cover for you on Friday").
_HELP = re.compile(
    r"\b(?:help(?:ing)?|assist|support|unblock|pair(?:ing)?\s+(?:up\s+)?with|cover\s+for|"
    r"(?:take|have)\s+a\s+(?:look|peek|pass)|look\s+(?:at|into|over)\s+(?:it|that|this|your)|"
    r"give\s+(?:you|\w+)\s+a\s+hand|walk\s+(?:you|\w+)\s+through|show\s+(?:you|\w+)\s+how)\b"
    r"|\bfor\s+(?:you|<@[^>]+>)\b|\byour\s+\w+", re.IGNORECASE)


def reads_as_help(what: str) -> bool:
    """Whether a promise's words read as help for someone else (an offer of help).

    >>> reads_as_help("take a look at that for you"), reads_as_help("help with the migration")
    (True, True)
    >>> reads_as_help("review your PR"), reads_as_help("write the quarterly report")
    (True, False)
    >>> reads_as_help("send the deck to <@U2>"), reads_as_help("pair with <@U2> on the outage")
    (False, True)
    """
    return _HELP.search(what) is not None


_WITH = re.compile(r"^(?:for\s+)?(?:all\s+)?(?:your\s+help|help(?:ing)?(?:\s+me)?|"
                   r"giving\s+me\s+a\s+hand)\s+(with|on)\s+(\S.*)$", re.IGNORECASE)


def helped_with(what: str) -> str:
    """How a favour reads after "<who> helped you": "with the migration", or the words quoted.

    >>> helped_with("for helping me with the migration"), helped_with("your help on the deploy")
    ('with the migration', 'on the deploy')
    >>> helped_with("reviewed my pull request in an hour")
    '(reviewed my pull request in an hour)'
    >>> helped_with("")
    'recently'
    """
    words = " ".join(what.split()).rstrip(" .!")
    if not words:
        return "recently"
    found = _WITH.match(words)
    return f"{found.group(1).lower()} {found.group(2)}" if found else f"({words})"


def to_pass_on(received: Sequence[Favour], given: Sequence[Favour], since: datetime,
               until: datetime) -> Favour | None:
    """The help to suggest passing on this morning: the newest favour received between the
    previous working morning (`since`) and this one (`until`), unless the person has already
    helped someone since it. None most mornings.

    >>> from datetime import timezone
    >>> me, pri = PersonRef("slack", "T1", "U1"), PersonRef("slack", "T1", "U2")
    >>> at = datetime(2026, 11, 24, 15, tzinfo=timezone.utc)
    >>> got = Favour(pri, me, "for helping me with the migration", at)
    >>> to_pass_on([got], [], at - timedelta(hours=6), at + timedelta(hours=18)) == got
    True
    >>> to_pass_on([got], [Favour(me, pri, "your slides", at + timedelta(hours=1))],
    ...            at - timedelta(hours=6), at + timedelta(hours=18)) is None
    True
    """
    fresh = [f for f in received if since <= f.at < until and f.helper != f.helped]
    if not fresh:
        return None
    newest = max(fresh, key=lambda f: f.at)
    if any(g.at > newest.at for g in given):
        return None
    return newest


def since_last_morning(profile: Profile, now: datetime) -> tuple[datetime, datetime]:
    """From the previous working morning to this one (or `now`, if earlier): the help received
    in it is what this morning may suggest passing on, so each favour is suggested once."""
    today = profile.local_date(now)
    return (morning_at(profile, working_day_before(today, profile)),
            min(morning_at(profile, today), now))


def recent(favours: Sequence[Favour], now: datetime,
           weeks: int = SHOWN_WEEKS) -> list[Favour]:
    """Favours of the last `weeks` weeks, newest first."""
    start = now - timedelta(weeks=weeks)
    return sorted((f for f in favours if f.at >= start), key=lambda f: f.at, reverse=True)
