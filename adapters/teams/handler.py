"""The Teams activity handler: activities in, the core's events through, replies back out.

Where each of the core's replies goes (Teams has no ephemeral messages):

    ME       in a personal chat: a reply there; after a card button with `replaces_original`:
             the card is updated in place (Action.Execute: the invoke answers with the new
             card; the Action.Submit fallback: update_activity). In a group chat or channel it
             goes to the person's 1:1 chat, whatever asked for it: a command (a short note in
             the thread says so), a card button (the invoke answers with that line, for the
             presser only), a promise noticed in chat.
    CHANNEL  a post in the conversation it names (this one, or a stored one)
    DIRECT   the Messenger: the 1:1 chat of `reply.to`, created from the roster if needed

Install (installationUpdate add): references stored (every activity stores them), the team's
roster saved so members can be reached 1:1, and a welcome card. Uninstall (installationUpdate
remove, or the bot removed from the conversation): its references are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, ClassVar, TypeVar

from botbuilder.core import CardFactory, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    ChannelAccount,
)
from botbuilder.schema.teams import (
    MessagingExtensionAction,
    MessagingExtensionActionResponse,
    MessagingExtensionQuery,
    MessagingExtensionResponse,
    MessagingExtensionResult,
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleRequest,
    TaskModuleResponse,
    TaskModuleTaskInfo,
    TeamInfo,
)

from adapters.teams import translate
from adapters.teams.cards import CARD_TYPE, track_form, welcome_card
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.outgoing import Outgoing, card_attachment
from adapters.teams.sending import SendFailed, with_retries
from adapters.teams.store import PERSONAL, Conversations, team_of, tenant_of, thread_root
from bot.commands.capture import detect_soon
from bot.core import Rapport
from bot.events import Action, Command, Event, Message
from bot.markup import plain
from bot.ports import Dedupe, DeliveryOutcome
from bot.replies import Audience, Reply
from habits.detection import MAX_EXAMINED, clean_markup
from habits.people import WorkspaceRef, zone

log = logging.getLogger("rapport.teams")
REDELIVERY_WINDOW = 24 * 3600  # seconds an activity id is remembered
SENT_PRIVATELY = "I've answered in our 1:1 chat."
SEE_BELOW = "Done: my answer is just below."
ALREADY_DONE = "Already done."
NO_DIALOG = "Rapport has no dialog here. Type help to see what I can do."
NOT_POSTED = "Nothing was posted: Rapport keeps promises between you and it."
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
ROSTER_PAGE = 500
E = TypeVar("E", bound=Command | Message | Action)


class MessageInvokeResponse(AdaptiveCardInvokeResponse):  # type: ignore[misc]
    """An `adaptiveCard/action` answer that is a line of text rather than a card (botbuilder's
    AdaptiveCardInvokeResponse types `value` as an object, which cannot carry a string)."""

    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        **AdaptiveCardInvokeResponse._attribute_map,
                      "value": {"key": "value", "type": "str"}}


def card_response(card: dict[str, Any]) -> AdaptiveCardInvokeResponse:
    """Action.Execute's answer that replaces the card the button was on."""
    return AdaptiveCardInvokeResponse(status_code=200, type=CARD_TYPE, value=card)


def message_response(text: str) -> AdaptiveCardInvokeResponse:
    """Action.Execute's answer that leaves the card as it is and shows the presser a line."""
    return MessageInvokeResponse(status_code=200, type=MESSAGE_TYPE, value=text)


def delivery_key(activity: Activity) -> str:
    """The dedupe (and idempotency) key of a delivery: its conversation and activity id."""
    conversation = activity.conversation.id if activity.conversation else ""
    return f"activity:{conversation}:{activity.id}"


class RapportTeamsBot(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(self, core: Rapport, store: Conversations, messenger: TeamsMessenger,
                 outgoing: Outgoing, admins: frozenset[str] | None = frozenset()) -> None:
        super().__init__()
        self.admins = admins  # None: everyone (local mode)
        self.core = core
        self.store = store
        self.messenger = messenger
        self.outgoing = outgoing

    async def on_turn(self, turn_context: TurnContext) -> None:
        if translate.from_bot(turn_context.activity):
            # Another bot, or Rapport's own message echoed back: not a person, so no profile,
            # no offer, no stored reference, and never a 1:1 chat or a nudge.
            return
        await self.store.remember(turn_context.activity)
        await super().on_turn(turn_context)

    # -- messages ---------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        event = translate.event_of(activity)
        if event is None:
            return
        async with self.once(activity) as first:
            if not first:
                return
            event = await self.prepared(activity, event)
            await self.answer(turn_context, event, await self.core.handle(event))

    async def prepared(self, activity: Activity, event: E) -> E:
        """The event as the core should see it: its idempotency key, the admin flag; and what
        writing to us tells the store (sends may resume, who was mentioned)."""
        if activity.id:
            event = replace(event, idempotency_key="teams:" + delivery_key(activity))
        user = event.actor.person.user
        aad = activity.from_property.aad_object_id if activity.from_property else None
        if self.admins is None or user in self.admins or (aad and aad in self.admins):
            event = replace(event, actor=replace(event.actor, is_admin=True))
        await self.store.unblock(event.actor.person)  # they wrote to us: sends may resume
        if isinstance(event, Command | Message):
            await self.store.remember_mentioned(activity, translate.said(activity).mentions)
        return event

    @asynccontextmanager
    async def once(self, activity: Activity) -> AsyncIterator[bool]:
        """Whether this is the first delivery of the activity (the Bot Framework redelivers one
        it got no answer for in time; by conversation and activity id, as Slack's by event
        id). A turn that fails gives its key back, so the redelivery that follows counts."""
        if not activity.id:
            yield True
            return
        dedupe: Dedupe = self.core.ports.dedupe
        workspace, key = WorkspaceRef("teams", tenant_of(activity)), delivery_key(activity)
        first = await dedupe.first_time(workspace, key, REDELIVERY_WINDOW)
        try:
            yield first
        except BaseException:
            if first:
                try:
                    await dedupe.release(workspace, key)
                except Exception as error:  # the turn's own failure is the one to report
                    log.warning("a failed Teams turn's key could not be released: %s", error)
            raise

    async def on_teams_message_edit(self, turn_context: TurnContext) -> None:
        event = translate.edited(turn_context.activity)
        if event is not None:
            await self.answer(turn_context, event, await self.core.handle(event))

    async def on_teams_message_soft_delete(self, turn_context: TurnContext) -> None:
        event = translate.deleted(turn_context.activity)
        await self.answer(turn_context, event, await self.core.handle(event))

    # -- where replies go -------------------------------------------------------------------

    async def answer(self, turn_context: TurnContext, event: Event,
                     replies: list[Reply]) -> None:
        """Put each reply where the core meant it to go; a reply Teams refuses is logged."""
        activity = turn_context.activity
        personal = (activity.conversation.conversation_type or PERSONAL) == PERSONAL
        noted = False
        for reply in replies:
            try:
                if reply.audience is Audience.DIRECT:
                    await self.messenger.deliver(reply)
                elif reply.audience is Audience.CHANNEL:
                    await self.to_conversation(turn_context, reply)
                elif personal:
                    await self.to_actor_here(turn_context, event, reply)
                else:
                    private = replace(reply, audience=Audience.DIRECT, to=event.actor.person,
                                      replaces_original=False)
                    delivery = await self.messenger.deliver(private)
                    if isinstance(event, Command) and not noted and \
                            delivery.outcome is DeliveryOutcome.SENT:
                        noted = True
                        await self.send_here(turn_context, Reply(SENT_PRIVATELY))
            except SendFailed as failure:
                log.warning("a Teams reply could not be sent: %s", failure)

    async def to_actor_here(self, turn_context: TurnContext, event: Event, reply: Reply) -> None:
        card_id = turn_context.activity.reply_to_id
        if reply.replaces_original and isinstance(event, Action) and card_id:
            await self.update_card(turn_context, card_id, reply)
        else:
            await self.send_here(turn_context, reply)

    async def to_conversation(self, turn_context: TurnContext, reply: Reply) -> None:
        here = thread_root(translate.channel_of(turn_context.activity))
        if reply.channel and thread_root(reply.channel) != here:
            await self.messenger.deliver(replace(reply, to=None))
        else:
            await self.send_here(turn_context, reply)

    async def send_here(self, turn_context: TurnContext, reply: Reply) -> None:
        activity = await self.outgoing.activity(reply, tenant_of(turn_context.activity))
        await self._paced(turn_context, lambda: turn_context.send_activity(activity))

    async def update_card(self, turn_context: TurnContext, card_id: str, reply: Reply) -> None:
        activity = await self.outgoing.activity(reply, tenant_of(turn_context.activity))
        activity.id = card_id
        await self._paced(turn_context, lambda: turn_context.update_activity(activity))

    async def _paced(self, turn_context: TurnContext, call: Any) -> None:
        activity = turn_context.activity
        await with_retries(call, pacer=self.messenger.pacer,
                           thread=thread_root(translate.channel_of(activity)),
                           tenant=tenant_of(activity), policy=self.messenger.policy)

    # -- install, uninstall, members --------------------------------------------------------

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """`add`: the roster and a welcome card. `add-upgrade` (a new version of the app, or a
        personal install where the team already has it) refreshes the roster only: the
        conversation has been welcomed once."""
        activity = turn_context.activity
        await self.save_roster(turn_context)
        if activity.action != "add":
            return
        async with self.once(activity) as first:
            if first:
                await self.welcome(turn_context)

    async def welcome(self, turn_context: TurnContext) -> None:
        welcome = Activity(type=ActivityTypes.message, summary="Hi, I'm Rapport.",
                           attachments=[card_attachment(welcome_card())])
        try:
            await self._paced(turn_context, lambda: turn_context.send_activity(welcome))
        except SendFailed as failure:
            log.warning("the Teams welcome card could not be sent: %s", failure)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self.forget_here(turn_context)

    async def on_teams_members_added_dispatch(self, members_added: list[ChannelAccount],
                                              team_info: TeamInfo | None,
                                              turn_context: TurnContext) -> None:
        """New members (or the bot itself): keep their accounts so each can be reached 1:1.
        (Overridden so that no member lookup is made per person; the roster covers it.)"""
        activity = turn_context.activity
        bot = activity.recipient
        if any(bot is not None and member.id == bot.id for member in members_added):
            await self.save_roster(turn_context)
            return
        await self.store.remember_members(tenant_of(activity), members_added,
                                          activity.service_url, bot)

    async def on_teams_members_removed_dispatch(self, members_removed: list[ChannelAccount],
                                                team_info: TeamInfo | None,
                                                turn_context: TurnContext) -> None:
        bot = turn_context.activity.recipient
        if any(bot is not None and member.id == bot.id for member in members_removed):
            await self.forget_here(turn_context)

    async def save_roster(self, turn_context: TurnContext) -> None:
        """In a team or group chat, everyone in it, so each can get a 1:1 chat later."""
        activity = turn_context.activity
        if (activity.conversation.conversation_type or PERSONAL) == PERSONAL:
            return
        tenant = tenant_of(activity)
        token: str | None = None
        saved = 0
        try:
            while True:
                page = await TeamsInfo.get_paged_members(turn_context, token, ROSTER_PAGE)
                saved += await self.store.remember_members(
                    tenant, page.members or [], activity.service_url, activity.recipient)
                token = page.continuation_token
                if not token:
                    break
        except Exception as error:  # the roster is a convenience: install goes on without it
            log.warning("the Teams roster could not be read: %s", error)
        log.info("Teams roster saved: %d members in %s", saved, tenant)

    async def forget_here(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        tenant = tenant_of(activity)
        if (activity.conversation.conversation_type or PERSONAL) == PERSONAL:
            await self.store.forget_personal(translate.actor(activity).person)
        else:
            await self.store.forget_conversation(tenant, activity.conversation.id,
                                                 team_of(activity))
        log.info("Rapport removed from a Teams conversation in %s: references dropped", tenant)

    # -- the "Track as promise" message extension -------------------------------------------

    async def on_teams_messaging_extension_fetch_task(
            self, turn_context: TurnContext, action: MessagingExtensionAction,
    ) -> MessagingExtensionActionResponse:
        activity = turn_context.activity
        payload = (activity.value or {}).get("messagePayload") or {} \
            if isinstance(activity.value, dict) else {}
        text = translate.message_text(payload)
        who = translate.actor(activity)
        try:
            tz = zone(who.tz or "UTC")
        except ValueError:
            tz = zone("UTC")
        found = await detect_soon(text, sent_at=self.core.clock.now(), tz=tz) if text else None
        what = found.what if found else clean_markup(text[:MAX_EXAMINED])  # the form shows 300
        due = found.due.date().isoformat() if found and found.due else None
        return MessagingExtensionActionResponse(task=TaskModuleContinueResponse(
            value=TaskModuleTaskInfo(title="Track a promise", height=320, width=480,
                                     card=CardFactory.adaptive_card(track_form(what, due)))))

    async def on_teams_messaging_extension_submit_action(
            self, turn_context: TurnContext, action: MessagingExtensionAction,
    ) -> MessagingExtensionActionResponse:
        activity = turn_context.activity
        data = action.data if isinstance(action.data, dict) else {}
        what = " ".join(str(data.get("what") or "").split())
        due = str(data.get("due") or "").strip()
        command = Command(
            translate.actor(activity), "promise", f"{what} by {due}" if what and due else what,
            translate.channel_of(activity))
        async with self.once(activity) as first:
            if not first:
                return MessagingExtensionActionResponse(
                    task=TaskModuleMessageResponse(value=ALREADY_DONE))
            command = await self.prepared(activity, command)
            replies = await self.core.handle(command)
            mine = [reply for reply in replies if reply.audience is Audience.ME]
            await self.answer(turn_context, command,
                              [reply for reply in replies if reply.audience is not Audience.ME])
        return MessagingExtensionActionResponse(
            task=TaskModuleMessageResponse(value=dialog_text(mine[0]) if mine else "Done."))

    async def on_teams_messaging_extension_bot_message_preview_edit(
            self, turn_context: TurnContext, action: MessagingExtensionAction,
    ) -> MessagingExtensionActionResponse:
        """Rapport never answers with a preview; should one come back, the form opens again."""
        return await self.on_teams_messaging_extension_fetch_task(turn_context, action)

    async def on_teams_messaging_extension_bot_message_preview_send(
            self, turn_context: TurnContext, action: MessagingExtensionAction,
    ) -> MessagingExtensionActionResponse:
        return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=NOT_POSTED))

    async def on_teams_messaging_extension_query(
            self, turn_context: TurnContext, query: MessagingExtensionQuery,
    ) -> MessagingExtensionResponse:
        """Rapport has no search command: any query finds nothing (not an error)."""
        return MessagingExtensionResponse(compose_extension=MessagingExtensionResult(
            type="result", attachment_layout="list", attachments=[]))

    async def on_teams_messaging_extension_card_button_clicked(
            self, turn_context: TurnContext, card_data: Any) -> None:
        """A button on a card being composed: nothing to do, and nothing to show."""

    async def on_teams_task_module_fetch(self, turn_context: TurnContext,
                                         task_module_request: TaskModuleRequest,
                                         ) -> TaskModuleResponse:
        return TaskModuleResponse(task=TaskModuleMessageResponse(value=NO_DIALOG))

    async def on_teams_task_module_submit(self, turn_context: TurnContext,
                                          task_module_request: TaskModuleRequest,
                                          ) -> TaskModuleResponse:
        return TaskModuleResponse(task=TaskModuleMessageResponse(value=NO_DIALOG))

    async def on_teams_signin_verify_state(self, turn_context: TurnContext) -> None:
        """Rapport asks no one to sign in; a stray verifyState is acknowledged (200)."""

    # -- card buttons as Universal Actions --------------------------------------------------

    async def on_adaptive_card_invoke(self, turn_context: TurnContext,
                                      invoke_value: AdaptiveCardInvokeValue,
                                      ) -> AdaptiveCardInvokeResponse:
        """Action.Execute: routed to the core exactly as an Action.Submit is. In a personal
        chat the reply that replaces the card is the invoke's answer (the updated card); in a
        group chat or channel the card stays as everyone sees it, the person's answer goes to
        their 1:1 chat and the invoke says so (to the presser only)."""
        activity = turn_context.activity
        action = translate.executed(activity)
        if action is None:
            return message_response("")
        card: dict[str, Any] | None = None
        async with self.once(activity) as first:
            if not first:
                return message_response(ALREADY_DONE)
            action = await self.prepared(activity, action)
            replies = await self.core.handle(action)
            personal = (activity.conversation.conversation_type or PERSONAL) == PERSONAL
            rest: list[Reply] = []
            for reply in replies:
                if personal and card is None and reply.audience is Audience.ME and \
                        reply.replaces_original:
                    card = await self.outgoing.card(reply, tenant_of(activity))
                else:
                    rest.append(reply)
            await self.answer(turn_context, action, rest)
        if card is not None:
            return card_response(card)
        if any(reply.audience is Audience.ME for reply in rest):
            return message_response(SEE_BELOW if personal else SENT_PRIVATELY)
        return message_response("Done.")

    async def on_teams_card_action_invoke(self, turn_context: TurnContext) -> InvokeResponse:
        """An Action.Submit sent as an invoke (`msteams.type` "invoke"): the same as a submit
        reported as a message; the replies are posted, the invoke answered 200."""
        activity = turn_context.activity
        action = translate.submitted(activity)
        if action is not None:
            async with self.once(activity) as first:
                if first:
                    action = await self.prepared(activity, action)
                    await self.answer(turn_context, action, await self.core.handle(action))
        return InvokeResponse(status=200)


def dialog_text(reply: Reply) -> str:
    """What the "Track as promise" dialog shows: the reply with its first section (what was
    promised and when it is due), as one plain line.

    >>> from bot.replies import Section
    >>> dialog_text(Reply("Tracking your promise.", sections=(Section("*#1* send it, due *Fri*"),)))
    'Tracking your promise. #1 send it, due Fri'
    """
    texts = [reply.text, *(section.text for section in reply.sections[:1])]
    return " ".join(" ".join(plain(text).split()) for text in texts if text.strip())
