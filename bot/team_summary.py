"""What a team's managers see: aggregates only, and names only for those who chose to share.

Privacy (docs/privacy.md): only members who count (habits.teams.counts_in_teams: told about
Rapport, not opted out) are in a team's figures and its size. A team with fewer counted members
than its minimum (default 5, never below 3) shows no figures at all, and neither does a team
whose counted members differ by fewer than that from another team the same viewer can see
(subtracting one's figures from the other's would single someone out). Message texts never
appear.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.markup import mention, user_text
from bot.ports import Ports
from bot.progress import streaks_from
from bot.replies import Attachment, Section
from habits.people import Profile
from habits.streaks import RULES, Habit
from habits.summary import COUNTS, WeekFigures, last_weeks, sparkline
from habits.teams import Hidden, Reason, Team, counts_in_teams, hidden_because

TREND_WEEKS = 12
# What managers see of negotiation preps is one number, `preps`: preps started that week by the
# team's counted members, shown only with the rest of the figures (the minimum group size).
# Prepare and reflect stays out of team views (no active share, no named streak): it would say
# who negotiated when.
TEAM_HABITS = tuple(h for h in Habit if h is not Habit.PREPARE_REFLECT)
PREPS = "preps"


@dataclass(frozen=True, slots=True)
class Visible:
    """The teams one viewer can see, with each team's counted members."""

    teams: tuple[Team, ...]
    counted: Mapping[str, frozenset[str]]   # team id -> its members who count

    def of(self, team: Team) -> frozenset[str]:
        return self.counted.get(team.team_id, frozenset())

    def hidden(self, team: Team) -> Hidden | None:
        """Why `team`'s figures may not be shown to this viewer, or None."""
        return hidden_because(team, self.of(team), ((t, self.of(t)) for t in self.teams))


async def visible(ports: Ports, teams: Sequence[Team]) -> Visible:
    """`teams` (the ones a viewer can see) with who counts in each: one round trip."""
    users = sorted({user for team in teams for user in team.members})
    if not teams or not users:
        return Visible(tuple(teams), {t.team_id: frozenset() for t in teams})
    people = [teams[0].person(user) for user in users]
    counting = frozenset(p.person.user for p in await ports.people.profiles(people)
                         if counts_in_teams(p))
    return Visible(tuple(teams), {t.team_id: t.members & counting for t in teams})


async def managed_by(ports: Ports, viewer: Profile) -> list[Team]:
    """The teams the viewer manages (what a non-admin can see of teams)."""
    return [t for t in await ports.teams.of_person(viewer.person)
            if t.is_manager(viewer.person.user)]


def privacy_note(team: Team, counted: frozenset[str], hidden: Hidden) -> str:
    """What a viewer reads instead of figures they may not see."""
    name = f"*{user_text(team.name)}*"
    if hidden.reason is Reason.TOO_CLOSE and hidden.near is not None:
        return (f"{name}: no figures, because {user_text(hidden.near.name)} has almost the same "
                f"members (fewer than {max(team.minimum, hidden.near.minimum)} counted people "
                "are in one and not the other), and comparing the two would single someone out. "
                "Make the teams differ by more people, or delete one.")
    members = len(team.members)
    of = "" if len(counted) == members else f" of {members}"
    noun = "member" if members == 1 else "members"
    return (f"{name}: {len(counted)}{of} {noun} counted. Figures appear from "
            f"{team.minimum} counted members, so that no one can be singled out. A member counts "
            "once Rapport has told them about the team, unless they turned its messages off.")


@dataclass(frozen=True, slots=True)
class Shown:
    """A team's figures as a viewer may see them: its counted members and `TREND_WEEKS` weeks,
    oldest first (the last is the week shown)."""

    team: Team
    counted: frozenset[str]
    weeks: list[WeekFigures]


@dataclass(frozen=True, slots=True)
class Refused:
    """A team whose figures this viewer may not see, and why."""

    team: Team
    counted: frozenset[str]
    hidden: Hidden


def mean_active(week: WeekFigures, members: int) -> float:
    """The share of counted members active in a habit that week, averaged over the habits."""
    return sum(week.share_active(h, members) for h in TEAM_HABITS) / len(TEAM_HABITS)


async def team_figures(ports: Ports, team: Team, viewer: Profile, now: datetime,
                       week_ended: bool = False, seen: Visible | None = None,
                       ) -> Shown | Refused:
    """What the viewer may see of the team, as data: its weeks, or why there are none.

    The one place the privacy rules are applied to a summary: the chat summary, the digest
    and the dashboard page (bot.dashboard) all read it. `week_ended`: the week before the
    viewer's current one (the Monday digest's), not this one. `seen`: the teams the viewer can
    see; by default the ones they manage (an admin's command passes every team of the
    workspace).
    """
    if seen is None:
        others = [t for t in await managed_by(ports, viewer) if t.team_id != team.team_id]
        seen = await visible(ports, [team, *others])
    counted = seen.of(team)
    hidden = seen.hidden(team)
    if hidden is not None:
        return Refused(team, counted, hidden)
    day = viewer.local_date(now) - timedelta(days=7 if week_ended else 0)
    return Shown(team, counted, await ports.figures.weeks(team, last_weeks(day, TREND_WEEKS)))


async def summary_sections(ports: Ports, team: Team, viewer: Profile, now: datetime,
                           week_ended: bool = False, seen: Visible | None = None,
                           ) -> list[Section]:
    """The team's week and its 12-week trend, as sections (a note instead, when hidden).

    `week_ended` and `seen`: as for `team_figures`.
    """
    shown = await team_figures(ports, team, viewer, now, week_ended, seen)
    if isinstance(shown, Refused):
        return [Section(privacy_note(team, shown.counted, shown.hidden))]
    counted, weeks = shown.counted, shown.weeks
    this = weeks[-1]
    members = len(counted)
    active = " · ".join(f"{RULES[h].short} {this.share_active(h, members):.0%}"
                        for h in TEAM_HABITS)
    kept_trend = sparkline([w.count("kept_on_time") for w in weeks])
    active_trend = sparkline([mean_active(w, members) for w in weeks])
    size = (f"{members} members" if members == len(team.members)
            else f"{members} of {len(team.members)} members counted")
    lines = [
        f"*{user_text(team.name)}* — {size} · {'last' if week_ended else 'this'} week "
        f"({this.week})",
        f"Active: {active}",
        f"Promises: {this.count('promises_made')} made · {this.count('kept_on_time')} kept on time"
        f" · {this.count('renegotiated')} renegotiated · {this.count('dropped')} dropped",
        f"Recognition: {this.count('kudos')} given · {this.count('kudos_junior')} to junior "
        "colleagues",
        f"Handovers: {this.count('handovers')} made · {this.count('handovers_accepted')} accepted",
        f"Help: {this.count('thanks')} thanks given · {this.count('help_kept')} offers of help "
        f"kept · {this.count('reached_out')} reached out to a teammate",
        f"Negotiation preps: {this.count(PREPS)} started",
        f"Last {TREND_WEEKS} weeks — kept on time `{kept_trend}` · activity `{active_trend}`",
    ]
    sections = [Section("\n".join(lines))]
    named = await named_rows(ports, team, counted, now)
    if named:
        sections.append(Section("People who chose to share their figures:\n" + "\n".join(named)))
    return sections


async def named_streaks(ports: Ports, team: Team, counted: frozenset[str], now: datetime,
                        ) -> list[tuple[Profile, dict[Habit, int]]]:
    """The counted members who chose to share, each with their current streak per habit:
    three round trips whatever the size."""
    consenting = sorted(counted & await ports.people.sharing(team.workspace))
    profiles = await ports.people.profiles([team.person(u) for u in consenting])
    sharing = [p for p in profiles if p.share_with_managers and counts_in_teams(p)]
    this_year = now.year + 1
    years = [range((p.since or now.date()).year - 1, this_year) for p in sharing]
    histories = await ports.habits.histories([p.person for p in sharing], years)
    return [(profile, {s.habit: s.current for s in streaks_from(history, profile, now)})
            for profile, history in zip(sharing, histories, strict=True)]


async def named_rows(ports: Ports, team: Team, counted: frozenset[str], now: datetime) -> list[str]:
    """Rows for the counted members who chose to share (`named_streaks`)."""
    return [f"{mention(profile.person.user)} — " + " · ".join(
                f"{RULES[h].short} streak {streaks[h]}" for h in TEAM_HABITS)
            for profile, streaks in await named_streaks(ports, team, counted, now)]


def csv_export(team: Team, weeks: list[WeekFigures], members: int) -> Attachment:
    """The team's weekly aggregates as CSV (no names, no texts); `members`: how many count."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["week", "members", *COUNTS, PREPS,
                     *(f"active_{h.value}" for h in TEAM_HABITS)])
    for week in weeks:
        writer.writerow([week.week, members, *(week.count(c) for c in COUNTS), week.count(PREPS),
                         *(f"{week.share_active(h, members):.3f}" for h in TEAM_HABITS)])
    return Attachment(f"rapport-team-{team.team_id}.csv", out.getvalue().encode(), "text/csv")


def what_managers_see(team: Team, profile: Profile, counted: frozenset[str]) -> str:
    """A member's view of exactly what the team's managers can see about them.

    `counted`: the team's counted members (for whether it is big enough to show figures).
    """
    managers = ", ".join(mention(m) for m in sorted(team.managers)) or "nobody yet"
    if not counts_in_teams(profile):
        seen = ("nothing of yours: your activity is not counted in team figures while Rapport's "
                "messages to you are off (`/rapport settings nudges on` changes that)"
                if profile.enrolled else "nothing of yours: you are not counted in team figures")
    elif not team.shows_figures(counted):
        seen = (f"nothing at all: the team has fewer than {team.minimum} counted members, the "
                "minimum size for figures")
    elif profile.share_with_managers:
        seen = ("the team's weekly totals, and your name with your streaks (" +
                ", ".join(RULES[h].title.lower() for h in TEAM_HABITS) +
                "). Turn it off with `/rapport settings share off`")
    else:
        seen = ("only the team's weekly totals, never your name. You can choose to share "
                "your streaks with `/rapport settings share on`")
    return (f"*{user_text(team.name)}* (managers: {managers}): they see {seen}. "
            f"Managers never see message texts. `/team leave {team.team_id}` leaves the team.")
