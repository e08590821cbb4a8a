"""/thanks: say thank you for help, specifically; the helper hears it, and help given counts.

The same rules as kudos (bot.praise judges specificity): vague thanks is coached once, with a
one-tap Post anyway. Each thanks is a favour (habits.helpfulness) kept with the helper and with
the person thanking; it never becomes a tally of who owes whom.
"""

from __future__ import annotations

from bot import record, touch
from bot.context import Context
from bot.events import Action
from bot.markup import mention, mentioned, strip_mentions, user_text
from bot.praise import is_specific, vague_words
from bot.replies import Audience, Button, Reply, Section, say
from bot.usage import usage
from habits.helpfulness import Favour, FavourSource, recent
from habits.streaks import Habit

MAX_WHAT = 500
MAX_VALUE = 1900  # a button's value (Slack allows 2000 characters)
SHOWN = 10
POST_ANYWAY = "thanks.post_anyway"


async def thanks(ctx: Context, text: str) -> list[Reply]:
    """`/thanks @someone <what they did for you>`."""
    return await give(ctx, text, anyway=False)


async def give(ctx: Context, text: str, *, anyway: bool) -> list[Reply]:
    if text.strip().lower() in {"", "help", "?"}:
        return [say(usage("thanks"))]
    people = mentioned(text)
    if not people:
        return [say(usage("thanks", "Who helped you? Mention them with @."))]
    helpers = [ctx.person.colleague(user) for user in people]
    if ctx.person in helpers:
        return [say("Thanks are for the people who helped you; `/habits` shows your own "
                    "progress.")]
    what = strip_mentions(text).removeprefix("for ").strip()
    if not what:
        return [say(usage("thanks", "Say what they did for you, after their name."))]
    if not anyway and not is_specific(what):
        names = ", ".join(mention(user) for user in people)
        return [say(
            f"\"{user_text(vague_words(what))}\" is warm, but it doesn't say what {names} did "
            "for you. Name the help, so they know it landed, e.g. "
            "`/thanks @priya for pairing with me on the migration script`. "
            "Nothing was posted yet.",
            Section("", (Button("Post anyway", POST_ANYWAY, text[:MAX_VALUE]),)),
        )]
    what = what[:MAX_WHAT]
    shown = user_text(what)
    profile = await ctx.profile()
    now = ctx.now()
    today = profile.local_date(now)
    for helper in helpers:
        await ctx.ports.favours.add(Favour(helper=helper, helped=ctx.person, what=what, at=now,
                                           source=FavourSource.THANKS, channel=ctx.channel))
        helper_day = (await ctx.ports.people.profile(helper)).local_date(now)
        await record.practised(ctx.ports, helper, Habit.HELP, helper_day)
        await record.counted(ctx.ports, helper, helper_day, help_thanked=1)
    await record.counted(ctx.ports, ctx.person, today, thanks=len(helpers))
    await touch.in_touch(ctx, people, today)
    names = ", ".join(mention(h.user) for h in helpers)
    replies = [Reply(text=f":pray: {mention(ctx.person.user)} thanks {names}: {shown}",
                     audience=Audience.CHANNEL, channel=ctx.channel)]
    for helper in helpers:
        replies.append(Reply(
            text=f"{mention(ctx.person.user)} thanked you for your help: {shown}. "
                 "Help like that tends to get passed on.",
            audience=Audience.DIRECT, to=helper))
    replies.append(say(f"Thanked, and sent to {names}.", replaces_original=anyway))
    return replies


async def post_anyway(ctx: Context, text: str) -> list[Reply]:
    """The Post anyway button on a coaching reply: the thanks as first written."""
    return await give(ctx, text, anyway=True)


async def list_favours(ctx: Context, text: str) -> list[Reply]:
    """`/thanks list`: privately, what you were thanked for and whom you thanked (12 weeks)."""
    now = ctx.now()
    given = recent(await ctx.ports.favours.given_by(ctx.person), now)
    received = recent(await ctx.ports.favours.received_by(ctx.person), now)
    if not given and not received:
        return [say("Nothing here from the last 12 weeks yet. When someone helps you, "
                    "`/thanks @them &lt;what they did&gt;` says so.")]
    profile = await ctx.profile()

    def line(other: str, favour: Favour) -> str:
        said = user_text(favour.what) if favour.what else "(text expired)"
        day = favour.at.astimezone(profile.zone)
        return f"{day:%a} {day.day} {day:%b} · {other}: {said}"

    sections = []
    if given:
        sections.append(Section("Help you gave:\n" + "\n".join(
            line(f"thanked by {mention(f.helped.user)}" if f.helped and
                 f.source is FavourSource.THANKS else "an offer of help you kept", f)
            for f in given[:SHOWN])))
    if received:
        sections.append(Section("Help you received:\n" + "\n".join(
            line(f"from {mention(f.helper.user)}", f) for f in received[:SHOWN])))
    return [say("Help given and received, the last 12 weeks (only you see this)", *sections)]


async def on_pay_forward(ctx: Context, action: Action) -> list[Reply]:
    """The Ideas button on a pay-it-forward suggestion."""
    return [say("Offer it where they'll see it, e.g. \"I can take a look at your test plan "
                "today\", and track it when I ask; or `/promise help @sam with the release "
                "notes by Friday`. Kept, it counts as help given.")]
