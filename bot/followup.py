"""The follow-up loop: schedule a promise's reminder, its "did you keep it?" and its lapse,
and carry each out when it falls due."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot import record
from bot.formatting import promise_line, when
from bot.markup import mention
from bot.ports import Job, Ports
from bot.replies import Audience, Button, ButtonStyle, Reply, Section
from habits.commitments import Commitment
from habits.followup import ask_at, lapse_at, reminder_at
from habits.nudges import nudges_on
from habits.people import Profile

REMIND, ASK, LAPSE = "promise.remind", "promise.ask", "promise.lapse"
KINDS = (REMIND, ASK, LAPSE)

_REMINDERS = (
    "Heads-up for today: {line}.",
    "A promise coming due: {line}. A quick update to the person waiting goes a long way.",
    "On your plate and due soon: {line}.",
    "Friendly reminder: {line}. If it's going to slip, now is the moment to say so.",
)
_ASKS = (
    "It's time: {line}. Did you keep it?",
    "{line} is due now. How did it go?",
    "Checking in on {line}. Done, or do you need more time?",
)


def promise_buttons(commitment: Commitment) -> tuple[Button, ...]:
    value = str(commitment.number)
    return (
        Button("Kept", "promise.kept", value, ButtonStyle.PRIMARY),
        Button("Need more time", "promise.more_time", value, asks_for_date=True),
        Button("Drop it", "promise.drop", value, ButtonStyle.DANGER),
    )


async def cancel(ports: Ports, commitment: Commitment) -> None:
    for kind in KINDS:
        await ports.due.cancel(kind, commitment.owner, str(commitment.number))


async def schedule(ports: Ports, commitment: Commitment, profile: Profile) -> None:
    """(Re)schedule the follow-ups of an open promise; cancel them for a closed one."""
    subject = str(commitment.number)
    await cancel(ports, commitment)
    if not commitment.is_open:
        return
    moments = {REMIND: reminder_at(commitment, profile), ASK: ask_at(commitment, profile),
               LAPSE: lapse_at(commitment, profile)}
    for kind, moment in moments.items():
        if moment is not None:
            await ports.due.schedule(Job(kind, commitment.owner, subject, moment))


def _variant(options: tuple[str, ...], commitment: Commitment, salt: int) -> str:
    # Deterministic per promise, different between promises: varied, never random in tests.
    return options[(commitment.number * 7 + salt) % len(options)]


async def run(ports: Ports, job: Job, now: datetime) -> list[Reply]:
    """Carry out one follow-up job. Stale work (its moment long gone) is skipped, not sent late."""
    number = int(job.subject) if job.subject.isascii() and job.subject.isdigit() else -1
    commitment = await ports.commitments.get(job.person, number)
    if commitment is None or not commitment.is_open:
        return []
    profile = await ports.people.profile(job.person)
    line = promise_line(commitment, profile.zone, now)
    buttons = promise_buttons(commitment)
    if job.kind == REMIND:
        if commitment.due is None or now >= commitment.due:
            return []  # the ask at the due moment says it better now
        today = profile.local_date(now)
        if today == profile.local_date(commitment.due) and nudges_on(profile, today):
            return []  # today's daily nudge leads with promises due today: one message, not two
        text = _variant(_REMINDERS, commitment, profile.local_date(now).toordinal())
        return [_direct(job, text.format(line=line), buttons)]
    if job.kind == ASK:
        lapse = lapse_at(commitment, profile)
        if lapse is not None and now >= lapse:
            return []  # past the lapse moment: the lapse job speaks
        text = _variant(_ASKS, commitment, 0).format(line=line)
        if commitment.due is None:
            text = f"A couple of days ago you promised {line}. Did you keep it?"
        return [_direct(job, text, buttons)]
    if job.kind == LAPSE:
        if commitment.lapsed_on is not None or commitment.due is None or now < commitment.due:
            return []
        day = profile.local_date(now)
        await ports.commitments.save(commitment_lapsed(commitment, day.isoformat()))
        await ports.habits.lapsed(job.person, day)
        await record.counted(ports, job.person, day, lapsed=1)
        who = ", ".join(mention(p) for p in commitment.to) or "the person counting on it"
        text = (f"{line} slipped past its date without a word. It happens. A short note to {who} "
                f"now, with a new date ({when(now, profile.zone)} is not too late), repairs most "
                "of the trust; silence is what costs it.")
        return [_direct(job, text, buttons)]
    return []


def commitment_lapsed(commitment: Commitment, day: str) -> Commitment:
    return replace(commitment, lapsed_on=day)


def _direct(job: Job, text: str, buttons: tuple[Button, ...]) -> Reply:
    return Reply(text=text, sections=(Section("", buttons),), audience=Audience.DIRECT,
                 to=job.person)
