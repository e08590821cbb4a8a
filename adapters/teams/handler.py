"""The Teams activity handler: activities in, the core's events through, replies back out.

Where each of the core's replies goes (Teams has no ephemeral messages):

    ME       in a personal chat: a reply there; after a card button with `replaces_original`:
             the card is updated in place (update_activity). In a group chat or channel, the
             answer to a command goes to the person's 1:1 chat (a short note in the thread says
             so), and a promise noticed in chat is offered only in the 1:1 chat.
    CHANNEL  a post in the conversation it names (this one, or a stored one)
    DIRECT   the Messenger: the 1:1 chat of `reply.to`, created from the roster if needed

Install (installationUpdate add): references stored (every activity stores them), the team's
roster saved so members can be reached 1:1, and a welcome card. Uninstall (installationUpdate
remove, or the bot removed from the conversation): its references are dropped.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from botbuilder.core import CardFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount
from botbuilder.schema.teams import (
    MessagingExtensionAction,
    MessagingExtensionActionResponse,
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleTaskInfo,
    TeamInfo,
)

from adapters.teams import translate
from adapters.teams.cards import track_form, welcome_card
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.outgoing import Outgoing, card_attachment
from adapters.teams.sending import SendFailed, with_retries
from adapters.teams.store import PERSONAL, Conversations, team_of, tenant_of, thread_root
from bot.commands.capture import detect_soon
from bot.core import Rapport
from bot.events import Action, Command, Event, Message
from bot.markup import plain
from bot.ports import DeliveryOutcome
from bot.replies import Audience, Reply
from habits.detection import MAX_EXAMINED, clean_markup
from habits.people import WorkspaceRef, zone

log = logging.getLogger("rapport.teams")
REDELIVERY_WINDOW = 24 * 3600  # seconds an activity id is remembered
SENT_PRIVATELY = "I've answered in our 1:1 chat."
ROSTER_PAGE = 500


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
        await self.store.remember(turn_context.activity)
        await super().on_turn(turn_context)

    # -- messages ---------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        event = translate.event_of(activity)
        if event is None or not await self._first_delivery(activity):
            return
        user = event.actor.person.user
        aad = activity.from_property.aad_object_id if activity.from_property else None
        if self.admins is None or user in self.admins or (aad and aad in self.admins):
            event = replace(event, actor=replace(event.actor, is_admin=True))
        await self.store.unblock(event.actor.person)  # they wrote to us: sends may resume
        if isinstance(event, Command | Message):
            await self.store.remember_mentioned(activity, translate.said(activity).mentions)
        await self.answer(turn_context, event, await self.core.handle(event))

    async def _first_delivery(self, activity: Activity) -> bool:
        """The Bot Framework redelivers an activity it got no answer for in time: only its
        first delivery counts (by conversation and activity id, as Slack's by event id)."""
        if not activity.id:
            return True
        conversation = activity.conversation.id if activity.conversation else ""
        return await self.core.ports.dedupe.first_time(
            WorkspaceRef("teams", tenant_of(activity)), f"activity:{conversation}:{activity.id}",
            REDELIVERY_WINDOW)

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
                elif personal or isinstance(event, Action):
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
        await self.save_roster(turn_context)
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
        command = Command(translate.actor(activity), "promise",
                          f"{what} by {due}" if what and due else what,
                          translate.channel_of(activity))
        replies = await self.core.handle(command)
        mine = [reply for reply in replies if reply.audience is Audience.ME]
        await self.answer(turn_context, command,
                          [reply for reply in replies if reply.audience is not Audience.ME])
        text = plain(mine[0].text) if mine else "Done."
        return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=text))
