"""The slow path, after Slack has its 200: one accepted delivery -> the core -> Slack.

Each kind of delivery becomes a neutral event (`adapters.slack.translate`), the core answers
with replies, and `Outbox` puts each reply where the core meant it to go:

    ME       the response_url of the command or button (ephemeral, or replacing the message
             the button was on); chat.postEphemeral for a chat message; the banner of the
             Home tab for a button pressed there; an attachment as a file in the DM
    CHANNEL  chat.postMessage in the channel (in_channel through the response_url when the
             bot is not a member)
    DIRECT   the Messenger: conversations.open + chat.postMessage
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import aiohttp
from redis.asyncio import Redis
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import ids, prep_modal, render, translate
from adapters.slack.client import SlackClients
from adapters.slack.inbox import Entry
from adapters.slack.installation import RedisInstallationStore
from adapters.slack.messenger import GONE_ERRORS, SlackMessenger, post, post_options
from adapters.slack.people import SlackPeople
from bot.commands.capture import detect_soon
from bot.core import Rapport
from bot.events import Action, Command, Message, MessageDeleted
from bot.markup import mentioned
from bot.replies import Audience, Reply
from habits.detection import MAX_EXAMINED, clean_markup
from habits.people import zone

log = logging.getLogger("rapport.slack")

_CHANNEL_GONE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the event came from, so that replies for the actor find their way back."""

    workspace: str
    user: str
    channel: str | None = None
    response_url: str | None = None
    source: str = "message"       # "message", "command", "action", "home", "view"
    thread: str | None = None     # the thread it happened in: replies there stay there
    trigger_id: str | None = None  # a command's or button's: opens a form reply as a modal


def _in_thread(thread: str | None) -> dict[str, Any]:
    return {"thread_ts": thread} if thread else {}


AUTHORS_KEPT = 10_000  # messages whose author is remembered per workspace (see `authors_key`)


class Outbox:
    """Sends the core's replies to Slack; a reply Slack refuses is logged, never raised, so
    one missing channel can't undo (or repeat) what the core already saved."""

    def __init__(self, clients: SlackClients, messenger: SlackMessenger) -> None:
        self.clients = clients
        self.messenger = messenger

    async def send(self, replies: list[Reply], origin: Origin,
                   client: AsyncWebClient) -> Reply | None:
        """Send every reply; returns the ME reply meant for the Home tab's banner, if any."""
        banner: Reply | None = None
        trigger = origin.trigger_id
        for reply in replies:
            try:
                if reply.form is not None and trigger and reply.audience is Audience.ME:
                    opened = await prep_modal.open_form(client, trigger, reply.form,
                                                        workspace=origin.workspace,
                                                        channel=origin.channel)
                    trigger = None  # a trigger opens one view; else the reply as a message
                    if opened:
                        continue
                if reply.audience is Audience.DIRECT:
                    delivery = await self.messenger.deliver(reply)
                    log.debug("direct reply: %s %s", delivery.outcome, delivery.detail)
                elif reply.audience is Audience.CHANNEL:
                    await self._to_channel(reply, origin, client)
                elif origin.source == "home" and reply.attachment is None:
                    banner = banner or reply
                else:
                    await self._to_actor(reply, origin, client)
            except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
                log.warning("a reply to %s could not be sent: %s", origin.user, error)
        return banner

    async def _respond(self, url: str, reply: Reply, **options: Any) -> bool:
        webhook = AsyncWebhookClient(url, session=self.clients.session())
        answer = await webhook.send(**render.message(reply), **options)
        if answer.status_code != 200:
            log.warning("response_url answered %s: %s", answer.status_code, answer.body)
        return answer.status_code == 200

    async def _to_actor(self, reply: Reply, origin: Origin, client: AsyncWebClient) -> None:
        if reply.attachment is not None:
            await post(client, origin.user, reply)
            return
        if origin.response_url:
            replace = reply.replaces_original and origin.source == "action"
            if await self._respond(origin.response_url, reply, response_type="ephemeral",
                                   replace_original=replace):
                return
        if origin.channel:
            try:
                await client.chat_postEphemeral(channel=origin.channel, user=origin.user,
                                                **render.message(reply), **post_options(),
                                                **_in_thread(origin.thread))
                return
            except SlackApiError as error:
                if error.response.get("error") not in GONE_ERRORS:
                    raise
        await post(client, origin.user, reply)

    async def _to_channel(self, reply: Reply, origin: Origin, client: AsyncWebClient) -> None:
        channel = reply.channel or origin.channel
        if not channel:
            return
        try:
            await post(client, channel, reply,
                       thread=origin.thread if channel == origin.channel else None)
            return
        except SlackApiError as error:
            code = error.response.get("error")
            if code not in _CHANNEL_GONE:
                raise
        # The bot is not in the channel (or it is gone): a slash command's response_url can
        # still post there; otherwise tell the actor why nothing appeared.
        if origin.response_url and code != "is_archived" and await self._respond(
                origin.response_url, reply, response_type="in_channel", replace_original=False):
            return
        await self._to_actor(Reply(
            f"I couldn't post this in <#{channel}> (Slack said `{code}`). Invite me with "
            "`/invite @Rapport` and I'll post there next time:\n>" + reply.text), origin, client)


class Processor:
    """Processes one inbox entry; returns False when the workspace itself is gone."""

    def __init__(self, core: Rapport, redis: Redis, clients: SlackClients, people: SlackPeople,
                 outbox: Outbox, installations: RedisInstallationStore | None,
                 on_workspace_gone: list[Any] | None = None) -> None:
        self.core = core
        self.redis = redis
        self.clients = clients
        self.people = people
        self.outbox = outbox
        self.installations = installations
        self.on_workspace_gone = on_workspace_gone or []

    async def __call__(self, entry: Entry) -> bool:
        client = await self.clients.for_workspace(entry.workspace)
        if entry.kind == "event":
            return await self.event(entry.workspace, entry.body, client, entry.key)
        if client is None:
            log.warning("no token for Slack workspace %s; dropping a %s", entry.workspace,
                        entry.kind)
            return True
        # The entry's key goes with its event: replayed after a crash, it stores nothing twice.
        if entry.kind == "command":
            await self.command(entry.workspace, entry.body, client, entry.key)
        elif entry.kind == "action":
            await self.action(entry.workspace, entry.body, client, entry.key)
        elif entry.kind == "view":
            await self.view(entry.workspace, entry.body, client, entry.key)
        return True

    async def event(self, workspace: str, body: dict[str, Any],
                    client: AsyncWebClient | None, key: str | None = None) -> bool:
        event = body.get("event") or {}
        kind = event.get("type")
        if kind == "app_uninstalled":
            await self.wipe(workspace)
            return False
        if kind == "tokens_revoked":
            tokens = event.get("tokens") or {}
            if tokens.get("bot"):
                await self.wipe(workspace)
                return False
            if self.installations is not None:
                enterprise, team = ids.split_workspace(workspace)
                for user in tokens.get("oauth") or []:
                    await self.installations.async_delete_installation(
                        enterprise_id=enterprise, team_id=team, user_id=user)
            return True
        if kind == "user_change":
            await self.people.changed(workspace, event.get("user") or {})
            return True
        if client is None:
            log.warning("no token for Slack workspace %s; dropping a %s event", workspace, kind)
            return True
        if kind == "app_home_opened" and event.get("tab", "home") == "home":
            await self.publish_home(workspace, str(event.get("user", "")), client)
        elif kind == "app_home_opened" and event.get("tab") == "messages":
            await self.introduce(workspace, str(event.get("user", "")),
                                 str(event.get("channel") or ""), client)
        elif kind == "message":
            await self.message(workspace, event, client, translate.bot_user_of(body), key)
        return True

    async def message(self, workspace: str, event: dict[str, Any], client: AsyncWebClient,
                      bot_user: str | None = None, key: str | None = None) -> None:
        chat = translate.chat_message(event, bot_user)
        if chat is None:
            return
        user = chat.user or (await self.author(workspace, chat.channel, chat.ref) if chat.deleted
                             else "")
        if not user:
            return  # a deleted message we never made an offer for: nothing to withdraw
        actor = await self.people.actor(workspace, user, client)
        if chat.deleted:
            replies = await self.core.handle(MessageDeleted(actor, chat.channel, chat.ref))
        else:
            replies = await self.core.handle(Message(
                actor, chat.text, chat.channel, chat.ref, mentions=tuple(mentioned(chat.text)),
                edited=chat.edited, sent_at=chat.sent_at, idempotency_key=key, thread=chat.parent))
            if replies and not chat.edited:
                await self.remember_author(workspace, chat.channel, chat.ref, user)
        await self.outbox.send(replies, Origin(workspace, user, chat.channel, thread=chat.thread),
                               client)

    async def remember_author(self, workspace: str, channel: str, ref: str, user: str) -> None:
        """Who wrote a message Rapport answered (an offer, a promise tracked), so that a
        deletion Slack reports without the message (its documented shape) still finds them.
        A stream entry naming the person (`u`), so forget-me removes it."""
        await self.redis.xadd(ids.authors_key(workspace), {"u": user, "r": f"{channel}:{ref}"},
                              maxlen=AUTHORS_KEPT, approximate=True)

    async def author(self, workspace: str, channel: str, ref: str) -> str:
        """The author `remember_author` kept for a message, or "" (newest first)."""
        wanted, start = f"{channel}:{ref}".encode(), "+"
        while True:
            entries: Any = await self.redis.xrevrange(ids.authors_key(workspace), max=start,
                                                      count=500)
            for _id, fields in entries:
                if fields.get(b"r") == wanted:
                    return str(fields.get(b"u", b"").decode())
            if len(entries) < 500:
                return ""
            start = "(" + entries[-1][0].decode()

    async def command(self, workspace: str, body: dict[str, Any], client: AsyncWebClient,
                      key: str | None = None) -> None:
        user = str(body.get("user_id", ""))
        channel = str(body.get("channel_id") or "") or None
        actor = await self.people.actor(workspace, user, client)
        name = translate.command_name(str(body.get("command", "")))
        replies = await self.core.handle(Command(actor, name, str(body.get("text") or ""),
                                                 channel, idempotency_key=key))
        await self.outbox.send(replies, Origin(workspace, user, channel, body.get("response_url"),
                                               "command", trigger_id=body.get("trigger_id")),
                               client)

    async def action(self, workspace: str, body: dict[str, Any], client: AsyncWebClient,
                     key: str | None = None) -> None:
        user = translate.user_of(body)
        channel = (body.get("channel") or {}).get("id")
        container = body.get("container") or {}
        thread = container.get("thread_ts") or (body.get("message") or {}).get("thread_ts")
        on_home = (body.get("container") or {}).get("type") == "view" and \
            (body.get("view") or {}).get("type") == "home"
        actor = await self.people.actor(workspace, user, client)
        for index, element in enumerate(body.get("actions") or []):
            press = translate.pressed(element)
            replies = await self.core.handle(Action(
                actor, press.action, press.value, channel, press.values,
                idempotency_key=f"{key}:{index}" if key else None))
            origin = Origin(workspace, user, channel, body.get("response_url"),
                            "home" if on_home else "action", thread=thread,
                            trigger_id=body.get("trigger_id") if index == 0 else None)
            banner = await self.outbox.send(replies, origin, client)
            if on_home:
                await self.publish_home(workspace, user, client, banner)

    async def view(self, workspace: str, body: dict[str, Any], client: AsyncWebClient,
                   key: str | None = None) -> None:
        """The "Track as promise" modal was submitted: a /promise in the core's terms."""
        view = body.get("view") or {}
        if view.get("callback_id") == prep_modal.CALLBACK:
            await self.form(workspace, body, client, key)
            return
        values = (view.get("state") or {}).get("values") or {}
        what = str(((values.get("what") or {}).get("what") or {}).get("value") or "").strip()
        due = ((values.get("due") or {}).get("due") or {}).get("selected_date")
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        user = translate.user_of(body)
        channel = meta.get("channel") or None
        actor = await self.people.actor(workspace, user, client)
        text = f"{what} by {due}" if due else what
        replies = await self.core.handle(Command(actor, "promise", text, channel,
                                                 idempotency_key=key))
        thread = meta.get("thread") or None
        await self.outbox.send(replies, Origin(workspace, user, channel, None, "view",
                                               thread=thread), client)

    async def form(self, workspace: str, body: dict[str, Any], client: AsyncWebClient,
                   key: str | None = None) -> None:
        """A form's modal was submitted (adapters.slack.prep_modal): its Action, to the core."""
        action, value, texts = prep_modal.submitted(body)
        user = translate.user_of(body)
        channel = prep_modal.metadata(body).get("channel") or None
        actor = await self.people.actor(workspace, user, client)
        replies = await self.core.handle(Action(actor, action, value, channel, texts,
                                                idempotency_key=key))
        await self.outbox.send(replies, Origin(workspace, user, channel, None, "view"), client)

    async def publish_home(self, workspace: str, user: str, client: AsyncWebClient,
                           banner: Reply | None = None) -> None:
        """The Home tab, built only from what the core answers to /habits, /kept, settings."""
        actor = await self.people.actor(workspace, user, client)
        parts = [await self.core.handle(Command(actor, "habits", "")),
                 await self.core.handle(Command(actor, "kept", "")),
                 await self.core.handle(Command(actor, "rapport", "settings"))]
        mine = [[r for r in replies if r.audience is Audience.ME] for replies in parts]
        view = render.home_view(mine, banner)
        await client.views_publish(user_id=user, view=view)

    async def track_modal(self, workspace: str, body: dict[str, Any], now: datetime) -> None:
        """The "Track as promise" shortcut: open a modal prefilled from the message."""
        client = await self.clients.for_workspace(workspace)
        if client is None:
            return
        message = body.get("message") or {}
        text = translate.text_of(message)
        user = translate.user_of(body)
        actor = await self.people.actor(workspace, user, client)
        try:
            tz = zone(actor.tz or "UTC")
        except ValueError:
            tz = zone("UTC")
        found = await detect_soon(text, sent_at=now, tz=tz)
        what = found.what if found else clean_markup(text[:MAX_EXAMINED])  # the modal shows 300
        due = found.due.date() if found and found.due else None
        channel = str((body.get("channel") or {}).get("id") or "")
        modal = render.track_modal(what, due, channel, str(message.get("ts") or ""),
                                   workspace=workspace, thread=message.get("thread_ts"))
        await client.views_open(trigger_id=str(body.get("trigger_id", "")), view=modal)

    async def introduce(self, workspace: str, user: str, channel: str,
                        client: AsyncWebClient) -> None:
        """The Messages tab opened: a short intro the first time, once per person (remembered
        under their own tag, so forget-me forgets it too). An answer to their opening the tab,
        not a scheduled message: it enrols nobody and spends nothing of the nudge budget."""
        if not user or not channel:
            return
        first = await self.redis.set(ids.intro_key(ids.person(workspace, user)), "1", nx=True)
        if not first:
            return
        await post(client, channel, Reply(render.MESSAGES_INTRO))

    async def wipe(self, workspace: str) -> None:
        """Uninstalled (or the bot token revoked): delete the workspace's installation and every
        key of its people and of the workspace itself. For an org (an Enterprise Grid
        `enterprise_id` alone: an org-wide install going), every workspace of the org too."""
        if self.installations is not None:
            enterprise, team = ids.split_workspace(workspace)
            await self.installations.async_delete_all(enterprise_id=enterprise, team_id=team)
        gone = [workspace]
        if ids.is_org(workspace):
            gone += sorted(w for w in (_text(raw) for raw in await self.redis.smembers(
                ids.INBOXES)) if w.startswith(workspace + ":"))
        deleted = 0
        for part in [quote(workspace, safe="")] + ([quote(workspace + ":", safe="") + "*"]
                                                   if ids.is_org(workspace) else []):
            for pattern in (f"rp:{{w:{ids.PLATFORM}:{part}}}:*",
                            f"rp:{{u:{ids.PLATFORM}:{part}:*"):
                deleted += await self._delete_matching(pattern)
        for each in gone:
            await self.redis.srem(ids.INBOXES, each)
            self.clients.forget(each)
            self.people.forget_workspace(each)
            for callback in self.on_workspace_gone:
                callback(each)
        if self.installations is not None and len(gone) > 1:
            self.installations.forget()
        log.info("Slack workspace %s uninstalled: %d keys deleted", workspace, deleted)

    async def _delete_matching(self, pattern: str) -> int:
        deleted = 0
        batch: list[bytes] = []
        async for key in self.redis.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) >= 500:
                deleted += await self.redis.delete(*batch)
                batch = []
        if batch:
            deleted += await self.redis.delete(*batch)
        return deleted


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
