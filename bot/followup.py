"""The follow-up loop: a promise's lapse judgement, and the one follow-up a day that asks
"did you keep it?" about promises due within working hours after the morning nudge.

Reminders and asks for everything else ride on the morning nudge (bot.nudges); habits.budget
decides when anything may go. Every job re-reads the promise and the person's calendar when it
runs, so a job planned before a change (a new date, a vacation, new hours) sends nothing wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from bot import record
from bot.formatting import promise_line
from bot.ports import Delivery, DeliveryOutcome, Job, Mark, Ports
from bot.replies import Audience, Button, ButtonStyle, Reply, Section
from habits.budget import BACK_OFF_AFTER, due_within, follow_up_at, morning_at, within_hours
from habits.commitments import Commitment
from habits.followup import lapse_at
from habits.people import Profile

# REMIND and ASK are the per-promise kinds of old: jobs still stored under them end quietly.
REMIND, ASK, LAPSE = "promise.remind", "promise.ask", "promise.lapse"
FOLLOW_UP = "promise.followup"   # one per person and local day; its subject is the day
KINDS = (REMIND, ASK, LAPSE, FOLLOW_UP)
PURPOSE = "followup"             # its once-a-day mark
MARK_LEASE = 240


def promise_buttons(commitment: Commitment) -> tuple[Button, ...]:
    value = str(commitment.number)
    return (
        Button("Kept", "promise.kept", value, ButtonStyle.PRIMARY),
        Button("Need more time", "promise.more_time", value, asks_for_date=True),
        Button("Drop it", "promise.drop", value, ButtonStyle.DANGER),
    )


async def cancel(ports: Ports, commitment: Commitment) -> None:
    for kind in (REMIND, ASK, LAPSE):
        await ports.due.cancel(kind, commitment.owner, str(commitment.number))


async def schedule(ports: Ports, commitment: Commitment, profile: Profile) -> None:
    """(Re)plan the follow-ups of a promise after it was made or changed."""
    await cancel(ports, commitment)
    if commitment.is_open:
        moment = lapse_at(commitment, profile)
        if moment is not None:
            await ports.due.schedule(Job(LAPSE, commitment.owner, str(commitment.number), moment))
    if commitment.due is not None:
        await replan(ports, profile, [profile.local_date(commitment.due)])


async def replan(ports: Ports, profile: Profile, days: Iterable[date]) -> None:
    """Put each day's follow-up at its moment (habits.budget.follow_up_at), or take it out."""
    wanted = sorted(set(days))
    if not wanted:
        return
    promises = await ports.commitments.open_for(profile.person)
    for day in wanted:
        moment = follow_up_at(profile, day, promises)
        if moment is None:
            await ports.due.cancel(FOLLOW_UP, profile.person, day.isoformat())
        else:
            await ports.due.schedule(Job(FOLLOW_UP, profile.person, day.isoformat(), moment))


async def run(ports: Ports, job: Job, now: datetime) -> list[Reply]:
    """Carry out one follow-up job."""
    if job.kind == FOLLOW_UP:
        return await _follow_up(ports, job, now)
    if job.kind == LAPSE:
        await _judge_lapse(ports, job, now)
    return []


async def _follow_up(ports: Ports, job: Job, now: datetime) -> list[Reply]:
    profile = await ports.people.profile(job.person)
    day = date.fromisoformat(job.subject)
    if profile.local_date(now) != day or not within_hours(profile, now) \
            or profile.quiet_days >= BACK_OFF_AFTER:
        return []  # never late, never outside hours; the next morning nudge asks instead
    promises = await ports.commitments.open_for(job.person)
    asked = [c for c in due_within(day, profile, promises, now)
             if c.due is not None and c.due > morning_at(profile, day)]
    if not asked:
        return []
    mark = await ports.nudge_marks.begin(job.person, day, now, MARK_LEASE, PURPOSE)
    if mark is Mark.BUSY:
        return []
    sections = tuple(Section(f"*Did you keep it?* {promise_line(c, profile.zone, now)}",
                             promise_buttons(c)) for c in asked)
    text = ("It's time: did you keep it?" if len(asked) == 1 else
            f"It's time for {len(asked)} promises due today. How did they go?")
    return [Reply(text=text, sections=sections, audience=Audience.DIRECT, to=job.person,
                  key=f"{PURPOSE}:{day.isoformat()}", check_first=mark is Mark.TAKEN_OVER)]


async def after(ports: Ports, job: Job, delivery: Delivery, now: datetime) -> Job | None:
    """Settle the day's follow-up mark once it was delivered (or free it for the retry)."""
    if job.kind != FOLLOW_UP:
        return None
    day = date.fromisoformat(job.subject)
    if delivery.outcome is DeliveryOutcome.RETRY:
        await ports.nudge_marks.release(job.person, day, PURPOSE, uncertain=not delivery.refused)
    else:
        await ports.nudge_marks.sent(job.person, day, PURPOSE)
    return None


async def _judge_lapse(ports: Ports, job: Job, now: datetime) -> None:
    """A promise unanswered by the end of the working day after it was due lapses. For people
    who get morning nudges, the next morning judges it and says so in the same message
    (bot.nudges); for others it lapses quietly here. Time away moves the judgement past it."""
    number = int(job.subject) if job.subject.isascii() and job.subject.isdigit() else -1
    commitment = await ports.commitments.get(job.person, number)
    if commitment is None or not commitment.is_open or commitment.lapsed_on is not None:
        return
    profile = await ports.people.profile(job.person)
    moment = lapse_at(commitment, profile)
    if moment is None or (profile.enrolled and profile.nudges_on):
        return
    if now < moment:  # the calendar changed (a vacation, a new date): judge it later
        await ports.due.schedule(replace(job, due=moment))
        return
    await judge_lapse(ports, commitment, profile)


async def judge_lapse(ports: Ports, commitment: Commitment, profile: Profile) -> None:
    """Record that the promise lapsed, on the local day of its lapse moment."""
    moment = lapse_at(commitment, profile)
    fresh = await ports.commitments.get(commitment.owner, commitment.number)
    if moment is None or fresh is None or not fresh.is_open or fresh.lapsed_on is not None:
        return  # kept, dropped or judged meanwhile
    day = profile.local_date(moment)
    await ports.commitments.save(commitment_lapsed(fresh, day.isoformat()))
    await ports.habits.lapsed(commitment.owner, day)
    await record.counted(ports, commitment.owner, day, lapsed=1)


def commitment_lapsed(commitment: Commitment, day: str) -> Commitment:
    return replace(commitment, lapsed_on=day)
