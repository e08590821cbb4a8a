"""/promise and /kept, and the buttons on a promise: keep it, renegotiate it, drop it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from bot import followup, record
from bot.context import Context
from bot.followup import promise_buttons
from bot.formatting import promise_line, when
from bot.markup import mention, mentioned, strip_mentions, user_text
from bot.replies import Button, Reply, Section, say
from bot.usage import usage
from habits.budget import morning_at
from habits.commitments import Commitment, CommitmentError, CommitmentStatus, Source
from habits.detection import parse_due
from habits.followup import ask_at, heads_up_day
from habits.people import Profile
from habits.streaks import Habit

_NUMBER = re.compile(r"^#?(\d{1,9})$", re.ASCII)
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


def split_promise(text: str, profile: Profile, now: datetime) -> tuple[str, datetime | None, list[str]]:
    """Split `/promise` text into what, due moment and recipients.

    "send the deck by Friday to <@U2>" -> ("send the deck", <Friday 17:00>, ["U2"]).
    A "by ..." tail that is not a date stays part of what was promised.
    """
    rest = text.strip()
    to = mentioned(rest)
    tail = _TO_TAIL.search(rest)
    if tail:
        rest = rest[: tail.start()]
    due: datetime | None = None
    padded = " " + rest  # so a phrase at the very start ("by friday") is found too
    lowered = padded.lower()
    for marker in (" by ", " before ", " on ", " until "):
        index = lowered.rfind(marker)
        if index >= 0:
            candidate = parse_due(padded[index + len(marker):], now=now, tz=profile.zone)
            if candidate is not None:
                due, rest = candidate, padded[:index]
                break
    if due is None:
        for marker in (" tomorrow", " today", " tonight", " eod", " next week"):
            if lowered.endswith(marker):
                due = parse_due(marker.strip(), now=now, tz=profile.zone)
                if due is not None:
                    rest = padded[: -len(marker)]
                break
    tail = _TO_TAIL.search(rest.rstrip())  # "... to @priya by Friday": the recipient came first
    if tail:
        rest = rest.rstrip()[: tail.start()]
    return " ".join(rest.split()).strip(" ,.;:-"), due, to


async def promise(ctx: Context, text: str) -> list[Reply]:
    """`/promise <what> [by <when>] [to @someone]`: start tracking a promise."""
    if not strip_mentions(text).strip() or text.strip().lower() in {"help", "?"}:
        return [say(usage("promise", None if text.strip() else "Tell me what you promised."))]
    profile = await ctx.profile()
    now = ctx.now()
    what, due, to = split_promise(text, profile, now)
    if not strip_mentions(what):
        return [say(usage("promise", "Tell me what you promised, not only when."))]
    if due is not None and due <= now:
        return [say(usage("promise", "That date has already passed; pick one ahead."))]
    if len(what) > MAX_WHAT:
        return [say(too_long(what))]
    if (full := await over_open_cap(ctx)) is not None:
        return [full]
    commitment, new = await add_once(
        ctx,
        lambda number: Commitment(
            owner=ctx.person, number=number, what=what, created_at=now, due=due,
            to=tuple(to), source=Source.TYPED,
        ),
    )
    if new:  # a replayed delivery is answered again, and counted once
        await followup.schedule(ctx.ports, commitment, profile)
        await record.counted(ctx.ports, ctx.person, profile.local_date(now), promises_made=1)
    return [tracked_reply(commitment, profile, now)]


def tracked_reply(commitment: Commitment, profile: Profile, now: datetime) -> Reply:
    line = promise_line(commitment, profile.zone, now)
    if commitment.due is None:
        hint = "No date given, so I'll check in with you in a couple of working days."
    else:
        heads_up = heads_up_day(commitment, profile)
        ask = when(ask_at(commitment, profile), profile.zone, now)
        hint = (f"It'll be in your morning nudge {when(morning_at(profile, heads_up), profile.zone, now)}"
                f", and I'll ask how it went {ask}." if heads_up is not None else
                f"I'll ask how it went {ask}.")
    return say("Tracking your promise.", Section(f"{line}\n{hint}", promise_buttons(commitment)))


async def kept(ctx: Context, text: str) -> list[Reply]:
    """`/kept`, `/kept <number>` or `/kept <what you kept elsewhere>`."""
    argument = text.strip()
    if argument.lower() in {"help", "?"}:
        return [say(usage("kept"))]
    if not argument:
        return await list_open(ctx)
    number = _NUMBER.match(argument)
    if number:
        return await keep(ctx, int(number.group(1)))
    profile = await ctx.profile()
    now = ctx.now()
    what = strip_mentions(argument) or argument
    if len(what) > MAX_WHAT:
        return [say(too_long(what))]
    logged, new = await add_once(
        ctx,
        lambda n: Commitment(
            owner=ctx.person, number=n, what=what, created_at=now, to=tuple(mentioned(argument)),
            status=CommitmentStatus.KEPT_ON_TIME, source=Source.LOGGED, closed_at=now,
        ),
    )
    if new:
        await record.practised(ctx.ports, ctx.person, Habit.KEEP, profile.local_date(now))
        await record.counted(ctx.ports, ctx.person, profile.local_date(now), promises_made=1,
                             kept_on_time=1)
    return [say(f"Logged as kept: {promise_line(logged, profile.zone, now)}. "
                "Promises kept are how trust is built. Nice work.")]


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
    if on_time:
        text = f"Kept on time: {promise_line(found, profile.zone)}. That is integrity, and people notice."
    else:
        text = (f"Kept: {promise_line(found, profile.zone)}. A little late; next time a quick "
                "word before the due date keeps the trust intact.")
    if done.to:
        text += " Worth letting " + ", ".join(mention(p) for p in done.to) + " know it's done."
    return [say(text, replaces_original=True)]


async def more_time(ctx: Context, number: int, new_due_text: str) -> list[Reply]:
    """Need more time: move the due date, and suggest telling the person early."""
    found = await _find_open(ctx, number)
    if isinstance(found, Reply):
        return [found]
    profile = await ctx.profile()
    now = ctx.now()
    new_due = parse_due(new_due_text, now=now, tz=profile.zone) if new_due_text.strip() else None
    if new_due is None:
        return [say(
            f"When can you do #{number} instead? Pick a date, or type e.g. "
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
    who = ", ".join(mention(p) for p in found.to) or "the person waiting on it"
    text = f"New date for #{number}: {when(new_due, profile.zone, now)}. "
    text += (f"Tell {who} now, before they have to ask: renegotiating early is keeping faith."
             if in_time else f"Let {who} know the new date today, so they can plan around it.")
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
    who = ", ".join(mention(p) for p in found.to) or "whoever was counting on it"
    return [say(f"Dropped #{number} {user_text(found.what)}. A short, honest note to {who} now "
                "keeps their trust: say what changed and what they can do instead.",
                replaces_original=True)]


async def promise_more(ctx: Context, text: str) -> list[Reply]:
    """`/promise more <number> <when>`: the typed form of Need more time."""
    number, _, when_text = text.strip().partition(" ")
    match = _NUMBER.match(number)
    if not match:
        return [say(usage("promise", "Say which promise, e.g. `/promise more 3 Friday`."))]
    return await more_time(ctx, int(match.group(1)), when_text)


