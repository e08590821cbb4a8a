"""Promises noticed in chat: offered privately to their author, tracked with one click."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import followup, record, touch
from bot.commands.promises import add_once, over_open_cap, tracked_reply
from bot.context import Context
from bot.events import Message, MessageDeleted
from bot.formatting import when
from bot.markup import defuse, mention, mentioned, user_text
from bot.ports import Offer, ThreadRequest
from bot.replies import Button, ButtonStyle, Reply, Section, say
from habits.commitments import Commitment, Source
from habits.detection import QUICK_LENGTH, DetectedPromise, detect
from habits.detection.thread import Request, answered, bare_acceptance, find_request
from habits.people import Profile

OFFER_TTL = 7 * 24 * 3600  # an unanswered offer fades after a week
MAX_WHAT = 300
REQUEST_TTL = 48 * 3600  # a request is kept for thread context for two days at most


async def detect_soon(text: str, *, sent_at: datetime, tz: ZoneInfo) -> DetectedPromise | None:
    """``detect()`` without holding up the event loop: a message longer than QUICK_LENGTH
    (which can take milliseconds to read) is read in a worker thread, a short one in place."""
    if len(text) <= QUICK_LENGTH:
        return detect(text, sent_at=sent_at, tz=tz)
    return await asyncio.to_thread(detect, text, sent_at=sent_at, tz=tz)


def origin_of(channel: str, ref: str) -> str:
    return f"{channel}:{ref}"


def _offer_reply(offer: Offer, profile: Profile, now: datetime) -> Reply:
    parts = [f"*{user_text(offer.what)}*"]
    if offer.to:
        parts.append("to " + ", ".join(mention(p) for p in offer.to))
    if offer.due:
        parts.append("due " + when(offer.due, profile.zone, now))
    text = "That sounds like a promise: " + " — ".join(parts) + ". Track it, so you keep it?"
    return say(text, Section("", (
        Button("Track", "promise.track", offer.origin, ButtonStyle.PRIMARY),
        Button("Not a promise", "promise.not_promise", offer.origin),
    )))


def _offer_from(found: DetectedPromise, origin: str, message: Message) -> Offer:
    """The offer for a detected promise. Recipients are only people the platform itself
    marked as mentioned: a typed "@U999" or a user group is not a person to follow up with."""
    real = set(message.mentions) | set(mentioned(message.text))
    return Offer(origin=origin, what=defuse(found.what)[:MAX_WHAT], due=found.due,
                 to=tuple(p for p in found.to if p in real), channel=message.channel)


async def on_message(ctx: Context, message: Message) -> list[Reply]:
    """A chat message: if it reads like a promise by its author, offer to track it."""
    profile = await ctx.profile()
    if not profile.detection_on:
        return []
    now = ctx.now()
    await touch.in_touch(ctx, mentioned(message.text), profile.local_date(now))
    origin = origin_of(message.channel, message.ref)
    found = await detect_soon(message.text, sent_at=message.sent_at or now, tz=profile.zone)
    if message.edited:
        return await _on_edit(ctx, profile, origin, message, found)
    if found is None:
        if message.thread is None:
            await _remember_request(ctx, profile, origin, message)
        return []
    if message.thread is not None and bare_acceptance(found.what):
        found = await _taken_on(ctx, message, found)
    if found.due is not None and found.due <= now:
        return []  # a promise whose moment already passed, e.g. a late-delivered old message
    offer = _offer_from(found, origin, message)
    await ctx.ports.stats.count(ctx.person.workspace_ref, "offered")
    if profile.auto_track:
        if (full := await over_open_cap(ctx)) is not None:
            return [full]
        return await _track(ctx, profile, offer, auto=True)
    await ctx.ports.offers.put(ctx.person, offer, OFFER_TTL)
    return [_offer_reply(offer, profile, now)]


async def _remember_request(ctx: Context, profile: Profile, origin: str, message: Message) -> None:
    """A request-like root message ("can someone update the runbook by Friday?"): kept for two
    days so that a "mine" in its thread takes it on. Nothing else is kept of chatter."""
    request = find_request(message.text, sent_at=message.sent_at or ctx.now(), tz=profile.zone)
    if request is not None:
        await ctx.ports.requests.remember(
            ThreadRequest(origin=origin, author=ctx.person, what=defuse(request.what)[:MAX_WHAT],
                          due=request.due),
            ctx.now(), REQUEST_TTL)


async def _taken_on(ctx: Context, message: Message, found: DetectedPromise) -> DetectedPromise:
    """A bare acceptance in a thread whose root was a request: the request's what, the reply's
    due date or else the request's. Otherwise the reply as detected."""
    thread = message.thread or message.ref
    parent = await ctx.ports.requests.parent(ctx.person.workspace_ref,
                                             origin_of(message.channel, thread))
    if parent is None:
        return found
    taken = answered(found.what, found.due, Request(parent.what, parent.due))
    if taken is None:
        return found
    return DetectedPromise(taken.what, found.to, taken.due)


async def _on_edit(ctx: Context, profile: Profile, origin: str, message: Message,
                   found: DetectedPromise | None) -> list[Reply]:
    now = ctx.now()
    tracked = await ctx.ports.commitments.by_origin(ctx.person, origin)
    if tracked is not None:
        if not tracked.is_open or found is None:
            return []  # closed, or edited into chatter: the person already decided to track it
        updated = replace(tracked, what=defuse(found.what)[:MAX_WHAT],
                          to=_offer_from(found, origin, message).to or tracked.to,
                          due=found.due if found.due and found.due > now else tracked.due)
        if updated == tracked:
            return []
        await ctx.ports.commitments.save(updated)
        await followup.schedule(ctx.ports, updated, profile)
        return [say(f"You edited the message, so I updated promise #{updated.number}: "
                    f"*{user_text(updated.what)}*"
                    + (f", due {when(updated.due, profile.zone, now)}" if updated.due else "") + ".")]
    pending = await ctx.ports.offers.get(ctx.person, origin)
    if found is None:
        if pending is not None:
            await ctx.ports.offers.take(ctx.person, origin)
        return []
    offer = _offer_from(found, origin, message)
    if pending is not None and pending == offer:
        return []
    if pending is None:
        await ctx.ports.stats.count(ctx.person.workspace_ref, "offered")
    await ctx.ports.offers.put(ctx.person, offer, OFFER_TTL)
    return [_offer_reply(offer, profile, now)]


async def on_deleted(ctx: Context, deleted: MessageDeleted) -> list[Reply]:
    """The source message is gone: withdraw a pending offer; a tracked promise stays tracked."""
    origin = origin_of(deleted.channel, deleted.ref)
    await ctx.ports.offers.take(ctx.person, origin)
    tracked = await ctx.ports.commitments.by_origin(ctx.person, origin)
    if tracked is None or not tracked.is_open:
        return []
    return [say(f"The message behind promise #{tracked.number} (*{user_text(tracked.what)}*) was "
                "deleted. I'm still tracking it; drop it if it no longer stands.",
                Section("", followup.promise_buttons(tracked)))]


async def track(ctx: Context, origin: str) -> list[Reply]:
    """The Track button on an offer."""
    if (full := await over_open_cap(ctx)) is not None \
            and await ctx.ports.offers.get(ctx.person, origin) is not None:
        return [full]  # the offer stays: once some are closed, Track works
    offer = await ctx.ports.offers.take(ctx.person, origin)
    if offer is None:
        existing = await ctx.ports.commitments.by_origin(ctx.person, origin)
        if existing is not None:
            return [say(f"Already tracking it as promise #{existing.number}.",
                        replaces_original=True)]
        return [say("That offer has expired. `/promise &lt;what&gt; by &lt;when&gt;` tracks it by hand.",
                    replaces_original=True)]
    return await _track(ctx, await ctx.profile(), offer, auto=False)


async def _track(ctx: Context, profile: Profile, offer: Offer, *, auto: bool) -> list[Reply]:
    now = ctx.now()
    commitment, new = await add_once(
        ctx,
        lambda number: Commitment(
            owner=ctx.person, number=number, what=offer.what, created_at=now, due=offer.due,
            to=offer.to, source=Source.DETECTED, origin=offer.origin,
        ),
    )
    if new:  # a replayed delivery is answered again, and counted once
        await followup.schedule(ctx.ports, commitment, profile)
        await ctx.ports.stats.count(ctx.person.workspace_ref,
                                    "auto_tracked" if auto else "tracked")
        await record.counted(ctx.ports, ctx.person, profile.local_date(now), promises_made=1)
        await touch.in_touch(ctx, commitment.to, profile.local_date(now))
    reply = tracked_reply(commitment, profile, now)
    if auto:
        undo = Button("Not a promise", "promise.not_promise", offer.origin)
        reply = replace(reply, sections=(*reply.sections, Section("", (undo,))))
    return [replace(reply, replaces_original=not auto)]


async def not_a_promise(ctx: Context, origin: str) -> list[Reply]:
    """The Not a promise button: counted, so detection quality can be watched."""
    offer = await ctx.ports.offers.take(ctx.person, origin)
    if offer is None:
        tracked = await ctx.ports.commitments.by_origin(ctx.person, origin)
        if tracked is None or not tracked.is_open or tracked.source is not Source.DETECTED:
            return [say("Nothing to undo here.", replaces_original=True)]
        await ctx.ports.commitments.discard(tracked)
        await followup.cancel(ctx.ports, tracked)
    await ctx.ports.stats.count(ctx.person.workspace_ref, "not_a_promise")
    return [say("Got it: not a promise. Thanks, that helps me get better at noticing.",
                replaces_original=True)]
