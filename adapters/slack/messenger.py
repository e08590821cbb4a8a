"""The Slack `Messenger`: proactive sends (nudges, a handover offer, kudos to the recipient).

A DM is one `chat.postMessage` with the person's user id as the channel: Slack posts it in the
bot's DM with them, opening that DM if need be, and answers with its id. An attachment then
goes up with `files_upload_v2` into the same DM. Slack's answers become facts for the caller: a 429 that
outlived slack-sdk's retries is RETRY with Slack's `Retry-After`; a person who left, a channel
that is gone or archived is GONE, so the scheduler stops trying.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from redis.asyncio import Redis
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.redis.coalesce import Coalesced
from adapters.redis.keys import person_key
from adapters.slack import ids, render
from adapters.slack.client import SlackClients, retry_after
from bot.ports import Delivery, DeliveryOutcome
from bot.replies import Reply
from habits.people import PersonRef

log = logging.getLogger("rapport.slack.messenger")

GONE_ERRORS = frozenset({
    "account_inactive", "user_not_found", "users_not_found", "channel_not_found", "is_archived",
    "not_in_channel", "cannot_dm_bot", "user_disabled", "invalid_auth", "token_revoked",
    "not_authed", "team_access_not_granted", "team_not_found", "restricted_action",
    "messages_tab_disabled", "user_is_bot",
})
DEFAULT_RETRY_AFTER = 30.0
SENT_EVENT = "rapport_sent"
# Since 2025-05-29 Slack allows apps outside the Marketplace one conversations.history call a
# minute per workspace, of at most 15 messages: the recovery check asks for that much, once a
# minute per workspace at most (across replicas), and only when our own marks can't tell.
HISTORY_LOOKBACK = 15
HISTORY_EVERY = 60        # seconds between conversations.history calls per workspace
MARK_TTL = 3 * 24 * 3600  # a scheduled send's marks outlive any tick that could retry it
SENDING, SENT = b"sending", b"sent"
# Read a scheduled send's mark and, when there is none, set `sending`: one round trip.
_BEGIN_SENDING = """
local mark = redis.call('GET', KEYS[1])
if not mark then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return mark
"""


def post_options() -> dict[str, Any]:
    # parse="none" and link_names off: plain "@channel" in any text stays plain text.
    return {"parse": "none", "link_names": False, "unfurl_links": False, "unfurl_media": False}


async def open_dm(client: AsyncWebClient, user: str) -> str:
    answer = await client.conversations_open(users=user)
    return str(answer["channel"]["id"])


def _metadata(reply: Reply) -> dict[str, Any]:
    # Slack message metadata carries the key of a scheduled send, so `delivered` can find it.
    if reply.key is None:
        return {}
    return {"metadata": {"event_type": SENT_EVENT, "event_payload": {"key": reply.key}}}


async def post(client: AsyncWebClient, channel: str, reply: Reply,
               thread: str | None = None) -> str:
    """Post `reply` in `channel` (in `thread`, when given; with its attachment, if any);
    returns the message ts."""
    in_thread: dict[str, Any] = {"thread_ts": thread} if thread else {}
    answer = await client.chat_postMessage(channel=channel, **render.message(reply),
                                           **post_options(), **_metadata(reply), **in_thread)
    if reply.attachment is not None:
        # A user id as `channel` posted into a DM; the upload needs that DM's own id.
        await client.files_upload_v2(channel=str(answer.get("channel") or channel),
                                     filename=reply.attachment.filename,
                                     content=reply.attachment.content,
                                     title=reply.attachment.filename)
    return str(answer.get("ts", ""))


def outcome_of(error: SlackApiError) -> Delivery:
    """What a failed Web API call means for the sender."""
    status = error.response.status_code
    code = str(error.response.get("error", "") or "")
    if status == 429 or code == "ratelimited":
        return Delivery(DeliveryOutcome.RETRY,
                        retry_after=retry_after(error.response.headers, DEFAULT_RETRY_AFTER),
                        detail="ratelimited", refused=True)
    if code in GONE_ERRORS:
        return Delivery(DeliveryOutcome.GONE, detail=code)
    return Delivery(DeliveryOutcome.RETRY, retry_after=DEFAULT_RETRY_AFTER, detail=code or str(status))


class SlackMessenger:
    """`bot.ports.Messenger` for Slack.

    >>> nudge = Reply("Hi", audience=Audience.DIRECT, to=PersonRef("slack", "T1", "U1"))
    >>> delivery = await SlackMessenger(clients).deliver(nudge)  # doctest: +SKIP
    """

    platform = "slack"

    DM_TTL = 30 * 24 * 3600

    def __init__(self, clients: SlackClients, default_workspace: str | None = None,
                 redis: Redis | None = None) -> None:
        self.clients = clients
        self.default_workspace = default_workspace
        # Reading a DM's history (see `delivered`) needs its channel id, and conversations.open
        # is a Tier 3 method (about 50 calls a minute per workspace): remember the channel.
        self.redis = redis
        self._begin_sending = redis.register_script(_BEGIN_SENDING) if redis is not None \
            else None
        # The marks of the sends in flight at once share round trips (a tick sends dozens).
        self._marks = Coalesced(redis) if redis is not None else None

    async def dm_channel(self, client: AsyncWebClient, person: PersonRef) -> str:
        key = person_key(person, "slack", "dm")
        cached = await self.redis.get(key) if self.redis is not None else None
        if cached:
            return cached.decode() if isinstance(cached, bytes) else str(cached)
        channel = await open_dm(client, person.user)
        if self.redis is not None:
            await self.redis.set(key, channel, ex=self.DM_TTL)
        return channel

    async def deliver(self, reply: Reply) -> Delivery:
        workspace = reply.to.workspace if reply.to is not None else self.default_workspace
        if workspace is None or (reply.to is None and not reply.channel):
            return Delivery(DeliveryOutcome.GONE, detail="no recipient")
        client = await self.clients.for_workspace(workspace)
        if client is None:
            return Delivery(DeliveryOutcome.GONE, detail="not installed in " + workspace)
        mark, marked = await self._begin(reply)
        if mark == SENT:
            return Delivery(DeliveryOutcome.SENT, detail="already sent")
        if mark == SENDING:
            # An earlier attempt got no answer: post only once Slack's history says it is
            # not there; when history can't be read yet, wait for the next minute's budget.
            found = await self._in_history(client, reply)
            if found is None:
                return Delivery(DeliveryOutcome.RETRY, retry_after=HISTORY_EVERY,
                                detail="history budget")
            if found:
                await self._mark(reply, SENT)
                return Delivery(DeliveryOutcome.SENT, detail="already sent")
        if not marked:
            marked = await self._mark(reply, SENDING)
        try:
            await post(client, reply.to.user if reply.to is not None else str(reply.channel), reply)
        except SlackApiError as error:
            delivery = outcome_of(error)
            if marked and _refused(error):
                await self._unmark(reply)  # Slack answered that it did not post it
            log.info("Slack delivery to %s: %s (%s)", reply.to or reply.channel,
                     delivery.outcome, delivery.detail)
            return delivery
        except (aiohttp.ClientError, TimeoutError) as error:
            return Delivery(DeliveryOutcome.RETRY, retry_after=DEFAULT_RETRY_AFTER,
                            detail=type(error).__name__)
        if marked:
            await self._mark(reply, SENT)
        return Delivery(DeliveryOutcome.SENT)

    async def _mark(self, reply: Reply, state: bytes) -> bool:
        """Note a scheduled send's progress under the person's tag: `sending` before the
        post, `sent` once Slack said ok. Recovery reads these before Slack's history."""
        if self._marks is None or reply.to is None or reply.key is None:
            return False
        await self._marks.set(ids.sent_key(reply.to, reply.key), state, ex=MARK_TTL)
        return True

    async def _begin(self, reply: Reply) -> tuple[bytes | None, bool]:
        """The send's mark before this attempt, and whether this attempt set `sending` (there
        was none: it is set in the same step)."""
        if self._begin_sending is None or self._marks is None or reply.to is None or \
                reply.key is None:
            return None, False
        mark = await self._marks.script(self._begin_sending, [ids.sent_key(reply.to, reply.key)],
                                        [SENDING, MARK_TTL])
        if mark is None:
            return None, True
        return (mark.encode() if isinstance(mark, str) else bytes(mark)), False

    async def _read_mark(self, reply: Reply) -> bytes | None:
        if self.redis is None or reply.to is None or reply.key is None:
            return None
        mark = await self.redis.get(ids.sent_key(reply.to, reply.key))
        if mark is None:
            return None
        return mark.encode() if isinstance(mark, str) else bytes(mark)

    async def _unmark(self, reply: Reply) -> None:
        if self.redis is not None and reply.to is not None and reply.key is not None:
            await self.redis.delete(ids.sent_key(reply.to, reply.key))

    async def _history_allowed(self, workspace: str) -> bool:
        """One conversations.history call a minute per workspace, across replicas."""
        if self.redis is None:
            return True
        return bool(await self.redis.set(ids.history_budget_key(workspace), b"1",
                                         ex=HISTORY_EVERY, nx=True))

    async def delivered(self, reply: Reply) -> bool:
        """Whether the DM already holds a message with `reply.key` (a tick died mid-send).

        Our own marks answer first: `sent` is yes, none at all is no (never posted, or Slack
        answered that it did not post it). Only `sending` alone (no answer from Slack) reads
        the DM's latest 15 messages for Rapport's metadata, once a minute per workspace at
        most. When history can't be read (that budget spent, a 429, an error) this says no,
        and `deliver` then sees the mark and answers RETRY after a minute instead of posting:
        never the same nudge twice, and not lost either.
        """
        if reply.to is None or reply.key is None:
            return False
        mark = await self._read_mark(reply)
        if self.redis is not None and mark != SENDING:
            return mark == SENT
        client = await self.clients.for_workspace(reply.to.workspace)
        if client is None:
            return False
        found = await self._in_history(client, reply)
        if found and self.redis is not None:
            await self._mark(reply, SENT)
        return bool(found)

    async def _in_history(self, client: AsyncWebClient, reply: Reply) -> bool | None:
        """Whether the DM's latest messages hold `reply.key`; None when Slack can't be asked
        this minute. A definite "not there" clears the `sending` mark."""
        assert reply.to is not None
        if not await self._history_allowed(reply.to.workspace):
            log.info("not reading the DM of %s for %s: Slack's history budget for the minute "
                     "is spent", reply.to, reply.key)
            return None
        try:
            history = await client.conversations_history(
                channel=await self.dm_channel(client, reply.to), limit=HISTORY_LOOKBACK,
                include_all_metadata=True)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("could not check the DM of %s for %s: %s", reply.to, reply.key, error)
            return None
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == SENT_EVENT and \
                    (metadata.get("event_payload") or {}).get("key") == reply.key:
                return True
        await self._unmark(reply)
        return False


def _refused(error: SlackApiError) -> bool:
    """Slack answered, and said it did not post: a 429, or its own `ok: false` with an error
    code (also on a 5xx). No answer at all (a dropped connection) stays ambiguous."""
    data = error.response.data if isinstance(error.response.data, dict) else {}
    return error.response.status_code == 429 or (data.get("ok") is False and
                                                  bool(data.get("error")))
