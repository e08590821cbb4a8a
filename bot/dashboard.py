"""The team dashboard page, as data: what one viewer may see of each team, week by week.

Platform-neutral, like the chat summary it mirrors: the figures come from
`bot.team_summary.team_figures`, so the page follows exactly the chat's privacy rules
(docs/privacy.md): only the teams the viewer may see (every team of the workspace for an admin,
else the ones they manage), aggregates of counted members only, nothing for a team below its
minimum group size or too close to another team the viewer sees, and names only of counted
members who chose to share. No message text is ever read here. adapters/web/dashboard.py turns
it into HTML and SVG; docs/managers.md shows the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.ports import Ports
from bot.team_summary import (
    TEAM_HABITS,
    TREND_WEEKS,
    Refused,
    managed_by,
    named_streaks,
    team_figures,
    visible,
)
from habits.people import PersonRef
from habits.streaks import RULES
from habits.summary import week_of
from habits.teams import Hidden, Reason, Team

# The weekly counts the page charts, with their titles: those the chat summary shows.
COUNT_CHARTS: tuple[tuple[str, str], ...] = (
    ("promises_made", "Promises made"),
    ("kept_on_time", "Promises kept on time"),
    ("renegotiated", "Promises renegotiated"),
    ("dropped", "Promises dropped"),
    ("kudos", "Recognition given"),
    ("kudos_junior", "Recognition to junior colleagues"),
    ("handovers", "Handovers made"),
    ("handovers_accepted", "Handovers accepted"),
    ("thanks", "Thanks given"),
    ("help_kept", "Offers of help kept"),
    ("reached_out", "Reached out to a teammate"),
    ("preps", "Negotiation preps started"),
)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who a dashboard link or session is for, and whether the platform called them an admin
    when they asked for the link (a session lasts minutes, so that answer stays fresh)."""

    person: PersonRef
    is_admin: bool


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: a value per week, oldest first (`share`: 0..1 of counted members)."""

    key: str                      # "active_keep", "kept_on_time"
    title: str
    unit: Literal["share", "count"]
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Sharing:
    """A counted member who chose to share: their name and current streak per habit."""

    name: str
    streaks: tuple[tuple[str, int], ...]   # (habit title, current streak)


@dataclass(frozen=True, slots=True)
class TeamPanel:
    team_id: str
    name: str
    counted: int                  # members who count
    members: int                  # members in all
    weeks: tuple[str, ...]        # ISO weeks, oldest first; the last is this week
    charts: tuple[Chart, ...]
    sharing: tuple[Sharing, ...]

    def chart(self, key: str) -> Chart:
        return next(chart for chart in self.charts if chart.key == key)


@dataclass(frozen=True, slots=True)
class TeamNote:
    """A team the viewer may see but whose figures are withheld, and why, in plain words."""

    team_id: str
    name: str
    note: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    viewer: Viewer
    week: str                     # the viewer's current ISO week
    teams: tuple[TeamPanel | TeamNote, ...]


def withheld(team: Team, counted: frozenset[str], hidden: Hidden) -> str:
    """Why a team shows no figures (bot.team_summary.privacy_note, as plain text)."""
    if hidden.reason is Reason.TOO_CLOSE and hidden.near is not None:
        return (f"No figures, because {hidden.near.name} has almost the same members (fewer "
                f"than {max(team.minimum, hidden.near.minimum)} counted people are in one and "
                "not the other), and comparing the two would single someone out. Make the teams "
                "differ by more people, or delete one.")
    members = len(team.members)
    of = "" if len(counted) == members else f" of {members}"
    noun = "member" if members == 1 else "members"
    return (f"{len(counted)}{of} {noun} counted. Figures appear from {team.minimum} counted "
            "members, so that no one can be singled out. A member counts once Rapport has told "
            "them about the team, unless they turned its messages off.")


async def viewable(ports: Ports, viewer: Viewer) -> list[Team]:
    """The teams the viewer may see: every team of the workspace for an admin, else those they
    manage (as `/team` in chat), by name."""
    if viewer.is_admin:
        teams = await ports.teams.in_workspace(viewer.person.workspace_ref)
    else:
        profile = await ports.people.profile(viewer.person)
        teams = await managed_by(ports, profile)
    return sorted(teams, key=lambda t: (t.name.casefold(), t.team_id))


async def dashboard(ports: Ports, viewer: Viewer, now: datetime) -> Dashboard:
    """Every team the viewer may see, with its charts or the note that replaces them.

    A few round trips per team (its figures, and three for those who share), whatever its size.
    """
    profile = await ports.people.profile(viewer.person)
    teams = await viewable(ports, viewer)
    seen = await visible(ports, teams)
    shown: list[TeamPanel | TeamNote] = []
    for team in teams:
        figures = await team_figures(ports, team, profile, now, seen=seen)
        if isinstance(figures, Refused):
            shown.append(TeamNote(team.team_id, team.name,
                                  withheld(team, figures.counted, figures.hidden)))
            continue
        members = len(figures.counted)
        weeks = figures.weeks
        charts = [Chart(f"active_{h.value}", f"Active: {RULES[h].title}", "share",
                        tuple(w.share_active(h, members) for w in weeks)) for h in TEAM_HABITS]
        charts += [Chart(key, title, "count", tuple(float(w.count(key)) for w in weeks))
                   for key, title in COUNT_CHARTS]
        sharing = tuple(
            Sharing(person.display_name or person.person.user,
                    tuple((RULES[h].title, streaks.get(h, 0)) for h in TEAM_HABITS))
            for person, streaks in await named_streaks(ports, team, figures.counted, now))
        shown.append(TeamPanel(team.team_id, team.name, members, len(team.members),
                               tuple(w.week for w in weeks), tuple(charts), sharing))
    return Dashboard(viewer, week_of(profile.local_date(now)), tuple(shown))


__all__ = ["COUNT_CHARTS", "TREND_WEEKS", "Chart", "Dashboard", "Sharing", "TeamNote",
           "TeamPanel", "Viewer", "dashboard", "viewable", "withheld"]
