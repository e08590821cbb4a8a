"""The Teams `Messenger`: proactive sends (nudges, reminders, digests, a handover offer).

To a person: `continue_conversation` with their stored 1:1 reference; when there is none yet
(someone found in a team's roster, or mentioned), `create_conversation` opens the 1:1 chat from
their member record first and stores its reference. To a chat or a channel: its stored
reference. Sends are paced and retried (adapters/teams/sending.py); what Teams answers becomes
a Delivery:

    sent                          -> SENT (and the reply's key is marked, for `delivered`)
    429/412/502/504, no answer    -> RETRY after Teams' Retry-After (or 30 s)
    403 (the user blocked the bot) -> GONE, and nothing more is sent to them until they write
    404 (the chat is gone)         -> the reference is dropped; RETRY opens a new chat
    no reference, no member record -> GONE
    a service URL not allowed      -> GONE (a reference stored before the allow-list existed is
                                      dropped; adapters/teams/service_urls.py)
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)

from adapters.teams import ids
from adapters.teams.outgoing import Outgoing
from adapters.teams.pacing import Pacer
from adapters.teams.sending import (
    BLOCKED,
    DEFAULT_RETRY_AFTER,
    NOT_FOUND,
    RetryPolicy,
    SendFailed,
    with_retries,
)
from adapters.teams.service_urls import ServiceUrls, host_of
from adapters.teams.store import Conversations
from bot.ports import Delivery, DeliveryOutcome
from bot.replies import Reply
from habits.people import PersonRef

log = logging.getLogger("rapport.teams.messenger")
CHANNEL_ID = "msteams"


class TeamsMessenger:
    """`bot.ports.Messenger` for Teams.

    >>> nudge = Reply("Hi", audience=Audience.DIRECT, to=PersonRef("teams", "t1", "29:a"))
    >>> delivery = await messenger.deliver(nudge)  # doctest: +SKIP
    """

    platform = "teams"

    def __init__(self, adapter: CloudAdapter, app_id: str, store: Conversations,
                 outgoing: Outgoing, pacer: Pacer, policy: RetryPolicy,
                 urls: ServiceUrls) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.store = store
        self.outgoing = outgoing
        self.pacer = pacer
        self.policy = policy
        self.urls = urls

    def _allowed(self, service_url: str | None, channel: str | None) -> bool:
        if self.urls.allows(service_url, channel):
            return True
        log.warning("Teams send skipped: service URL host %s is not allowed",
                    host_of(service_url))
        return False

    async def deliver(self, reply: Reply) -> Delivery:
        try:
            return await self._deliver(reply)
        except SendFailed as failure:
            return self._outcome(failure)

    async def delivered(self, reply: Reply) -> bool:
        if reply.to is None or not reply.key:
            return False
        return await self.store.was_sent(reply.to, reply.key)

    async def _deliver(self, reply: Reply) -> Delivery:
        who = reply.to
        if who is None:
            reference = await self.store.conversation(reply.channel) if reply.channel else None
            if reference is None:
                return Delivery(DeliveryOutcome.GONE, detail="no such conversation")
            if not self._allowed(reference.service_url, reference.channel_id):
                return Delivery(DeliveryOutcome.GONE, detail="service URL not allowed")
            tenant = getattr(reference.conversation, "tenant_id", None) or ids.LOCAL_TENANT
            await self.send(reference, await self.outgoing.activity(reply, tenant), tenant)
            return Delivery(DeliveryOutcome.SENT)
        if await self.store.blocked(who):
            return Delivery(DeliveryOutcome.GONE, detail="blocked the bot")
        reference = await self.store.personal(who)
        if reference is not None and not self._allowed(reference.service_url,
                                                       reference.channel_id):
            await self.store.forget_personal(who)
            reference = None
        reference = reference or await self.open_chat(who)
        if reference is None:
            return Delivery(DeliveryOutcome.GONE, detail="no chat with them and no roster entry")
        try:
            await self.send(reference, await self.outgoing.activity(reply, who.workspace),
                            who.workspace)
        except SendFailed as failure:
            if failure.status == BLOCKED:
                await self.store.block(who)
                log.info("Teams user %s blocked the bot: no more sends", who.user)
            elif failure.status == NOT_FOUND:
                await self.store.forget_personal(who)  # the next try opens a new chat
            raise
        if reply.key:
            await self.store.mark_sent(who, reply.key)
        return Delivery(DeliveryOutcome.SENT)

    async def send(self, reference: ConversationReference, activity: Activity,
                   tenant: str) -> None:
        """One activity into a stored conversation, paced and retried."""
        async def logic(context: TurnContext) -> None:
            # A new message, not a reply to the continuation event botbuilder made up.
            TurnContext.apply_conversation_reference(
                activity, TurnContext.get_conversation_reference(context.activity))
            activity.reply_to_id = None
            await context.adapter.send_activities(context, [activity])

        async def attempt() -> None:
            await self.adapter.continue_conversation(reference, logic, self.app_id)

        thread = reference.conversation.id if reference.conversation else ""
        await with_retries(attempt, pacer=self.pacer, thread=thread, tenant=tenant,
                           policy=self.policy)

    async def open_chat(self, who: PersonRef) -> ConversationReference | None:
        """Create the 1:1 chat with someone we know only from a roster or a mention."""
        member = await self.store.member(who)
        if member is None or not member.service_url or not member.bot_id or (
                not self._allowed(member.service_url, CHANNEL_ID)):
            return None
        parameters = ConversationParameters(
            is_group=False, bot=ChannelAccount(id=member.bot_id, name=member.bot_name),
            members=[ChannelAccount(id=who.user)], tenant_id=who.workspace,
            channel_data={"tenant": {"id": who.workspace}})
        created: list[ConversationReference] = []

        async def keep(context: TurnContext) -> None:
            created.append(TurnContext.get_conversation_reference(context.activity))

        async def attempt() -> None:
            await self.adapter.create_conversation(self.app_id, keep, parameters, CHANNEL_ID,
                                                   member.service_url, None)

        try:
            await with_retries(attempt, pacer=self.pacer, thread="create:" + who.workspace,
                               tenant=who.workspace, policy=self.policy)
        except SendFailed as failure:
            if failure.status == BLOCKED:
                await self.store.block(who)
            raise
        if not created:
            return None
        reference = created[0]
        reference.user = ChannelAccount(id=who.user, name=member.name)
        await self.store.save_personal(who, reference)
        return reference

    @staticmethod
    def _outcome(failure: SendFailed) -> Delivery:
        if failure.retryable:
            return Delivery(DeliveryOutcome.RETRY,
                            retry_after=failure.retry_after or DEFAULT_RETRY_AFTER,
                            detail=failure.detail, refused=failure.status in (412, 429))
        if failure.status == NOT_FOUND:
            return Delivery(DeliveryOutcome.RETRY, retry_after=DEFAULT_RETRY_AFTER,
                            detail="conversation gone; a new one is opened next time",
                            refused=True)
        return Delivery(DeliveryOutcome.GONE, detail=failure.detail)
