"""/handover: give someone control over a decision, and see it accepted or discussed."""

from __future__ import annotations

from bot import coaching, record, touch
from bot.context import Context
from bot.markup import mention, mentioned, strip_mentions, user_text
from bot.replies import Audience, Button, ButtonStyle, Reply, Section, say
from bot.usage import usage
from habits.handovers import Handover, HandoverError, HandoverStatus
from habits.people import PersonRef
from habits.streaks import Habit

MAX_DECISION = 300


def handover_value(handover: Handover) -> str:
    """Button value naming a handover: the giver's user id and their handover number."""
    return f"{handover.giver.user}#{handover.number}"


async def handover(ctx: Context, text: str) -> list[Reply]:
    """`/handover @someone <decision>` (`list` and `close <n>` are routed by the registry)."""
    stripped = text.strip()
    if stripped.lower() in {"", "help", "?"}:
        return [say(usage("handover"))]
    people = mentioned(stripped)
    if len(people) != 1:
        return [say(usage("handover", "Mention exactly one person to hand the decision to."))]
    receiver = ctx.person.colleague(people[0])
    if receiver == ctx.person:
        return [say("A handover goes to someone else: mention the person who will decide.")]
    decision = strip_mentions(stripped).removeprefix("to ").strip()[:MAX_DECISION]
    if len(decision) < 3:
        return [say(usage("handover", "Say which decision you are handing over."))]
    now = ctx.now()
    profile = await ctx.profile()
    made = await ctx.ports.handovers.add(
        ctx.person,
        lambda number: Handover(giver=ctx.person, receiver=receiver, number=number,
                                decision=decision, offered_at=now),
    )
    await record.counted(ctx.ports, ctx.person, profile.local_date(now), handovers=1)
    await touch.in_touch(ctx, [receiver.user], profile.local_date(now))
    value = handover_value(made)
    offer = (f"{mention(ctx.person.user)} is handing you a decision: *{user_text(decision)}*. "
             "It's yours to make. Will you take it?")
    coach = await coaching.words(ctx.ports, ctx.person, coaching.HANDOVER, profile.local_date(now))
    return [
        # The offer once: as the headline, with its buttons below it (no second copy).
        Reply(text=offer, audience=Audience.DIRECT, to=receiver, sections=(Section("", (
            Button("Accept", "handover.accept", value, ButtonStyle.PRIMARY),
            Button("Discuss first", "handover.discuss", value),
        )),)),
        say(f"Handed over to {mention(receiver.user)}: {user_text(decision)} (#{made.number}). "
            + coach),
    ]


async def list_handovers(ctx: Context) -> list[Reply]:
    given = await ctx.ports.handovers.given_by(ctx.person)
    received = await ctx.ports.handovers.received_by(ctx.person)
    if not given and not received:
        return [say("No handovers yet. `/handover @someone &lt;decision&gt;` gives someone a decision.")]
    lines = [f"#{h.number} to {mention(h.receiver.user)}: {user_text(h.decision)} — {h.status.value}"
             for h in given[-20:]]
    lines += [f"from {mention(h.giver.user)}: {user_text(h.decision)} — {h.status.value}"
              for h in received[-20:]]
    return [say("Your handovers:\n" + "\n".join(lines))]


async def answer(ctx: Context, value: str, accept: bool) -> list[Reply]:
    """The receiver's Accept or Discuss on a handover offer."""
    giver_user, _, number_text = value.rpartition("#")
    if not giver_user or not (number_text.isascii() and number_text.isdigit()):
        return [say("That button is no longer valid.")]
    giver = ctx.person.colleague(giver_user)
    found = await ctx.ports.handovers.get(giver, int(number_text))
    if found is None or found.receiver != ctx.person:
        return [say("That handover is not one of yours.")]
    now = ctx.now()
    try:
        updated = found.accept(now) if accept else found.discuss(now)
    except HandoverError as error:
        return [say(f"Nothing changed: {error}.", replaces_original=True)]
    await ctx.ports.handovers.save(updated)
    decision = user_text(found.decision)
    if accept:
        await _count_for_giver(ctx, giver, found)
        return [
            say(f"It's yours: {decision}. {mention(giver.user)} will hear you accepted.",
                replaces_original=True),
            Reply(text=f"{mention(ctx.person.user)} accepted your handover: {decision}. "
                       "Now let them own it.", audience=Audience.DIRECT, to=giver),
        ]
    return [
        say(f"I've told {mention(giver.user)} you'd like to talk about: {decision}.",
            replaces_original=True),
        Reply(text=f"{mention(ctx.person.user)} would like to discuss the decision you handed "
                   f"over: {decision}. A short conversation now makes the handover real.",
              audience=Audience.DIRECT, to=giver),
    ]


async def close_handover(ctx: Context, number: int) -> list[Reply]:
    found = await ctx.ports.handovers.get(ctx.person, number)
    if found is None:
        return [say(f"You have no handover #{number}. `/handover list` shows yours.")]
    try:
        closed = found.close(ctx.now())
    except HandoverError as error:
        return [say(f"Nothing changed: {error}.")]
    await ctx.ports.handovers.save(closed)
    await _count_for_giver(ctx, ctx.person, found)
    return [say(f"Closed handover #{number}: {user_text(found.decision)}.")]


async def _count_for_giver(ctx: Context, giver: PersonRef, handover: Handover) -> None:
    """A handover counts once for its giver: when first accepted or closed."""
    if handover.status in (HandoverStatus.ACCEPTED, HandoverStatus.CLOSED):
        return
    giver_profile = await ctx.ports.people.profile(giver)
    day = giver_profile.local_date(ctx.now())
    await record.practised(ctx.ports, giver, Habit.HAND_OVER, day)
    await record.counted(ctx.ports, giver, day, handovers_accepted=1)
