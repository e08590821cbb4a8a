"""Familiarity: people are influenced by those they know, so stay in touch with your team.

Rapport keeps, per person, only the local day they were last in touch with each colleague
(a mention in a channel it is in, a promise made to them, kudos, thanks, a handover; either
way round). No texts, no counts. From that, the morning nudge may suggest one teammate not
seen for `QUIET_FOR` or longer.

Teammates are the other members of the teams the person is a *member* of: never someone
outside them, never the person themselves, never the reports of a team they only manage, and
never someone they asked not to be suggested (or not now). Nothing said about the colleague
reveals how a team labels them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from habits.teams import Team

QUIET_FOR = timedelta(weeks=4)
NOT_NOW = timedelta(weeks=2)  # "Not now": that colleague is not suggested again for this long


def teammates(user: str, teams: Iterable[Team]) -> frozenset[str]:
    """The other members of the teams `user` is a member of (not those they only manage).

    >>> from habits.people import WorkspaceRef
    >>> ws = WorkspaceRef("slack", "T1")
    >>> mine = Team(ws, "a", "A", members=frozenset({"U1", "U2"}), managers=frozenset({"M"}))
    >>> led = Team(ws, "b", "B", members=frozenset({"U3"}), managers=frozenset({"U1"}))
    >>> sorted(teammates("U1", [mine, led]))
    ['U2']
    """
    found: set[str] = set()
    for team in teams:
        if user in team.members:
            found |= team.members
    return frozenset(found - {user})


def quiet_teammate(user: str, teams: Iterable[Team], last_contact: Mapping[str, date],
                   skipped: Mapping[str, date | None], since: date, today: date,
                   opted_out: frozenset[str] = frozenset()) -> str | None:
    """The teammate to suggest getting in touch with: the one unseen the longest, when that is
    at least QUIET_FOR. A teammate never seen counts from `since` (the person's first day on
    record), so a new team brings no suggestion before four weeks have passed.

    `skipped`: colleague -> the last day they are not to be suggested (None: never again).
    `opted_out`: colleagues who asked never to be suggested to anyone.

    >>> from habits.people import WorkspaceRef
    >>> team = Team(WorkspaceRef("slack", "T1"), "a", "A", members=frozenset({"U1", "U2", "U3"}))
    >>> seen = {"U2": date(2026, 10, 1), "U3": date(2026, 10, 20)}
    >>> quiet_teammate("U1", [team], seen, {}, date(2026, 9, 1), date(2026, 11, 24))
    'U2'
    >>> quiet_teammate("U1", [team], seen, {"U2": None}, date(2026, 9, 1), date(2026, 11, 24))
    'U3'
    >>> quiet_teammate("U1", [team], seen, {}, date(2026, 11, 1), date(2026, 11, 24)) is None
    True
    """
    candidates: list[tuple[date, str]] = []
    for colleague in teammates(user, teams) - opted_out:
        if colleague in skipped:
            until = skipped[colleague]
            if until is None or until >= today:
                continue
        seen = max(last_contact.get(colleague, since), since)
        if today - seen >= QUIET_FOR:
            candidates.append((seen, colleague))
    return min(candidates)[1] if candidates else None
