"""/kudos: specific, public praise, with a gentle coach when it is vague."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import coaching, record, touch
from bot.context import Context
from bot.markup import mention, mentioned, strip_mentions, user_text
from bot.praise import is_specific, vague_words
from bot.replies import Audience, Button, Reply, Section, say
from bot.usage import usage
from habits.recognition import Recognition
from habits.streaks import Habit

MAX_REASON = 500
MAX_VALUE = 1900  # a button's value (Slack allows 2000 characters)
SHOWN = 10
UNDO_WINDOW = timedelta(minutes=10)
POST_ANYWAY, UNDO = "kudos.post_anyway", "kudos.undo"


async def kudos(ctx: Context, text: str) -> list[Reply]:
    """`/kudos @someone <what exactly they did>`: public praise, sent to them too."""
    return await give(ctx, text, anyway=False)


async def give(ctx: Context, text: str, *, anyway: bool) -> list[Reply]:
    """Post kudos; vague praise is coached once first, with a one-tap Post anyway."""
    people = mentioned(text)
    if text.strip().lower() in {"", "help", "?"}:
        return [say(usage("kudos"))]
    if not people:
        return [say(usage("kudos", "Who is it for? Mention them with @."))]
    receivers = [ctx.person.colleague(user) for user in people]
    if ctx.person in receivers:
        return [say("Kudos are for other people; for yourself, `/habits` shows your progress.")]
    reason = strip_mentions(text).removeprefix("for ").strip()
    if not reason:
        return [say(usage("kudos", "Say what they did, after their name."))]
    if not anyway and not is_specific(reason):
        names = ", ".join(mention(user) for user in people)
        coach = await coaching.words(ctx.ports, ctx.person, coaching.VAGUE_KUDOS,
                                     (await ctx.profile()).local_date(ctx.now()))
        return [say(
            f"\"{user_text(vague_words(reason))}\" is kind, but it doesn't say what exactly "
            f"{names} did. {coach} Nothing was posted yet.",
            Section("", (Button("Post anyway", POST_ANYWAY, text[:MAX_VALUE]),)),
        )]
    reason = reason[:MAX_REASON]
    shown = user_text(reason)
    profile = await ctx.profile()
    now = ctx.now()
    juniors = [r for r in receivers if await ctx.ports.people.is_junior(r)]
    for receiver in receivers:
        await ctx.ports.recognitions.add(Recognition(
            giver=ctx.person, receiver=receiver, reason=reason,
            given_at=now, junior=receiver in juniors, channel=ctx.channel,
        ))
    today = profile.local_date(now)
    await record.practised(ctx.ports, ctx.person, Habit.RECOGNISE, today)
    if juniors:
        await record.practised(ctx.ports, ctx.person, Habit.RECOGNISE_JUNIOR, today)
    await record.counted(ctx.ports, ctx.person, today, kudos=len(receivers),
                         kudos_junior=len(juniors))
    await touch.in_touch(ctx, people, today)
    names = ", ".join(mention(r.user) for r in receivers)
    public = f":tada: Kudos from {mention(ctx.person.user)} to {names}: {shown}"
    replies = [Reply(text=public, audience=Audience.CHANNEL, channel=ctx.channel)]
    for receiver in receivers:
        replies.append(Reply(
            text=f"{mention(ctx.person.user)} recognised you: {shown}",
            audience=Audience.DIRECT, to=receiver,
        ))
    replies.append(say(f"Posted, and sent to {names}.",
                       Section("", (Button("Undo", UNDO, now.isoformat()),)),
                       replaces_original=anyway))
    return replies


async def post_anyway(ctx: Context, text: str) -> list[Reply]:
    """The Post anyway button on a coaching reply: the kudos as first written."""
    return await give(ctx, text, anyway=True)


async def undo(ctx: Context, given_at: str) -> list[Reply]:
    """The Undo button on posted kudos, within UNDO_WINDOW: off both people's records and
    figures (the channel post and the direct message were already seen)."""
    now = ctx.now()
    try:
        moment = datetime.fromisoformat(given_at)
    except ValueError:
        moment = None
    given = [r for r in await ctx.ports.recognitions.given_by(ctx.person)
             if moment is not None and r.given_at == moment]
    if not given or now - given[0].given_at > UNDO_WINDOW:
        return [say("There's nothing to undo here: an undo works for "
                    f"{int(UNDO_WINDOW.total_seconds() // 60)} minutes after posting.",
                    replaces_original=True)]
    profile = await ctx.profile()
    day = profile.local_date(given[0].given_at)
    for recognition in given:
        await ctx.ports.recognitions.remove(recognition)
    await record.counted(ctx.ports, ctx.person, day, kudos=-len(given),
                         kudos_junior=-sum(r.junior for r in given))
    left = [r for r in await ctx.ports.recognitions.given_by(ctx.person)
            if profile.local_date(r.given_at) == day]
    if not left:
        await ctx.ports.habits.unpractised(ctx.person, Habit.RECOGNISE, day)
    if not any(r.junior for r in left) and any(r.junior for r in given):
        await ctx.ports.habits.unpractised(ctx.person, Habit.RECOGNISE_JUNIOR, day)
    names = ", ".join(mention(r.receiver.user) for r in given)
    return [say(f"Taken back: the kudos to {names} is off your records. The post and the "
                "message they got stay where they are; delete the post there if you want it "
                "gone.", replaces_original=True)]


async def list_kudos(ctx: Context, text: str) -> list[Reply]:
    """`/kudos list`: the kudos you received and gave, newest first."""
    received = await ctx.ports.recognitions.received_by(ctx.person)
    given = await ctx.ports.recognitions.given_by(ctx.person)
    if not received and not given:
        return [say("No kudos yet, given or received. `/kudos @someone <what they did>` "
                    "gives the first.".replace("<", "&lt;").replace(">", "&gt;"))]
    profile = await ctx.profile()

    def line(other: str, r: Recognition) -> str:
        said = user_text(r.reason) if r.reason else "(text expired)"
        day = r.given_at.astimezone(profile.zone)
        return f"{day:%a} {day.day} {day:%b} · {other}: {said}"

    sections = []
    if received:
        sections.append(Section(f"Received ({len(received)}):\n" + "\n".join(
            line(f"from {mention(r.giver.user)}", r) for r in reversed(received[-SHOWN:]))))
    if given:
        sections.append(Section(f"Given ({len(given)}):\n" + "\n".join(
            line(f"to {mention(r.receiver.user)}", r) for r in reversed(given[-SHOWN:]))))
    return [say("Your kudos", *sections)]
