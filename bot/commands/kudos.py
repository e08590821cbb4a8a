"""/kudos: specific, public praise, with a gentle coach when it is vague."""

from __future__ import annotations

from bot import record
from bot.context import Context
from bot.markup import mention, mentioned, strip_mentions, user_text
from bot.replies import Audience, Reply, say
from bot.usage import usage
from habits.recognition import Recognition, is_vague
from habits.streaks import Habit

MAX_REASON = 500


async def kudos(ctx: Context, text: str) -> list[Reply]:
    """`/kudos @someone <what exactly they did>`: public praise, sent to them too."""
    people = mentioned(text)
    if text.strip().lower() in {"", "help", "?"}:
        return [say(usage("kudos"))]
    if not people:
        return [say(usage("kudos", "Who is it for? Mention them with @."))]
    receivers = [ctx.person.colleague(user) for user in people]
    if ctx.person in receivers:
        return [say("Kudos are for other people; for yourself, `/habits` shows your progress.")]
    reason = strip_mentions(text).removeprefix("for ").strip()
    if is_vague(reason):
        names = ", ".join(mention(user) for user in people)
        return [say(
            f"Say what exactly {names} did, and why it mattered; specific praise is the kind "
            "people remember and repeat. Instead of \"great job\", try something like: "
            "`/kudos @sam your test plan caught the billing bug before release`. "
            "Nothing was posted yet."
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
    names = ", ".join(mention(r.user) for r in receivers)
    public = f":tada: Kudos from {mention(ctx.person.user)} to {names}: {shown}"
    replies = [Reply(text=public, audience=Audience.CHANNEL, channel=ctx.channel)]
    for receiver in receivers:
        replies.append(Reply(
            text=f"{mention(ctx.person.user)} recognised you: {shown}",
            audience=Audience.DIRECT, to=receiver,
        ))
    note = " Recognising junior colleagues counts double for trust: their careers remember it." \
        if juniors else ""
    replies.append(say(f"Posted, and sent to {names}.{note}"))
    return replies
