"""The weekly digest: each manager's team summaries, of the week that ended, carried by their
first morning nudge of the week (one message, not two: see habits.budget)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.ports import Job, Ports
from bot.replies import Reply, Section
from bot.team_summary import summary_sections
from habits.budget import first_of_week
from habits.people import PersonRef, Profile
from habits.teams import Team

WEEKLY = "team.digest"  # the kind of the separate digest jobs of old; they now end quietly


async def sections(ports: Ports, profile: Profile, teams: Sequence[Team],
                   now: datetime) -> list[Section]:
    """The digest to add to this morning's nudge: the week that ended, for each team the
    person manages, on their first working morning of the week; nothing on other days."""
    managed = [t for t in teams if t.is_manager(profile.person.user)]
    if not managed or not first_of_week(profile, profile.local_date(now)):
        return []
    found: list[Section] = []
    for team in sorted(managed, key=lambda t: t.name):
        found += await summary_sections(ports, team, profile, now, week_ended=True)
    return found


async def schedule(ports: Ports, person: PersonRef, now: datetime) -> None:
    """Nothing to schedule: the digest rides on the manager's morning nudge."""


async def run(ports: Ports, job: Job, now: datetime) -> list[Reply]:
    """A digest job stored before digests joined the morning nudge: ends without a message."""
    return []
