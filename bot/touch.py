"""Who was in touch with whom, and help given by keeping an offer of help.

Called from the commands that already see people together (kudos, thanks, handovers,
promises to someone, mentions in a channel Rapport is in): each keeps only the day, in both
people's own records (habits.familiarity). Nothing is recorded for a person whose messages
Rapport does not read (detection off): the chat path returns before it gets here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot import record
from bot.context import Context
from bot.events import Action
from bot.markup import FORGOTTEN, mention
from bot.replies import Reply, say
from habits.commitments import Commitment
from habits.familiarity import NOT_NOW
from habits.helpfulness import Favour, FavourSource, reads_as_help
from habits.people import PersonRef, Profile
from habits.streaks import Habit


async def in_touch(ctx: Context, users: Iterable[str], day: date | None = None) -> None:
    """The actor was in touch with `users` (user ids of their workspace) today."""
    colleagues = [ctx.person.colleague(user) for user in dict.fromkeys(users)
                  if user and user not in (FORGOTTEN, ctx.person.user)]
    if colleagues:
        await ctx.ports.contacts.touch(ctx.person, colleagues,
                                       day if day is not None else await ctx.today())


async def kept(ctx: Context, commitment: Commitment, profile: Profile) -> None:
    """A promise was kept: in touch with the people it was for, and, when it read as an offer
    of help (habits.helpfulness.reads_as_help), help given for the habit."""
    day = profile.local_date(ctx.now())
    await in_touch(ctx, commitment.to, day)
    if not reads_as_help(commitment.what):
        return
    helped: list[PersonRef | None] = [ctx.person.colleague(u) for u in commitment.to
                                      if u not in (FORGOTTEN, ctx.person.user)]
    for person in helped or [None]:
        await ctx.ports.favours.add(Favour(helper=ctx.person, helped=person,
                                           what=commitment.what, at=ctx.now(),
                                           source=FavourSource.OFFER_KEPT))
    await record.practised(ctx.ports, ctx.person, Habit.HELP, day)
    await record.counted(ctx.ports, ctx.person, day, help_kept=1)


def _teammate(ctx: Context, action: Action) -> str | None:
    """The colleague a stay-in-touch button names (never the person, never a forgotten one)."""
    user = action.value
    ok = user and user not in (FORGOTTEN, ctx.person.user) and len(user) < 100 \
        and not any(char in user for char in "<>|@ ")
    return user if ok else None


async def on_reached_out(ctx: Context, action: Action) -> list[Reply]:
    """I reached out: in touch today, and a day of the stay-in-touch habit."""
    if (user := _teammate(ctx, action)) is None:
        return []
    day = await ctx.today()
    await in_touch(ctx, [user], day)
    await record.practised(ctx.ports, ctx.person, Habit.STAY_IN_TOUCH, day)
    await record.counted(ctx.ports, ctx.person, day, reached_out=1)
    return [say(f"Nice. A few words now keep you and {mention(user)} known to each other.",
                replaces_original=True)]


async def on_not_now(ctx: Context, action: Action) -> list[Reply]:
    if (user := _teammate(ctx, action)) is None:
        return []
    await ctx.ports.contacts.skip(ctx.person, user, await ctx.today() + NOT_NOW)
    return [say("Fine: I won't bring them up again for a couple of weeks.",
                replaces_original=True)]


async def on_dont_suggest(ctx: Context, action: Action) -> list[Reply]:
    if (user := _teammate(ctx, action)) is None:
        return []
    await ctx.ports.contacts.skip(ctx.person, user, None)
    return [say("Understood: I won't suggest them again.", replaces_original=True)]
