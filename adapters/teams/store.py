"""Conversation references in Redis: how Rapport reaches a person or a chat later.

Saved on every activity (the pattern of BotBuilder's proactive-messages sample, but in Redis so
every replica and every restart sees them):

    a personal chat            -> the person's reference  (rp:{u:teams:<tenant>:<user>}:teams:ref)
    a group chat or a channel  -> the tenant's hash of conversations, by conversation id
    anyone we hear of          -> their member record (name, Entra id, service URL, bot id),
                                  enough to create a 1:1 chat with them when they have none;
                                  never for a bot (a `28:` id or role "bot")

Only activities that reached the handler are remembered, which in authenticated mode means a
valid Bot Framework token (adapters/teams/http.py), and only with a service URL allowed for
their channel (adapters/teams/service_urls.py): a forged activity can never redirect where a
person's messages go.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationReference
from redis.asyncio import Redis

from adapters.teams import ids
from adapters.teams.service_urls import ServiceUrls
from habits.people import PersonRef

PERSONAL = "personal"
SENT_TTL = 3 * 24 * 3600


def tenant_of(activity: Activity) -> str:
    """The tenant id of an activity: the conversation's, else the channel data's."""
    tenant = getattr(activity.conversation, "tenant_id", None) if activity.conversation else None
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    return str(tenant or ids.LOCAL_TENANT)


def thread_root(conversation_id: str) -> str:
    """A channel's conversation id without the reply thread (`;messageid=...`).

    >>> thread_root("19:abc@thread.tacv2;messageid=1712")
    '19:abc@thread.tacv2'
    """
    return conversation_id.split(";messageid=", 1)[0]


def encode(reference: ConversationReference) -> bytes:
    return json.dumps(reference.serialize(), separators=(",", ":")).encode()


def decode(raw: bytes | str | None) -> ConversationReference | None:
    if not raw:
        return None
    try:
        return ConversationReference().deserialize(json.loads(raw))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Member:
    """Enough to open a 1:1 chat with someone the bot has not talked to yet."""

    user: str
    name: str = ""
    aad_object_id: str = ""
    service_url: str = ""
    bot_id: str = ""
    bot_name: str = ""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


class Conversations:
    def __init__(self, redis: Redis, urls: ServiceUrls) -> None:
        self.redis = redis
        self.urls = urls

    async def remember(self, activity: Activity) -> None:
        """Save what this activity tells us about where its people can be reached."""
        if activity.conversation is None or not self.urls.allows(activity.service_url,
                                                                 activity.channel_id):
            return
        tenant = tenant_of(activity)
        reference = TurnContext.get_conversation_reference(activity)
        reference.activity_id = None  # proactive sends start a new message, not a reply
        kind = activity.conversation.conversation_type or PERSONAL
        pipe = self.redis.pipeline(transaction=False)
        bot = activity.recipient
        if bot is not None and bot.id:
            pipe.hset(ids.tenant_key(tenant), mapping={
                "service_url": activity.service_url, "bot_id": bot.id, "bot_name": bot.name or ""})
        sender = activity.from_property
        if sender is not None and sender.id and (bot is None or sender.id != bot.id):
            who = ids.person(tenant, sender.id)
            self._member(pipe, who, sender, activity.service_url, bot)
            if kind == PERSONAL:
                pipe.set(ids.personal_reference_key(who), encode(reference))
        if kind != PERSONAL:
            reference.conversation.id = thread_root(reference.conversation.id)
            entry = {"ref": reference.serialize(), "team": team_of(activity) or ""}
            pipe.hset(ids.conversations_key(tenant), reference.conversation.id, json.dumps(entry))
            pipe.hset(ids.CONVERSATION_TENANTS, reference.conversation.id, tenant)
        await pipe.execute()

    def _member(self, pipe: Any, who: PersonRef, account: ChannelAccount, service_url: str,
                bot: ChannelAccount | None) -> None:
        fields = {"service_url": service_url}
        if account.name:
            fields["name"] = account.name
        if getattr(account, "aad_object_id", None):
            fields["aad_object_id"] = account.aad_object_id
        if bot is not None and bot.id:
            fields.update(bot_id=bot.id, bot_name=bot.name or "")
        pipe.hset(ids.member_key(who), mapping=fields)

    async def remember_members(self, tenant: str, members: Iterable[ChannelAccount],
                               service_url: str, bot: ChannelAccount | None) -> int:
        """Save a roster, so that each member can get a 1:1 chat later. Returns how many."""
        if not self.urls.allows(service_url):
            return 0
        pipe = self.redis.pipeline(transaction=False)
        count = 0
        for member in members:
            if member.id and (bot is None or member.id != bot.id) and not is_bot(member):
                self._member(pipe, ids.person(tenant, member.id), member, service_url, bot)
                count += 1
        await pipe.execute()
        return count

    async def remember_mentioned(self, activity: Activity, names: dict[str, str]) -> None:
        """People mentioned in a message: their names (to show mentions of them later) and
        what it takes to open a 1:1 chat with them (a handover or kudos reaches them)."""
        if names:
            await self.remember_members(
                tenant_of(activity), [ChannelAccount(id=user, name=name)
                                      for user, name in names.items()],
                activity.service_url, activity.recipient)

    async def personal(self, who: PersonRef) -> ConversationReference | None:
        return decode(await self.redis.get(ids.personal_reference_key(who)))

    async def save_personal(self, who: PersonRef, reference: ConversationReference) -> None:
        reference.activity_id = None
        await self.redis.set(ids.personal_reference_key(who), encode(reference))

    async def member(self, who: PersonRef) -> Member | None:
        raw = await self.redis.hgetall(ids.member_key(who))
        if not raw:
            return None
        fields = {_text(k): _text(v) for k, v in raw.items()}
        return Member(user=who.user, name=fields.get("name", ""),
                      aad_object_id=fields.get("aad_object_id", ""),
                      service_url=fields.get("service_url", ""), bot_id=fields.get("bot_id", ""),
                      bot_name=fields.get("bot_name", ""))

    async def names(self, tenant: str, users: Sequence[str]) -> dict[str, str]:
        """Display names of people in the tenant, where known."""
        if not users:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for user in users:
            pipe.hget(ids.member_key(ids.person(tenant, user)), "name")
        found = await pipe.execute()
        return {user: _text(name) for user, name in zip(users, found, strict=True) if name}

    async def conversation(self, conversation_id: str,
                           tenant: str | None = None) -> ConversationReference | None:
        """A group chat's or channel's reference, by its conversation id."""
        conversation_id = thread_root(conversation_id)
        if tenant is None:
            found = await self.redis.hget(ids.CONVERSATION_TENANTS, conversation_id)
            if not found:
                return None
            tenant = _text(found)
        raw = await self.redis.hget(ids.conversations_key(tenant), conversation_id)
        return _entry(raw)[0]

    async def forget_conversation(self, tenant: str, conversation_id: str,
                                  team_id: str | None = None) -> int:
        """The bot left a chat or a team: drop its references (a team's: every channel's)."""
        key = ids.conversations_key(tenant)
        doomed = {thread_root(conversation_id)}
        if team_id:
            for conv, raw in (await self.redis.hgetall(key)).items():
                if _entry(raw)[1] == team_id:
                    doomed.add(_text(conv))
        pipe = self.redis.pipeline(transaction=False)
        pipe.hdel(key, *doomed)
        pipe.hdel(ids.CONVERSATION_TENANTS, *doomed)
        removed, _ = await pipe.execute()
        return int(removed)

    async def forget_personal(self, who: PersonRef) -> None:
        await self.redis.delete(ids.personal_reference_key(who))

    async def block(self, who: PersonRef) -> None:
        await self.redis.set(ids.blocked_key(who), b"1")

    async def unblock(self, who: PersonRef) -> None:
        await self.redis.delete(ids.blocked_key(who))

    async def blocked(self, who: PersonRef) -> bool:
        return bool(await self.redis.exists(ids.blocked_key(who)))

    async def mark_sent(self, who: PersonRef, key: str) -> None:
        await self.redis.set(ids.sent_key(who, key), b"1", ex=SENT_TTL)

    async def was_sent(self, who: PersonRef, key: str) -> bool:
        return bool(await self.redis.exists(ids.sent_key(who, key)))


def is_bot(account: ChannelAccount) -> bool:
    """Whether an account is a bot's (Bot Framework ids of bots start with "28:", people's
    with "29:"): a bot in a roster or a mention gets no member record, so never a 1:1 chat.

    >>> is_bot(ChannelAccount(id="28:standup-bot")), is_bot(ChannelAccount(id="29:priya"))
    (True, False)
    """
    return bool(account.id and account.id.startswith("28:")) or (
        str(getattr(account, "role", "") or "").lower() == "bot")


def team_of(activity: Activity) -> str | None:
    """The team a channel activity happened in, if any."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team") or {}
    return str(team["id"]) if isinstance(team, dict) and team.get("id") else None


def _entry(raw: Any) -> tuple[ConversationReference | None, str]:
    """A conversations-hash value: (reference, team id or "")."""
    if not raw:
        return None, ""
    try:
        entry = json.loads(raw)
        return ConversationReference().deserialize(entry["ref"]), str(entry.get("team") or "")
    except (ValueError, KeyError, TypeError):
        return None, ""
