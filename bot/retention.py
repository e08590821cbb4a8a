"""Retention: message texts older than the retention period are let go, for everyone.

Each person known to Rapport has a weekly job of their own, whether or not they get nudges:
it blanks the texts (what was promised, kudos reasons, decisions) of records older than the
period, a week early so that none is ever kept beyond it (docs/privacy.md). Figures and dates
stay, so streaks and team summaries do not change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.ports import Job, Ports
from bot.replies import Reply
from habits.people import PersonRef

RETAIN = "privacy.retention"
SUBJECT = "weekly"
RETENTION = timedelta(days=180)  # message texts are kept at most this long
EVERY = timedelta(days=7)


async def schedule(ports: Ports, person: PersonRef, now: datetime) -> None:
    """Start the person's weekly retention job (a first one within the week)."""
    spread = timedelta(minutes=sum(map(ord, person.user)) % (24 * 60))  # not all at once
    await ports.due.schedule(Job(RETAIN, person, SUBJECT, now + timedelta(days=1) + spread))


async def run(ports: Ports, job: Job, now: datetime) -> list[Reply]:
    await ports.personal_data.expire_texts(job.person, now - RETENTION + EVERY)
    await ports.due.schedule(Job(RETAIN, job.person, SUBJECT, now + EVERY))
    return []
