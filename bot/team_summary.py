"""What a team's managers see: aggregates only, and names only for those who chose to share.

Privacy follows the minimum group size: a team smaller than its minimum (default 5, never below
3) shows no figures at all, so no one can be singled out. Message texts never appear.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from bot.markup import mention, user_text
from bot.ports import Ports
from bot.progress import streaks_from
from bot.replies import Attachment, Section
from habits.people import Profile
from habits.streaks import RULES, Habit
from habits.summary import COUNTS, WeekFigures, last_weeks, sparkline
from habits.teams import Team

TREND_WEEKS = 12
_SHORT = {Habit.KEEP: "keep", Habit.FOLLOW_UP: "follow-up", Habit.RECOGNISE: "recognise",
          Habit.RECOGNISE_JUNIOR: "juniors", Habit.HAND_OVER: "hand over"}


def privacy_note(team: Team) -> str:
    minimum = max(team.min_group_size, 3)
    return (f"*{user_text(team.name)}* has {len(team.members)} member(s). Figures appear from "
            f"{minimum} members, so that no one can be singled out.")


async def summary_sections(ports: Ports, team: Team, viewer: Profile, now: datetime) -> list[Section]:
    """The team's week and its 12-week trend, as sections (empty figures for small teams)."""
    if not team.shows_figures():
        return [Section(privacy_note(team))]
    weeks = await ports.figures.weeks(team, last_weeks(viewer.local_date(now), TREND_WEEKS))
    this = weeks[-1]
    members = len(team.members)
    active = " · ".join(f"{_SHORT[h]} {this.share_active(h, members):.0%}" for h in Habit)
    kept_trend = sparkline([w.count("kept_on_time") for w in weeks])
    active_trend = sparkline([sum(w.share_active(h, members) for h in Habit) / len(Habit)
                              for w in weeks])
    lines = [
        f"*{user_text(team.name)}* — {members} members · this week ({this.week})",
        f"Active: {active}",
        f"Promises: {this.count('promises_made')} made · {this.count('kept_on_time')} kept on time"
        f" · {this.count('renegotiated')} renegotiated · {this.count('dropped')} dropped",
        f"Recognition: {this.count('kudos')} given · {this.count('kudos_junior')} to junior "
        "colleagues",
        f"Handovers: {this.count('handovers')} made · {this.count('handovers_accepted')} accepted",
        f"Last {TREND_WEEKS} weeks — kept on time `{kept_trend}` · activity `{active_trend}`",
    ]
    sections = [Section("\n".join(lines))]
    named = await named_rows(ports, team, now)
    if named:
        sections.append(Section("People who chose to share their figures:\n" + "\n".join(named)))
    return sections


async def named_rows(ports: Ports, team: Team, now: datetime) -> list[str]:
    """Rows for the members who chose to share: three round trips whatever the team's size."""
    consenting = sorted(team.members & await ports.people.sharing(team.workspace))
    profiles = await ports.people.profiles([team.person(u) for u in consenting])
    sharing = [p for p in profiles if p.share_with_managers]
    this_year = now.year + 1
    years = [range((p.since or now.date()).year - 1, this_year) for p in sharing]
    histories = await ports.habits.histories([p.person for p in sharing], years)
    rows = []
    for profile, history in zip(sharing, histories, strict=True):
        streaks = {s.habit: s for s in streaks_from(history, profile, now)}
        rows.append(f"{mention(profile.person.user)} — " + " · ".join(
            f"{_SHORT[h]} streak {streaks[h].current}" for h in Habit))
    return rows


def csv_export(team: Team, weeks: list[WeekFigures]) -> Attachment:
    """The team's weekly aggregates as CSV (no names, no texts)."""
    out = io.StringIO()
    writer = csv.writer(out)
    members = len(team.members)
    writer.writerow(["week", "members", *COUNTS, *(f"active_{h.value}" for h in Habit)])
    for week in weeks:
        writer.writerow([week.week, members, *(week.count(c) for c in COUNTS),
                         *(f"{week.share_active(h, members):.3f}" for h in Habit)])
    return Attachment(f"rapport-team-{team.team_id}.csv", out.getvalue().encode(), "text/csv")


def what_managers_see(team: Team, profile: Profile) -> str:
    """A member's view of exactly what the team's managers can see about them."""
    managers = ", ".join(mention(m) for m in sorted(team.managers)) or "nobody yet"
    if not team.shows_figures():
        seen = "nothing at all: the team is below the minimum size for figures"
    elif profile.share_with_managers:
        seen = ("the team's weekly totals, and your name with your streaks (" +
                ", ".join(RULES[h].title.lower() for h in Habit) +
                "). Turn it off with `/rapport settings share off`")
    else:
        seen = ("only the team's weekly totals, never your name. You can choose to share "
                "your streaks with `/rapport settings share on`")
    return (f"*{user_text(team.name)}* (managers: {managers}): they see {seen}. "
            "Managers never see message texts.")
