"""Teams activities in, the core's neutral events out: pure functions, no I/O.

    a message whose first word is a command (with or without "/")  -> Command
    any other message                                               -> Message (detection)
    a card button (Action.Execute, or its Action.Submit fallback;
      data {"action", "value", ...})                                 -> Action
    anything a bot sent (`28:` id, role "bot", Rapport's own echo)   -> nothing
    a deleted message                                               -> MessageDeleted

Text arrives with mentions as `<at>Name</at>` plus entities naming who. The bot's own mention
(Teams requires one in channels) is removed; other people's become the core's `<@id>`. Anything
in the typed text that looks like the core's markup (`<@x>`, `<!here>`) is defused first, so
only a real Teams mention can ever become a mention.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.schema import Activity

from adapters.teams import ids, prep_card
from adapters.teams.store import is_bot, tenant_of
from bot.commands.registry import CHAT_COMMANDS
from bot.events import Action, Actor, Command, Message, MessageDeleted

COMMANDS = CHAT_COMMANDS.words()  # every word the core answers to, listed in Teams or not
_PLACEHOLDER = "\x00{}\x00"
_RESTORE = re.compile(r"\x00(\d+)\x00")
_TAGS = re.compile(r"</?(?:p|div|span|br|b|i|strong|em|u|s)\b[^>]*>", re.IGNORECASE)
_CORE_MARKUP = re.compile(r"<(?=[@!#])")
WORD_JOINER = "\u2060"


@dataclass(frozen=True, slots=True)
class Said:
    """A message's text in the core's terms, and who it mentioned (user id -> name)."""

    text: str
    mentions: dict[str, str] = field(default_factory=dict)


def _mention_entities(activity: Activity) -> list[tuple[str, str, str]]:
    """(text, user id, name) of each mention entity."""
    found: list[tuple[str, str, str]] = []
    for entity in activity.entities or []:
        data = _entity_dict(entity)
        if data.get("type") != "mention":
            continue
        mentioned = data.get("mentioned") or {}
        text, user = data.get("text"), mentioned.get("id")
        if isinstance(text, str) and text and isinstance(user, str) and user:
            found.append((text, user, str(mentioned.get("name") or "")))
    return found


def _entity_dict(entity: Any) -> dict[str, Any]:
    if isinstance(entity, dict):
        return entity
    data = dict(getattr(entity, "additional_properties", None) or {})
    data["type"] = getattr(entity, "type", None)
    return data


def said(activity: Activity) -> Said:
    """The text of a message with the bot's mention removed and people's mentions as <@id>.

    >>> a = Activity(text="<at>Rapport</at> kudos <at>Priya</at> &lt;@U9&gt; ok",
    ...              recipient=ChannelAccount(id="28:bot"), entities=[
    ...     {"type": "mention", "text": "<at>Rapport</at>", "mentioned": {"id": "28:bot"}},
    ...     {"type": "mention", "text": "<at>Priya</at>", "mentioned": {"id": "29:p", "name": "Priya"}}])
    >>> said(a).text                                   # doctest: +SKIP
    'kudos <@29:p> <\u2060@U9> ok'
    """
    text = activity.text or ""
    bot = activity.recipient.id if activity.recipient else None
    swaps: list[str] = []
    names: dict[str, str] = {}
    for mention_text, user, name in _mention_entities(activity):
        if mention_text not in text:
            continue
        swaps.append("" if user == bot else f"<@{user}>")
        if user != bot and name:
            names[user] = name
        text = text.replace(mention_text, _PLACEHOLDER.format(len(swaps) - 1), 1)
    text = html.unescape(_TAGS.sub(" ", text)).replace("\xa0", " ")
    text = _CORE_MARKUP.sub("<" + WORD_JOINER, text)
    text = _RESTORE.sub(lambda m: swaps[int(m.group(1))], text)
    return Said(" ".join(text.split()), names)


def command_of(text: str) -> tuple[str, str] | None:
    """(command, rest) when the first word names a command, with or without a slash.

    >>> command_of("/kudos <@29:p> nice"), command_of("Kept 3"), command_of("I'll do it")
    (('kudos', '<@29:p> nice'), ('kept', '3'), None)
    """
    first, _, rest = text.strip().partition(" ")
    name = first.lstrip("/").lower()
    return (name, rest.strip()) if name in COMMANDS else None


def time_zone(activity: Activity) -> str | None:
    """The user's IANA zone: `localTimezone`, else the clientInfo entity's `timezone`."""
    candidates = [getattr(activity, "local_timezone", None)]
    for entity in activity.entities or []:
        data = _entity_dict(entity)
        if data.get("type") == "clientInfo":
            candidates.append(data.get("timezone"))
    for zone in candidates:
        if isinstance(zone, str) and zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return zone
    return None


def actor(activity: Activity) -> Actor:
    sender = activity.from_property
    user = sender.id if sender is not None and sender.id else ""
    return Actor(person=ids.person(tenant_of(activity), user),
                 display_name=(sender.name or "") if sender is not None else "",
                 tz=time_zone(activity))


def channel_of(activity: Activity) -> str:
    return activity.conversation.id if activity.conversation is not None else ""


def thread_of(activity: Activity) -> str | None:
    """The root message's id for a reply in a channel thread: Teams names the thread in the
    conversation id (`19:…@thread.tacv2;messageid=<root>`), and a reply carries `replyToId`.
    None for the root post itself and for chats without threads.

    >>> from botbuilder.schema import ConversationAccount
    >>> thread_of(Activity(id="2", conversation=ConversationAccount(id="19:g@thread.tacv2;messageid=1")))
    '1'
    """
    conversation = activity.conversation.id if activity.conversation is not None else ""
    _, marked, root = (conversation or "").partition(";messageid=")
    parent = root if marked and root else (activity.reply_to_id or None)
    return parent if parent and parent != activity.id else None


def sent_at(activity: Activity) -> datetime | None:
    stamp = activity.timestamp
    return stamp if isinstance(stamp, datetime) and stamp.tzinfo is not None else None


def from_bot(activity: Activity) -> bool:
    """Whether a bot sent the activity (another bot, or Rapport's own echo): bots are not
    people, so nothing is kept about them and nothing is answered.

    >>> from botbuilder.schema import ChannelAccount
    >>> from_bot(Activity(from_property=ChannelAccount(id="28:other", role="bot")))
    True
    """
    sender = activity.from_property
    if sender is None or not sender.id:
        return False
    bot = activity.recipient.id if activity.recipient is not None else None
    return sender.id == bot or is_bot(sender)


def _action_of(activity: Activity, value: Any) -> Action | None:
    """A button's data as the core's Action, with a picked date when there is one."""
    if not isinstance(value, dict) or not isinstance(value.get("action"), str) or (
            not value["action"]):
        return None
    values: dict[str, str] = prep_card.field_values(value)  # a form card's inputs
    picked = value.get(str(value.get("date_input") or "date"))
    if isinstance(picked, str) and picked.strip():
        values["date"] = picked.strip()
    return Action(actor(activity), value["action"], str(value.get("value") or ""),
                  channel_of(activity), values)


def submitted(activity: Activity) -> Action | None:
    """A card button press reported as a message (Action.Submit, the old clients' fallback
    of Action.Execute): its data, `{"action", "value", ...}`."""
    return _action_of(activity, activity.value)


def executed(activity: Activity) -> Action | None:
    """A Universal Action (`adaptiveCard/action` invoke, `Action.Execute`): the verb is the
    core's action, the data its value and inputs. A refresh (trigger "automatic") is no press.

    >>> from botbuilder.schema import ChannelAccount
    >>> executed(Activity(value={"action": {"type": "Action.Execute", "verb": "promise.kept",
    ...     "data": {"action": "promise.kept", "value": "7"}}, "trigger": "manual"},
    ...     from_property=ChannelAccount(id="29:a"))).action
    'promise.kept'
    """
    value = activity.value if isinstance(activity.value, dict) else {}
    if value.get("trigger") == "automatic":
        return None
    action = value.get("action")
    if not isinstance(action, dict):
        return None
    data: dict[str, Any] = action["data"] if isinstance(action.get("data"), dict) else {}
    verb = action.get("verb")
    return _action_of(activity, {**data, "action": verb} if isinstance(verb, str) and verb
                      else data)


def event_of(activity: Activity) -> Command | Message | Action | None:
    """The neutral event for a message activity (None for an empty one)."""
    action = submitted(activity)
    if action is not None:
        return action
    words = said(activity)
    if not words.text:
        return None
    who = actor(activity)
    command = command_of(words.text)
    if command is not None:
        return Command(who, command[0], command[1], channel_of(activity))
    return Message(who, words.text, channel_of(activity), activity.id or "",
                   mentions=tuple(words.mentions), sent_at=sent_at(activity),
                   thread=thread_of(activity))


def edited(activity: Activity) -> Message | None:
    """An edited message (messageUpdate), for detection to follow the new words."""
    words = said(activity)
    if not words.text:
        return None
    return Message(actor(activity), words.text, channel_of(activity), activity.id or "",
                   mentions=tuple(words.mentions), edited=True, sent_at=sent_at(activity))


def deleted(activity: Activity) -> MessageDeleted:
    return MessageDeleted(actor(activity), channel_of(activity), activity.id or "")


def message_text(payload: dict[str, Any]) -> str:
    """The plain text of a message extension's `messagePayload` (its body is HTML)."""
    body = payload.get("body") or {}
    content = str(body.get("content") or "")
    if str(body.get("contentType") or "").lower() == "html":
        content = re.sub(r"<[^>]+>", " ", content)
    return " ".join(html.unescape(content).split())
