"""The core: routes neutral events to use cases and returns neutral replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot import enrolment, followup, nudges, touch
from bot.clock import Clock
from bot.commands import account, capture, handovers, kudos, prep, promises, thanks
from bot.commands.habits_view import habits
from bot.commands.registry import CHAT_COMMANDS, CommandHandler
from bot.context import Context
from bot.events import Action, Actor, Command, Event, Message, MessageDeleted
from bot.markup import mention
from bot.ports import Ports
from bot.replies import Reply, say
from bot.usage import did_you_mean

ActionHandler = Callable[[Context, Action], Awaitable[list[Reply]]]

# Every word the core answers to, each routing its own sub-commands: declared in the registry.
COMMANDS: dict[str, CommandHandler] = CHAT_COMMANDS.handlers()


def _number(action: Action) -> int | None:
    return int(action.value) if action.value.isascii() and action.value.isdigit() else None


async def _on_kept(ctx: Context, action: Action) -> list[Reply]:
    number = _number(action)
    return await promises.keep(ctx, number) if number is not None else []


async def _on_more_time(ctx: Context, action: Action) -> list[Reply]:
    number = _number(action)
    if number is None:
        return []
    return await promises.more_time(ctx, number, action.values.get("date", ""))


async def _on_drop(ctx: Context, action: Action) -> list[Reply]:
    number = _number(action)
    return await promises.drop(ctx, number) if number is not None else []


async def _on_undo(ctx: Context, action: Action) -> list[Reply]:
    number = _number(action)
    return await promises.undo_promise(ctx, number) if number is not None else []


async def _on_post_anyway(ctx: Context, action: Action) -> list[Reply]:
    return await kudos.post_anyway(ctx, action.value)


async def _on_undo_kudos(ctx: Context, action: Action) -> list[Reply]:
    return await kudos.undo(ctx, action.value)


async def _on_accept(ctx: Context, action: Action) -> list[Reply]:
    return await handovers.answer(ctx, action.value, accept=True)


async def _on_discuss(ctx: Context, action: Action) -> list[Reply]:
    return await handovers.answer(ctx, action.value, accept=False)


async def _on_forget(ctx: Context, action: Action) -> list[Reply]:
    return await account.forget_me(ctx, "confirm")


async def _on_keep_data(ctx: Context, action: Action) -> list[Reply]:
    return [say("Kept: nothing was deleted.", replaces_original=True)]


async def _on_track(ctx: Context, action: Action) -> list[Reply]:
    return await capture.track(ctx, action.value)


async def _on_not_promise(ctx: Context, action: Action) -> list[Reply]:
    return await capture.not_a_promise(ctx, action.value)


async def _on_snooze(ctx: Context, action: Action) -> list[Reply]:
    return [say(await nudges.snooze(ctx.ports, ctx.person, action.value, ctx.now()),
                replaces_original=True)]


async def _on_not_today(ctx: Context, action: Action) -> list[Reply]:
    today = await ctx.today()
    for kind, subject in ((followup.FOLLOW_UP, today.isoformat()), (nudges.AGAIN, today.isoformat())):
        await ctx.ports.due.cancel(kind, ctx.person, subject)
    return [say("Understood: nothing more from me today.", replaces_original=True)]


async def _on_keep_daily(ctx: Context, action: Action) -> list[Reply]:
    return [say("Good to hear from you. I'll be back each working morning, within your "
                "working hours; `/rapport settings` changes when.", replaces_original=True)]


async def _on_nudges_off(ctx: Context, action: Action) -> list[Reply]:
    return await account.settings(ctx, "nudges off")


async def _on_give_kudos(ctx: Context, action: Action) -> list[Reply]:
    who = mention(action.value) if action.value else "@someone"
    return [say(f"Say what exactly they did and why it mattered, e.g.\n"
                f"`/kudos {who} your summary of the customer calls made the trade-offs clear`")]


async def _on_hand_over(ctx: Context, action: Action) -> list[Reply]:
    return [say("Name the person and the decision, e.g.\n"
                "`/handover @lee choose the format for the quarterly review`")]


async def _on_thanks_anyway(ctx: Context, action: Action) -> list[Reply]:
    return await thanks.post_anyway(ctx, action.value)


async def _on_my_habits(ctx: Context, action: Action) -> list[Reply]:
    return await habits(ctx, "")


ACTIONS: dict[str, ActionHandler] = {
    "nudge.snooze": _on_snooze,
    "nudge.not_today": _on_not_today,
    "nudge.kudos": _on_give_kudos,
    "nudge.handover": _on_hand_over,
    "nudge.habits": _on_my_habits,
    nudges.PAY_FORWARD_ACTION: thanks.on_pay_forward,
    nudges.REACHED_OUT: touch.on_reached_out,
    nudges.NOT_NOW: touch.on_not_now,
    nudges.DONT_SUGGEST: touch.on_dont_suggest,
    nudges.KEEP_DAILY: _on_keep_daily,
    enrolment.OPT_OUT: _on_nudges_off,
    "promise.track": _on_track,
    "promise.not_promise": _on_not_promise,
    "promise.kept": _on_kept,
    "promise.more_time": _on_more_time,
    "promise.drop": _on_drop,
    "promise.undo": _on_undo,
    kudos.POST_ANYWAY: _on_post_anyway,
    kudos.UNDO: _on_undo_kudos,
    thanks.POST_ANYWAY: _on_thanks_anyway,
    "handover.accept": _on_accept,
    "handover.discuss": _on_discuss,
    "account.forget_me": _on_forget,
    prep.SKIP: prep.on_skip,
    prep.OPEN: prep.on_open,
    prep.SAVE: prep.on_save,
    prep.OPEN_DEBRIEF: prep.on_open_debrief,
    prep.SAVE_DEBRIEF: prep.on_save_debrief,
    "account.keep_data": _on_keep_data,
}


class Rapport:
    """The platform-neutral bot. Every adapter hands it events and renders what it returns."""

    def __init__(self, ports: Ports, clock: Clock) -> None:
        self.ports = ports
        self.clock = clock

    def context(self, actor: Actor, channel: str | None, key: str | None = None) -> Context:
        return Context(actor=actor, ports=self.ports, clock=self.clock, channel=channel, key=key)

    async def handle(self, event: Event) -> list[Reply]:
        if isinstance(event, Command):
            return await self.command(event)
        if isinstance(event, Action):
            return await self.action(event)
        if isinstance(event, Message):
            return await self.message(event)
        if isinstance(event, MessageDeleted):
            return await capture.on_deleted(self.context(event.actor, event.channel), event)
        raise TypeError(f"not an event: {event!r}")

    async def command(self, command: Command) -> list[Reply]:
        name = command.name.strip().lower().lstrip("/")
        handler = COMMANDS.get(name)
        if handler is None:
            return [say(did_you_mean(name))]
        ctx = self.context(command.actor, command.channel, command.idempotency_key)
        await ctx.used()
        return await handler(ctx, command.text)

    async def action(self, action: Action) -> list[Reply]:
        handler = ACTIONS.get(action.action)
        if handler is None:
            return [say("That button is no longer valid; `/rapport help` shows what I can do.")]
        ctx = self.context(action.actor, action.channel, action.idempotency_key)
        await ctx.used()
        return await handler(ctx, action)

    async def message(self, message: Message) -> list[Reply]:
        """A chat message: offered to its author as a promise when it reads like one."""
        return await capture.on_message(
            self.context(message.actor, message.channel, message.idempotency_key), message)
