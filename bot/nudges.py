"""The morning nudge, in words: planned by habits.nudges, written here, sent by the tick.

The morning nudge bundles everything due (habits.nudges) into one message, each promise with
its own buttons; habits.budget decides whether and when it goes. Each enrolled person has one
daily job in the due-work index, at their next morning. A tick
hands a claimed batch of them to `DailyBatch`, which reads what the whole batch needs in a few
round trips, composes each nudge, and records the outcomes together. At most one nudge is sent
per person and local day (a mark in Redis makes that hold across replicas), and the next
occurrence is scheduled in the same atomic step that settles this one, so nobody is ever
dropped from the schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from bot import digest, followup
from bot.formatting import promise_line
from bot.markup import mention, user_text
from bot.ports import Delivery, DeliveryOutcome, Job, Mark, NudgeInputs, Ports
from bot.progress import streaks_from, week_done_from
from bot.replies import Audience, Button, ButtonStyle, Reply, Section
from habits.budget import backing_off, catch_up, next_morning, within_hours
from habits.commitments import Commitment
from habits.familiarity import quiet_teammate
from habits.helpfulness import helped_with, since_last_morning, to_pass_on
from habits.nudges import Agenda, NudgeKind, NudgePlan, plan
from habits.people import PersonRef, Profile
from habits.streaks import RULES, Habit, week_start

DAILY, AGAIN = "nudge.daily", "nudge.again"
KEEP_DAILY = "nudge.keep_daily"
SUBJECT = "daily"
MARK_LEASE = 240          # shorter than the tick's claim lease, so a crashed send is retried
SNOOZE = timedelta(hours=2)
# The prep buttons (bot.commands.prep OPEN and OPEN_DEBRIEF), named here: the core imports
# the commands, not the other way round.
PREP_FORM, PREP_DEBRIEF = "prep.form", "prep.debrief"
MAX_PROMISES = 10         # one section each; `/kept` lists the rest (Slack allows 50 blocks)

_PROMISES = (
    "Good morning. Due today: {lines}. Keeping it, or saying early that you can't, is how "
    "trust is built.",
    "Today's the day for {lines}. Done already? Tap Kept. Slipping? A word now, while it is "
    "still early, keeps faith with whoever is waiting.",
    "On your list for today: {lines}. Small promises kept are the quiet engine of influence.",
)
# Sent to the person's teammates: nothing here may say how the colleague is labelled.
_RECOGNISE = (
    "Who made your week better? One specific sentence to {who} about something they did well "
    "will stay with them.",
    "A thought for today: what did {who} do recently that helped? Say it, specifically.",
    "Name one concrete thing {who} did lately, and why it mattered. It takes a minute.",
)
_HAND_OVER = (
    "Is there a decision on your plate that someone else could make? Handing it over gives "
    "them control, and shows you trust them.",
    "One question for today: which call could a teammate own instead of you? People grow "
    "into the decisions they are given.",
    "Influence grows when you share control. Pick one decision this week and hand it over.",
)
# Help received, and a thought about passing it on: never a debt, never "you owe".
_PAY_FORWARD = (
    "{who} helped you {what}. Who could you help this week?",
    "{who} helped you {what}. Help travels best when it's passed on: who could use a hand "
    "from you this week?",
)
# A teammate not in touch lately. Nothing here may say how the colleague is labelled.
_STAY_IN_TOUCH = (
    "You and {who} haven't been in touch for a few weeks. A quick hello, or a question about "
    "what they're working on, keeps you known to each other.",
    "It's been a while since you and {who} spoke. Two lines today (how's it going, what are "
    "you on?) keep the door open.",
)
PAY_FORWARD_ACTION = "nudge.pay_forward"
REACHED_OUT, NOT_NOW, DONT_SUGGEST = "nudge.reached_out", "nudge.not_now", "nudge.dont_suggest"


def _pick(options: tuple[str, ...], person: PersonRef, day: date) -> str:
    # Varies from day to day and person to person, yet is stable for a given day (retries
    # and tests see the same words).
    seed = day.toordinal() * 31 + sum(map(ord, person.user))
    return options[seed % len(options)]


def next_job(profile: Profile, now: datetime) -> Job | None:
    moment = next_morning(profile, now)
    return Job(DAILY, profile.person, SUBJECT, moment) if moment is not None else None


async def schedule(ports: Ports, profile: Profile, now: datetime) -> None:
    """Put the person's next morning nudge in the schedule (or take it out: nudges off, or
    never enrolled), and move today's follow-up to match their hours."""
    upcoming = next_job(profile, now)
    if upcoming is None:
        await ports.due.cancel(DAILY, profile.person, SUBJECT)
    else:
        await ports.due.schedule(upcoming)
    await followup.replan(ports, profile, [profile.local_date(now)])


def _years(profile: Profile, day: date) -> list[int]:
    since = profile.since or day
    return list(range(since.year - 1, day.year + 1))


async def compose(ports: Ports, profile: Profile, now: datetime) -> Reply | None:
    """Today's morning nudge for the person, or None when today brings none."""
    day = profile.local_date(now)
    return compose_from(await ports.planning.nudge_inputs(profile.person, _years(profile, day)),
                        profile, now)


def compose_from(inputs: NudgeInputs, profile: Profile, now: datetime,
                 digest: Sequence[Section] = ()) -> Reply | None:
    chosen = plan_from(inputs, profile, now)
    return None if chosen is None else _words(chosen, profile, profile.local_date(now), now, digest)


def plan_from(inputs: NudgeInputs, profile: Profile, now: datetime) -> NudgePlan | None:
    """What this morning's nudge is to say, from what the store gave (see habits.nudges)."""
    day = profile.local_date(now)
    juniors: list[tuple[str, date | None]] = []
    junior_ids = sorted({user for team in inputs.teams for user in team.juniors})
    if junior_ids:
        last: dict[str, date] = {}
        for recognition in inputs.recognitions_given:
            given = profile.local_date(recognition.given_at)
            user = recognition.receiver.user
            last[user] = max(last.get(user, given), given)
        juniors = [(user, last.get(user)) for user in junior_ids]
    week = week_start(day, profile.working_days)
    handed = any(profile.local_date(h.offered_at) >= week for h in inputs.handovers_given)
    since, until = since_last_morning(profile, now)
    pass_on = to_pass_on(inputs.favours_received, inputs.favours_given, since, until)
    quiet = quiet_teammate(profile.person.user, inputs.teams, inputs.last_contact,
                           inputs.not_suggested, profile.since or day, day)
    return plan(profile, now, inputs.open_promises, juniors, handed,
                lambda: streaks_from(inputs.history, profile, now), pass_on, quiet,
                inputs.preps, week_done_from(inputs.history, profile, now))


def _suggestion(chosen: NudgePlan, person: PersonRef, day: date) -> Section:
    if chosen.kind is NudgeKind.PAY_FORWARD:
        assert chosen.favour is not None
        return Section(_pick(_PAY_FORWARD, person, day).format(
            who=mention(chosen.favour.helper.user), what=user_text(helped_with(chosen.favour.what))),
            (Button("Ideas", PAY_FORWARD_ACTION, "", ButtonStyle.PRIMARY),))
    if chosen.kind is NudgeKind.STAY_IN_TOUCH:
        assert chosen.colleague is not None
        who = chosen.colleague
        return Section(_pick(_STAY_IN_TOUCH, person, day).format(who=mention(who)),
                       (Button("I reached out", REACHED_OUT, who, ButtonStyle.PRIMARY),
                        Button("Not now", NOT_NOW, who), Button("Don't suggest them",
                                                                DONT_SUGGEST, who)))
    if chosen.kind is NudgeKind.RECOGNISE:
        assert chosen.junior is not None
        return Section(_pick(_RECOGNISE, person, day).format(who=mention(chosen.junior)),
                       (Button("Give kudos", "nudge.kudos", chosen.junior, ButtonStyle.PRIMARY),))
    if chosen.kind is NudgeKind.HAND_OVER:
        return Section(_pick(_HAND_OVER, person, day),
                       (Button("Hand over", "nudge.handover", "", ButtonStyle.PRIMARY),))
    return Section("Tip of the day: " + _pick(RULES[chosen.habit or Habit.KEEP].nudge_tips,
                                              person, day),
                   (Button("My habits", "nudge.habits", ""),))


def _agenda_sections(agenda: Agenda, profile: Profile, now: datetime) -> list[Section]:
    """One section per promise, each with its own Kept / Need more time / Drop it."""
    shown = agenda.promises[:MAX_PROMISES]
    sections: list[Section] = []
    for commitment in shown:
        line = promise_line(commitment, profile.zone, now)
        if commitment in agenda.lapsed:
            who = ", ".join(mention(p) for p in commitment.to)
            note = f"A short note to {who} now, with a new date," if who else \
                "A new date, set now,"
            text = (f"*Slipped:* {line}. It happens. {note} repairs most of the trust; silence "
                    "is what costs it.")
        elif commitment in agenda.overdue:
            text = f"*Did you keep it?* {line}"
        elif commitment in agenda.due_today:
            text = f"*Due today:* {line}"
        elif commitment in agenda.coming_up:
            text = f"*Coming up:* {line}. If it's going to slip, now is the moment to say so."
        else:
            text = f"*How did it go?* A couple of days ago you promised {line}."
        sections.append(Section(text, followup.promise_buttons(commitment)))
    hidden = len(agenda.promises) - len(shown)
    if hidden:
        sections.append(Section(f"…and {hidden} more: `/kept` lists them all."))
    return sections + _prep_sections(agenda)


def _prep_sections(agenda: Agenda) -> list[Section]:
    """A negotiation's one-screen summary on its day, and a debrief prompt the morning after."""
    sections: list[Section] = []
    for prep in agenda.meetings:
        lines = [f"*Meeting today:* {user_text(prep.what)} with {mention(prep.counterpart)}."]
        for key, label in (("want", "You want"), ("walk_away", "Walk away at"),
                           ("alternative", "Your alternative"), ("opening", "Open with")):
            if prep.answer(key):
                lines.append(f"{label}: {user_text(prep.answer(key))}")
        lines.append("Listen first, trade every concession, and leave the door open.")
        sections.append(Section("\n".join(lines), (Button("My prep", PREP_FORM, str(prep.number)),)))
    for prep in agenda.debriefs:
        sections.append(Section(
            f"*How did it go?* {user_text(prep.what)} with {mention(prep.counterpart)}. Two "
            "minutes now keeps what you learned about them for next time.",
            (Button("Debrief", PREP_DEBRIEF, str(prep.number), ButtonStyle.PRIMARY),)))
    return sections


def _words(chosen: NudgePlan, profile: Profile, day: date, now: datetime,
           digest: Sequence[Section] = ()) -> Reply:
    person = profile.person
    value = day.isoformat()
    later = (Button("Snooze 2h", "nudge.snooze", value), Button("Not today", "nudge.not_today", value))
    agenda = chosen.agenda
    sections = _agenda_sections(agenda, profile, now)
    suggestion = _suggestion(chosen, person, day)
    if backing_off(profile):
        text = ("I haven't heard from you in a while, so I'll write once a week from now on. "
                "Tap *Keep daily* if you'd rather hear from me every working morning.")
        sections.insert(0, Section("", (Button("Keep daily", KEEP_DAILY, "", ButtonStyle.PRIMARY),)))
    elif agenda.promises or agenda.meetings or agenda.debriefs:
        today = [c for c in agenda.promises if c in agenda.due_today]
        first = (_pick(_PROMISES, person, day).format(lines=", ".join(
            f"*#{c.number}*" for c in today)) if today else
            "Good morning. A few promises to look at: a word now, while it is still early, "
            "keeps faith with whoever is waiting." if agenda.promises else
            "Good morning. A negotiation on your mind: here is where you stand.")
        text = first
    else:
        text, suggestion = suggestion.text, Section("", suggestion.buttons)
    sections.append(Section(suggestion.text, (*suggestion.buttons, *later)))
    if digest:
        sections.append(Section("*Your weekly team digest* (the week that ended). Aggregates "
                                "only; names appear only for people who chose to share."))
        sections.extend(digest)
    return Reply(text=text, sections=tuple(sections), audience=Audience.DIRECT, to=person)


class DailyBatch:
    """The daily jobs of one claimed batch.

    `prepare` reads what they all need (profiles, today's marks, the planner's inputs) in a
    few round trips and composes each nudge; the tick sends them; `after` notes each outcome;
    `finish` records today's marks together. A job whose day has passed (downtime ran past
    it) still brings today's nudge while today's working hours last (habits.budget.catch_up);
    yesterday's is never sent late.

    >>> batch = await DailyBatch.prepare(ports, jobs, now)   # doctest: +SKIP
    >>> batch.replies(jobs[0])                # [] or [today's nudge]  # doctest: +SKIP
    """

    def __init__(self, ports: Ports, now: datetime) -> None:
        self.ports = ports
        self.now = now
        self._profiles: dict[PersonRef, Profile] = {}
        self._replies: dict[Job, list[Reply]] = {}
        self._settled: list[tuple[PersonRef, date]] = []  # today's nudge: sent, or none due
        self._quiet: list[PersonRef] = []  # sent a morning: one more without an answer yet
        self._lapsed: dict[Job, tuple[Commitment, ...]] = {}  # judged by the morning that tells
        self._failed: dict[Job, Exception] = {}

    @classmethod
    async def prepare(cls, ports: Ports, jobs: list[Job], now: datetime) -> DailyBatch:
        batch = cls(ports, now)
        profiles = await ports.people.profiles([job.person for job in jobs])
        today: list[tuple[Job, Profile, date]] = []
        for job, profile in zip(jobs, profiles, strict=True):
            batch._profiles[job.person] = profile
            if catch_up(profile, now):
                today.append((job, profile, profile.local_date(now)))
        # Everything that can fail comes before the marks: a mark taken by a batch that then
        # failed would keep the retry a minute later from sending today's nudge at all.
        inputs = await ports.planning.nudge_inputs_many(
            [(profile.person, _years(profile, day)) for _, profile, day in today])
        composed: list[tuple[Job, date, Reply | None]] = []
        for (job, profile, day), wanted in zip(today, inputs, strict=True):
            try:
                chosen = plan_from(wanted, profile, now)
                if chosen is None:
                    composed.append((job, day, None))
                    continue
                sections = await digest.sections(ports, profile, wanted.teams, now)
                composed.append((job, day, _words(chosen, profile, day, now, sections)))
                if chosen.agenda.lapsed:
                    batch._lapsed[job] = chosen.agenda.lapsed
            except Exception as error:  # this one job is retried; the others go ahead
                batch._failed[job] = error
        marks = await ports.nudge_marks.begin_many(
            [(job.person, day) for job, day, _ in composed], now, MARK_LEASE)
        for (job, day, reply), mark in zip(composed, marks, strict=True):
            if mark is Mark.BUSY:
                continue  # sent already, or being sent by another tick right now
            if reply is None:
                batch._settled.append((job.person, day))  # nothing today, and that's settled
            else:
                batch._replies[job] = [replace(reply, key=f"nudge:{day.isoformat()}",
                                               check_first=mark is Mark.TAKEN_OVER)]
        return batch

    def replies(self, job: Job) -> list[Reply]:
        """What to send for the job: today's nudge, or nothing. Raises what composing it met."""
        if job in self._failed:
            raise self._failed[job]
        return self._replies.get(job, [])

    def next(self, job: Job) -> Job | None:
        """The job's next occurrence, scheduled as this one settles."""
        return next_job(self._profiles[job.person], self.now)

    async def after(self, job: Job, delivery: Delivery) -> Job | None:
        """Note how the send went; returns the next occurrence (None: retried, or stopped)."""
        profile = self._profiles[job.person]
        today = profile.local_date(self.now)
        if delivery.outcome is DeliveryOutcome.RETRY:
            await self.ports.nudge_marks.release(job.person, today, uncertain=not delivery.refused)
            return None
        self._settled.append((job.person, today))
        if delivery.outcome is DeliveryOutcome.GONE:
            # The person left or blocked the bot: stop nudging them until they come back.
            await self.ports.people.save_profile(profile.with_changes(nudges_on=False))
            await self.ports.due.cancel(DAILY, job.person, SUBJECT)
            return None
        self._quiet.append(job.person)
        for commitment in self._lapsed.pop(job, ()):
            await followup.judge_lapse(self.ports, commitment, profile)
        # One more morning without an answer: the cadence of the next one may change.
        return next_job(profile.with_changes(quiet_days=profile.quiet_days + 1), self.now)

    async def finish(self) -> None:
        """Record today's marks of the whole batch, before its jobs are settled."""
        await self.ports.nudge_marks.sent_many(self._settled)
        await self.ports.people.quiet_many(self._quiet)
        self._settled, self._quiet = [], []


async def run_again(ports: Ports, job: Job, now: datetime) -> list[Reply]:
    """A snoozed nudge, asked for by the person: once, the same local day, in working hours."""
    profile = await ports.people.profile(job.person)
    if profile.local_date(now).isoformat() != job.subject or not within_hours(profile, now):
        return []
    reply = await compose(ports, profile, now)
    return [reply] if reply else []


async def snooze(ports: Ports, person: PersonRef, day_text: str, now: datetime) -> str:
    profile = await ports.people.profile(person)
    later = now + SNOOZE
    if not within_hours(profile, later):
        return "That would be after your working hours; I'll catch you tomorrow morning instead."
    await ports.due.schedule(Job(AGAIN, person, profile.local_date(now).isoformat(), later))
    return "Snoozed: I'll bring it back in two hours."
