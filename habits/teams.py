"""Teams of people with managers (not Microsoft Teams): who is in, who is junior, who leads,
who counts, and when a team's figures may be shown at all.

docs/privacy.md sets out the rules; this module is where they are decided:

- A member **counts** (their activity goes into the team's figures, and they count towards its
  size) once Rapport has told them about it, and for as long as they have not said no:
  `counts_in_teams`.
- A team's figures are shown only when it has at least its minimum of counted members, and when
  no other team the same viewer can see has almost the same counted members (two teams that
  differ by one person give that person's week by subtraction): `hidden_because`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from habits.people import PersonRef, Profile, WorkspaceRef
from habits.text import skeleton, tidy

MIN_GROUP_SIZE = 5        # below this, a team shows no figures at all
FLOOR_GROUP_SIZE = 3      # the minimum can be lowered to this, never further
MAX_NAME = 60             # characters in a team's name
_NAME = re.compile(r"^\w[\w .&'-]*$")


@dataclass(frozen=True, slots=True)
class Team:
    workspace: WorkspaceRef
    team_id: str
    name: str
    members: frozenset[str] = field(default_factory=frozenset)
    juniors: frozenset[str] = field(default_factory=frozenset)
    managers: frozenset[str] = field(default_factory=frozenset)
    min_group_size: int = MIN_GROUP_SIZE

    def person(self, user: str) -> PersonRef:
        return PersonRef(self.workspace.platform, self.workspace.workspace, user)

    def is_manager(self, user: str) -> bool:
        return user in self.managers

    @property
    def minimum(self) -> int:
        """Counted members needed before the team shows any figures."""
        return max(self.min_group_size, FLOOR_GROUP_SIZE)

    def shows_figures(self, counted: Iterable[str]) -> bool:
        """Privacy by group size: a team with too few counted members shows nothing."""
        return len(self.members & frozenset(counted)) >= self.minimum


def counts_in_teams(profile: Profile) -> bool:
    """Whether the person's activity counts in their teams' figures.

    Yes once they were told (they used Rapport, or got the welcome message when a manager added
    them: `Profile.enrolled`) and while they have not said no: "No messages, thanks" on the
    welcome and `/rapport settings nudges off` both turn Rapport's messages off, and with them
    the person's part in every team's figures (`/team leave` leaves one team altogether).
    """
    return profile.enrolled and profile.nudges_on


class Reason(StrEnum):
    TOO_FEW = "too_few"        # fewer counted members than the team's minimum
    TOO_CLOSE = "too_close"    # another team the viewer can see differs by too few people


@dataclass(frozen=True, slots=True)
class Hidden:
    """Why a team's figures are not shown: too few counted members, or too close to `near`."""

    reason: Reason
    near: Team | None = None


def hidden_because(team: Team, counted: frozenset[str],
                   others: Iterable[tuple[Team, frozenset[str]]]) -> Hidden | None:
    """Why the team's figures may not be shown to a viewer, or None when they may.

    `counted`: the people who count (the team's counted members are those of its members).
    `others`: every other team the viewer can see, with the people who count in it. Two teams
    are too close when fewer people than the larger of their two minimums are in one and not
    the other (the symmetric difference of their counted members), so that subtracting one's
    figures from the other's never isolates fewer people than either team promises. A team too
    small to show figures itself is no danger: nothing of it is ever shown.

    >>> ws = WorkspaceRef("slack", "T1")
    >>> web = Team(ws, "web", "Web", members=frozenset("abcde"))
    >>> shadow = Team(ws, "shadow", "Shadow", members=frozenset("abcdet"))
    >>> hidden_because(web, frozenset("abcdet"), [(shadow, frozenset("abcdet"))]).reason
    <Reason.TOO_CLOSE: 'too_close'>
    >>> hidden_because(web, frozenset("abcd"), []).reason
    <Reason.TOO_FEW: 'too_few'>
    """
    mine = team.members & counted
    if len(mine) < team.minimum:
        return Hidden(Reason.TOO_FEW)
    for other, theirs in others:
        if other.team_id == team.team_id:
            continue
        their = other.members & theirs
        if len(their) < other.minimum:
            continue
        if len(mine ^ their) < max(team.minimum, other.minimum):
            return Hidden(Reason.TOO_CLOSE, other)
    return None


class BadTeamName(ValueError):
    """A team name that cannot be used, with what to tell the person."""


def clean_name(raw: str) -> str:
    """A team name as stored and shown: controls out, NFKC, single spaces; or BadTeamName.

    >>> clean_name("  Ｐｌａｔｆｏｒｍ   Squad ")
    'Platform Squad'
    """
    name = tidy(raw)
    if not name:
        raise BadTeamName("Give the team a name, e.g. `/team create Platform`.")
    if not _NAME.match(name):
        raise BadTeamName("Give the team a name of letters, digits, spaces and . & ' - only, "
                          "e.g. `/team create Platform`.")
    if len(name) > MAX_NAME:
        raise BadTeamName(f"A team name can be at most {MAX_NAME} characters; that one has "
                          f"{len(name)}. Pick a shorter one.")
    return name


def team_id_for(name: str) -> str:
    """A stable id from a team's name: compatibility-normalised, lower case, words joined by dashes.

    >>> team_id_for("  Platform   Squad "), team_id_for("Ｏｐｓ")
    ('platform-squad', 'ops')
    """
    return "-".join(tidy(name).casefold().split())


def name_key(name: str) -> str:
    """What makes two team names the same name: ids that look alike (`Ops`, `Ｏｐｓ`, Cyrillic
    `Оps`, `ops`) share one key, and a workspace has one team per key.

    >>> name_key("Ops") == name_key("\u041eps") == name_key("ops")
    True
    """
    return skeleton(team_id_for(name))
