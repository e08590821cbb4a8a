"""Teams of people with managers (not Microsoft Teams): who is in, who is junior, who leads."""

from __future__ import annotations

from dataclasses import dataclass, field

from habits.people import PersonRef, WorkspaceRef

MIN_GROUP_SIZE = 5        # below this, a team shows no figures at all
FLOOR_GROUP_SIZE = 3      # the minimum can be lowered to this, never further


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

    def shows_figures(self) -> bool:
        """Privacy by group size: a team too small to hide individuals shows nothing."""
        return len(self.members) >= max(self.min_group_size, FLOOR_GROUP_SIZE)


def team_id_for(name: str) -> str:
    """A stable id from a team's name: lower case, words joined by dashes.

    >>> team_id_for("  Platform   Squad ")
    'platform-squad'
    """
    return "-".join(name.lower().split())
