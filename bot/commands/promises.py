"""/promise and /kept, and the buttons on a promise: keep it, renegotiate it, drop it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from bot import coaching, followup, record, touch
from bot.context import Context
from bot.dates import DateProblem, read_due, split_due
from bot.done_text import reads_as_done
from bot.followup import promise_buttons
from bot.formatting import on_when, promise_line, when
from bot.markup import mention, mentioned, strip_mentions, user_text
from bot.replies import Button, Reply, Section, say
from bot.usage import usage
from habits.budget import morning_at
from habits.commitments import Commitment, CommitmentError, CommitmentStatus, Source
from habits.followup import ask_at, heads_up_day
from habits.people import Profile
from habits.streaks import Habit

_NUMBER = re.compile(r"^#?(\d{1,9})$", re.ASCII)
_LONE_AT = re.compile(r"(?<![<\w])@(?![\w<])")
_WORDY = re.compile(r"\w{2,}")
_UNDOABLE = frozenset({CommitmentStatus.KEPT_ON_TIME, CommitmentStatus.KEPT_LATE,
                       CommitmentStatus.DROPPED})
_TO_TAIL = re.compile(r"\s+to\s+((?:<@[^>]+>[\s,]*(?:and\s+)?)+)$", re.IGNORECASE)
MAX_WHAT = 300
MAX_OPEN = 500  # open promises per person; past it a new one is refused (nothing stored)


def too_long(what: str) -> str:
    """What to say about a promise text over the cap (nothing is stored)."""
    return (f"A promise can be at most {MAX_WHAT} characters; that one has {len(what)}, so I "
            "didn't track it. Say what you'll deliver and for whom in a line, e.g. "
            "`/promise send the Q3 deck to @priya by Friday`.")


async def over_open_cap(ctx: Context) -> Reply | None:
    """What to say when the person already has MAX_OPEN open promises (else None)."""
    count = len(await ctx.ports.commitments.open_for(ctx.person))
    if count < MAX_OPEN:
        return None
    return say(f"You have {count} open promises, the most I track at once ({MAX_OPEN}), so I "
               "didn't track this one. Close some first: `/kept` lists them, and each has "
               "[Kept] and [Drop it].")


async def add_once(ctx: Context, make: Callable[[int], Commitment]) -> tuple[Commitment, bool]:
    """Store the promise `make` builds, once per delivery (the event's idempotency key): a
    replayed delivery gets the promise its first run stored. True when stored now."""
    made: list[Commitment] = []

    def build(number: int) -> Commitment:
        made.append(make(number))
        return made[-1]

    stored = await ctx.ports.commitments.add(ctx.person, build, key=ctx.key)
    return stored, bool(made) and stored is made[-1]


@dataclass(frozen=True, slots=True)
class PromiseText:
    """`/promise` text read into its parts, or what stops it being read."""

    what: str
    due: datetime | None = None
    to: tuple[str, ...] = ()
    problem: str | None = None


def _cut_recipients(text: str, to: list[str]) -> str:
    """`text` without its "to @a, @b" tail, whose people are added to `to`."""
    tail = _TO_TAIL.search(text.rstrip())
    if tail is None:
        return text
    to.extend(person for person in mentioned(tail.group(1)) if person not in to)
    return text.rstrip()[: tail.start()]


def split_promise(text: str, profile: Profile, now: datetime) -> PromiseText:
    """Read `/promise` text: what was promised, by when, and to whom.

    "send the deck by Friday to <@U2>" -> what "send the deck", due Friday 17:00, to U2.
    Only a "to @someone" at the end names the recipient: in "bring cake for <@U3>" the
    person is part of what was promised. Dates come from the one date grammar (bot.dates);
    a date that cannot be read, or has passed, is a problem, never left in the text.
    """
    if _LONE_AT.search(text):
        return PromiseText(text, problem="'@' on its own isn't anyone: mention the person, "
                                         "e.g. `to @priya`.")
    to: list[str] = []
    rest = _cut_recipients(" " + text.strip(), to)  # "to @sam" alone has a tail too
    split = split_due(rest, now, profile.zone)
    if split.problem is not None:
        return PromiseText(split.what, problem=split.problem.message)
    what = _cut_recipients(split.what, to)  # "... to @priya by Friday": the recipient came first
    return PromiseText(" ".join(what.split()).strip(" ,.;:-"), split.due, tuple(to))


async def promise(ctx: Context, text: str) -> list[Reply]:
    """`/promise <what> [by <when>] [to @someone]`: start tracking a promise."""
    if not text.strip() or text.strip().lower() in {"help", "?"}:
        return [say(usage("promise", None if text.strip() else "Tell me what you promised."))]
    profile = await ctx.profile()
    now = ctx.now()
    read = split_promise(text, profile, now)
    if read.problem is not None:
        return [say(usage("promise", f"Nothing tracked yet: {read.problem}"))]
    if not _WORDY.search(strip_mentions(read.what)):
        return [say(usage("promise", "Tell me what you promised, not only when or to whom."))]
    if len(read.what) > MAX_WHAT:
        return [say(too_long(read.what))]
    if (full := await over_open_cap(ctx)) is not None:
        return [full]
    commitment, new = await add_once(
        ctx,
        lambda number: Commitment(
            owner=ctx.person, number=number, what=read.what, created_at=now, due=read.due,
            to=read.to, source=Source.TYPED,
        ),
    )
    if new:  # a replayed delivery is answered again, and counted once
        await followup.schedule(ctx.ports, commitment, profile)
        await record.counted(ctx.ports, ctx.person, profile.local_date(now), promises_made=1)
        await touch.in_touch(ctx, commitment.to, profile.local_date(now))
    return [tracked_reply(commitment, profile, now)]


def tracked_reply(commitment: Commitment, profile: Profile, now: datetime) -> Reply:
    line = promise_line(commitment, profile.zone, now)
    if commitment.due is None:
        hint = "No date given, so I'll check in with you in a couple of working days."
    else:
        heads_up = heads_up_day(commitment, profile)
        ask = on_when(ask_at(commitment, profile), profile.zone, now)
        hint = (f"It'll be in your morning nudge "
                f"{on_when(morning_at(profile, heads_up), profile.zone, now)}, and I'll ask how it "
                f"went {ask}." if heads_up is not None else f"I'll ask how it went {ask}.")
    return say("Tracking your promise.", Section(f"{line}\n{hint}", promise_buttons(commitment)))


async def kept(ctx: Context, text: str) -> list[Reply]:
    """`/kept`, `/kept <number>` or `/kept <what you did>` (`undo` is routed by the registry)."""
    argument = text.strip()
    if argument.lower() in {"help", "?"}:
        return [say(usage("kept"))]
    if not argument:
        return await list_open(ctx)
    number = _NUMBER.match(argument)
    if number:
        return await keep(ctx, int(number.group(1)))
    # "sent the slides to @mgr": the people go to its recipients, not a dangling "to" in the
    # words (which, like a promise's, keep no mention: forget-me scrubs recipients only).
    recipients: list[str] = []
    words = _cut_recipients(" " + argument, recipients).strip()
    what = strip_mentions(words) or strip_mentions(argument) or argument
    if len(what) > MAX_WHAT:
        return [say(too_long(what))]
    if not reads_as_done(what):
        return [say(usage("kept", _kept_hint(argument)))]
    profile = await ctx.profile()
    now = ctx.now()
    logged, new = await add_once(
        ctx,
        lambda n: Commitment(
            owner=ctx.person, number=n, what=what, created_at=now,
            to=tuple(dict.fromkeys([*recipients, *mentioned(argument)])),
            status=CommitmentStatus.KEPT_ON_TIME, source=Source.LOGGED, closed_at=now,
        ),
    )
    if new:
        await record.practised(ctx.ports, ctx.person, Habit.KEEP, profile.local_date(now))
        await record.counted(ctx.ports, ctx.person, profile.local_date(now), promises_made=1,
                             kept_on_time=1)
    return [say(f"Logged as kept: {promise_line(logged, profile.zone, now)}. Nice work.",
                Section("", (undo_button(logged),)))]


def _kept_hint(argument: str) -> str:
    first = argument.split()[0].strip(".,;:")
    if first.startswith("-") and first[1:].isdigit():
        return "Nothing logged: promise numbers start at 1. `/kept` lists yours."
    if first.lstrip("#").isdigit():
        number = first.lstrip("#")
        return (f"Nothing logged. To mark promise #{number} kept, send only its number: "
                f"`/kept {number}`. To log something you did elsewhere, say what you did, "
                "e.g. `/kept sent 3 slides for the review`.")
    return ("Nothing logged: that doesn't read as something done yet. Say what you did, "
            "e.g. `/kept reviewed Sam's pull request`.")


async def list_open(ctx: Context) -> list[Reply]:
    profile = await ctx.profile()
    now = ctx.now()
    open_ones = await ctx.ports.commitments.open_for(ctx.person)
    if not open_ones:
        return [say("You have no open promises. When you make one, `/promise` it and I'll help "
                    "you keep it.")]
    sections = tuple(
        Section(promise_line(c, profile.zone, now), promise_buttons(c)) for c in open_ones[:20]
    )
    more = f" (showing the first 20 of {len(open_ones)})" if len(open_ones) > 20 else ""
    return [say(f"Your open promises{more}:", *sections)]


async def _find_open(ctx: Context, number: int) -> Commitment | Reply:
    commitment = await ctx.ports.commitments.get(ctx.person, number)
    if commitment is None:
        return say(f"You have no promise #{number}. `/kept` lists your open ones.")
    return commitment


async def _store(ctx: Context, before: Commitment, updated: Commitment, profile: Profile,
                 count_as: str, practised: Habit | None) -> bool:
    """Save a changed promise (unless someone changed it first), move its follow-ups, and
    count it in the person's figures. False when it had changed meanwhile."""
    day = profile.local_date(ctx.now())
    if not await ctx.ports.commitments.replace(before, updated):
        return False
    await followup.schedule(ctx.ports, updated, profile)
    await record.counted(ctx.ports, ctx.person, day, **{count_as: 1})
    if practised is not None:
        await record.practised(ctx.ports, ctx.person, practised, day)
    return True


def _changed_meanwhile(number: int) -> list[Reply]:
    return [say(f"Nothing changed: promise #{number} was just updated elsewhere. `/kept` shows "
                "where it stands.", replaces_original=True)]


def _names(people: tuple[str, ...]) -> str:
    """ "@a", "@a and @b", "@a, @b and @c"."""
    shown = [mention(p) for p in people]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def undo_button(commitment: Commitment) -> Button:
    return Button("Undo", "promise.undo", str(commitment.number))


async def keep(ctx: Context, number: int) -> list[Reply]:
    found = await _find_open(ctx, number)
    if isinstance(found, Reply):
        return [found]
    profile = await ctx.profile()
    now = ctx.now()
    try:
        done = found.keep(now)
    except CommitmentError as error:
        return [say(f"Nothing changed: {error}.", replaces_original=True)]
    on_time = done.status is CommitmentStatus.KEPT_ON_TIME
    if not await _store(ctx, found, done, profile, done.status.value,
                        Habit.KEEP if on_time else None):
        return _changed_meanwhile(number)
    await touch.kept(ctx, done, profile)
    if on_time:
        text = f"Kept on time: {promise_line(found, profile.zone)}. Nicely done."
    else:
        text = f"Kept: {promise_line(found, profile.zone)}. " + await coaching.words(
            ctx.ports, ctx.person, coaching.KEPT_LATE, profile.local_date(now))
    if done.to:
        text += " Worth letting " + _names(done.to) + " know it's done."
    return [say(text, Section("", (undo_button(done),)), replaces_original=True)]


async def more_time(ctx: Context, number: int, new_due_text: str) -> list[Reply]:
    """Need more time: move the due date, and suggest telling the person early."""
    found = await _find_open(ctx, number)
    if isinstance(found, Reply):
        return [found]
    profile = await ctx.profile()
    now = ctx.now()
    new_due = read_due(new_due_text, now, profile.zone) if new_due_text.strip() else None
    if not isinstance(new_due, datetime):
        problem = f"{new_due.message} " if isinstance(new_due, DateProblem) else ""
        return [say(
            f"{problem}When can you do #{number} instead? Pick a date, or type e.g. "
            f"`/promise more {number} next Tuesday`.",
            Section(f"New date for #{number} {user_text(found.what)}",
                    (Button("Set new date", "promise.more_time", str(number), asks_for_date=True),)),
        )]
    try:
        moved = found.renegotiate(new_due, now)
    except CommitmentError as error:
        return [say(f"Nothing changed: {error}.")]
    in_time = found.renegotiated_in_time(now)
    if not await _store(ctx, found, moved, profile, "renegotiated",
                        Habit.FOLLOW_UP if in_time else None):
        return _changed_meanwhile(number)
    text = f"New date for #{number}: {when(new_due, profile.zone, now)}."
    if found.to:
        line = coaching.MORE_TIME if in_time else coaching.MORE_TIME_LATE
        text += " " + await coaching.words(ctx.ports, ctx.person, line, profile.local_date(now),
                                           who=_names(found.to))
    return [say(text, replaces_original=True)]


async def drop(ctx: Context, number: int) -> list[Reply]:
    found = await _find_open(ctx, number)
    if isinstance(found, Reply):
        return [found]
    profile = await ctx.profile()
    now = ctx.now()
    try:
        dropped = found.drop(now)
    except CommitmentError as error:
        return [say(f"Nothing changed: {error}.")]
    in_time = found.renegotiated_in_time(now)
    if not await _store(ctx, found, dropped, profile, "dropped",
                        Habit.FOLLOW_UP if in_time else None):
        return _changed_meanwhile(number)
    text = f"Dropped #{number} {user_text(found.what)}."
    if found.to:
        text += " " + await coaching.words(ctx.ports, ctx.person, coaching.DROPPED,
                                           profile.local_date(now), who=_names(found.to))
    return [say(text, Section("", (undo_button(dropped),)), replaces_original=True)]


async def promise_more(ctx: Context, text: str) -> list[Reply]:
    """`/promise more <number> <when>`: the typed form of Need more time."""
    number, _, when_text = text.strip().partition(" ")
    match = _NUMBER.match(number)
    if not match:
        return [say(usage("promise", "Say which promise, e.g. `/promise more 3 Friday`."))]
    return await more_time(ctx, int(match.group(1)), when_text)


def _numbered(text: str) -> tuple[int, str]:
    """ "14 the rest" -> (14, "the rest"); the registry only routes text of that shape."""
    number, _, rest = text.strip().partition(" ")
    return int(number.removeprefix("#")), rest.strip()


async def drop_typed(ctx: Context, text: str) -> list[Reply]:
    """`/promise drop <n>` (or `delete <n>`): the typed form of Drop it."""
    return await drop(ctx, _numbered(text)[0])


async def edit(ctx: Context, text: str) -> list[Reply]:
    """`/promise edit <n> <text>`: new words for an open promise; a date or a "to @someone"
    in them moves its date or changes who it is for, else those stay."""
    number, words = _numbered(text)
    found = await _find_open(ctx, number)
    if isinstance(found, Reply):
        return [found]
    if not found.is_open:
        return [say(f"Nothing changed: #{number} is already "
                    f"{found.status.value.replace('_', ' ')}; only open promises can be edited.")]
    profile = await ctx.profile()
    now = ctx.now()
    read = split_promise(words, profile, now)
    if read.problem is not None:
        return [say(f"Nothing changed: {read.problem}")]
    if not _WORDY.search(strip_mentions(read.what)):
        return [say(f"Nothing changed: say what #{number} is now, e.g. "
                    f"`/promise edit {number} send the final deck by Friday`.")]
    if len(read.what) > MAX_WHAT:
        return [say(too_long(read.what))]
    edited = replace(found, what=read.what, due=read.due or found.due, to=read.to or found.to)
    if not await ctx.ports.commitments.replace(found, edited):
        return _changed_meanwhile(number)
    await followup.schedule(ctx.ports, edited, profile)
    return [say(f"Updated: {promise_line(edited, profile.zone, now)}.",
                Section("", promise_buttons(edited)))]


_SNOOZE = re.compile(r"(?P<n>\d{1,3})\s*(?P<unit>m|mins?|minutes?|h|hrs?|hours?)|tomorrow"
                     r"|next\s+week", re.IGNORECASE)


def snoozed_until(words: str, commitment: Commitment, profile: Profile,
                  now: datetime) -> datetime | None:
    """The new due moment for "20m", "1h", "tomorrow" or "next week" (None for other words).

    Minutes and hours count from now; "tomorrow" keeps the promise's time of day (17:00 when
    it had none); "next week" is a week after its due moment, or after now once that passed.
    """
    match = _SNOOZE.fullmatch(" ".join(words.split()))
    if match is None:
        return None
    if match["n"]:
        amount = int(match["n"])
        if amount == 0:
            return None
        unit = timedelta(hours=1) if match["unit"].lower().startswith("h") else timedelta(minutes=1)
        return now + amount * unit
    base = max(commitment.due, now) if commitment.due is not None else now
    if match.group(0).lower() == "tomorrow":
        clock = commitment.due.astimezone(profile.zone).time() if commitment.due else time(17)
        day = profile.local_date(now) + timedelta(days=1)
        return datetime.combine(day, clock, tzinfo=profile.zone)
    return base + timedelta(days=7)


async def snooze(ctx: Context, text: str) -> list[Reply]:
    """`/promise snooze <n> <20m|1h|tomorrow|next week>`: move the due moment, and its
    follow-ups with it (no new message is scheduled for it)."""
    number, words = _numbered(text)
    found = await _find_open(ctx, number)
    if isinstance(found, Reply):
        return [found]
    profile = await ctx.profile()
    now = ctx.now()
    until = snoozed_until(words, found, profile, now)
    if until is None:
        return [say(f"Nothing changed: snooze takes `20m`, `1h`, `tomorrow` or `next week`, "
                    f"e.g. `/promise snooze {number} 1h`. For another date, "
                    f"`/promise more {number} Friday`.")]
    if not found.is_open:
        return [say(f"Nothing changed: #{number} is already "
                    f"{found.status.value.replace('_', ' ')}.")]
    moved = replace(found, due=until)
    if not await ctx.ports.commitments.replace(found, moved):
        return _changed_meanwhile(number)
    await followup.schedule(ctx.ports, moved, profile)
    return [say(f"Snoozed #{number} {user_text(found.what)} until "
                f"{on_when(until, profile.zone, now).removeprefix('on ')}; I'll ask how it went "
                f"{on_when(ask_at(moved, profile), profile.zone, now)}.")]


UNDO_WINDOW = timedelta(minutes=10)


def _undoable(commitment: Commitment, now: datetime) -> bool:
    return (commitment.status in _UNDOABLE and commitment.closed_at is not None
            and now - commitment.closed_at <= UNDO_WINDOW)


async def last_closed(ctx: Context) -> Commitment | None:
    """The promise the person kept, logged or dropped last, if within the undo window."""
    now = ctx.now()
    recent = [c for c in await ctx.ports.commitments.all_for(ctx.person) if _undoable(c, now)]
    return max(recent, key=lambda c: (c.closed_at or now, c.number), default=None)


async def undo_promise(ctx: Context, number: int) -> list[Reply]:
    """Undo Kept, a logged `/kept`, or Drop it, within UNDO_WINDOW of it: the promise is open
    again as before (or gone, for a logged one), and its figures and habit day are taken back."""
    found = await ctx.ports.commitments.get(ctx.person, number)
    now = ctx.now()
    if found is None or not _undoable(found, now):
        return [say(f"There's nothing to undo on #{number}: an undo works for "
                    f"{int(UNDO_WINDOW.total_seconds() // 60)} minutes after Kept or Drop.",
                    replaces_original=True)]
    profile = await ctx.profile()
    assert found.closed_at is not None
    day = profile.local_date(found.closed_at)
    status = found.status
    if found.source is Source.LOGGED:
        await ctx.ports.commitments.discard(found)
        await record.counted(ctx.ports, ctx.person, day, promises_made=-1, kept_on_time=-1)
        text = f"Undone: #{number} {user_text(found.what)} is no longer logged."
    else:
        reopened = replace(found, closed_at=None, status=CommitmentStatus.RENEGOTIATED
                           if found.renegotiations else CommitmentStatus.OPEN)
        if not await ctx.ports.commitments.replace(found, reopened):
            return _changed_meanwhile(number)
        await followup.schedule(ctx.ports, reopened, profile)
        await record.counted(ctx.ports, ctx.person, day, **{status.value: -1})
        text = f"Undone: {promise_line(reopened, profile.zone, now)} is open again."
    habit = {CommitmentStatus.KEPT_ON_TIME: Habit.KEEP,
             CommitmentStatus.DROPPED: Habit.FOLLOW_UP}.get(status)
    if habit is not None and not await _practised_otherwise(ctx, habit, day, profile):
        await ctx.ports.habits.unpractised(ctx.person, habit, day)
    return [say(text, replaces_original=True)]


async def _practised_otherwise(ctx: Context, habit: Habit, day: date, profile: Profile) -> bool:
    """Whether another promise still shows `habit` practised on `day` (then its day stays)."""
    wanted = CommitmentStatus.KEPT_ON_TIME if habit is Habit.KEEP else CommitmentStatus.DROPPED
    return any(c.status is wanted and c.closed_at is not None
               and profile.local_date(c.closed_at) == day
               for c in await ctx.ports.commitments.all_for(ctx.person))


async def undo_last(ctx: Context, text: str = "") -> list[Reply]:
    """`/promise undo` (or `/kept undo`): undo the last Kept, logged kept or Drop."""
    last = await last_closed(ctx)
    if last is None:
        return [say(f"Nothing to undo: an undo works for {int(UNDO_WINDOW.total_seconds() // 60)} "
                    "minutes after Kept or Drop.")]
    return await undo_promise(ctx, last.number)
