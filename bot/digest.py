"""The weekly digest: each manager's team summaries, on their Monday morning, once a week."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.ports import Delivery, DeliveryOutcome, Job, Mark, Ports
from bot.replies import Audience, Reply, Section
from bot.team_summary import summary_sections
from habits.people import PersonRef, Profile

WEEKLY, SUBJECT, PURPOSE = "team.digest", "weekly", "digest"
MARK_LEASE = 240


def next_monday_morning(profile: Profile, now: datetime) -> datetime:
    """The next Monday at the person's nudge time, local, strictly after `now`."""
    today = profile.local_date(now)
    for offset in range(0, 15):
        day = today + timedelta(days=offset)
        if day.weekday() != 0:
            continue
        moment = datetime.combine(day, profile.nudge_time, tzinfo=profile.zone)
        if moment > now:
            return moment
    raise AssertionError("a Monday comes within two weeks")


async def schedule(ports: Ports, person: PersonRef, now: datetime) -> None:
    profile = await ports.people.profile(person)
    await ports.due.schedule(Job(WEEKLY, person, SUBJECT, next_monday_morning(profile, now)))


async def run(ports: Ports, job: Job, now: datetime) -> list[Reply]:
    profile = await ports.people.profile(job.person)
    managed = [t for t in await ports.teams.of_person(job.person) if t.is_manager(job.person.user)]
    if not managed:
        return []  # no longer a manager: the digest ends here, not rescheduled
    monday = profile.local_date(job.due)
    if profile.local_date(now) - monday > timedelta(days=1) or profile.is_away(monday):
        await schedule(ports, job.person, now)
        return []  # a digest is for Monday morning; a stale or holiday one is not sent late
    mark = await ports.nudge_marks.begin(job.person, monday, now, MARK_LEASE, PURPOSE)
    if mark is Mark.BUSY:
        await schedule(ports, job.person, now)
        return []
    sections: list[Section] = []
    for team in managed:
        sections += await summary_sections(ports, team, profile, now)
    return [Reply(text="Your weekly team digest. Aggregates only; names appear only for people "
                       "who chose to share.", sections=tuple(sections), audience=Audience.DIRECT,
                  to=job.person, key=f"digest:{monday.isoformat()}",
                  check_first=mark is Mark.TAKEN_OVER)]


async def after(ports: Ports, job: Job, delivery: Delivery, now: datetime) -> Job | None:
    profile = await ports.people.profile(job.person)
    monday = profile.local_date(job.due)
    if delivery.outcome is DeliveryOutcome.RETRY:
        await ports.nudge_marks.release(job.person, monday, PURPOSE,
                                        uncertain=not delivery.refused)
    else:
        await ports.nudge_marks.sent(job.person, monday, PURPOSE)
        # Only now, as this one settles: see nudges.run_daily.
        return Job(WEEKLY, job.person, SUBJECT, next_monday_morning(profile, now))
    return None
