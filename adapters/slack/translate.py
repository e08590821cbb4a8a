"""Slack payloads in, the core's neutral events out: pure functions, no I/O.

Unknown or uninteresting payloads translate to None and are skipped on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.slack import ids
from adapters.slack.render import decode_action
from bot.commands.registry import CHAT_COMMANDS, Surface

_PLAIN_MESSAGES = {None, "thread_broadcast", "file_share", "me_message"}
# The manifest's slash commands, longest first so that a renamed `/kudos-dev` finds `kudos`.
_SLASH_COMMANDS = sorted((c.name for c in CHAT_COMMANDS.shown_on(Surface.SLACK)), key=len, reverse=True)


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A message event, reduced to what detection needs."""

    user: str
    channel: str
    ref: str
    text: str = ""
    edited: bool = False
    deleted: bool = False
    sent_at: datetime | None = None


def _id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


def workspace_of(body: dict[str, Any]) -> str:
    """The workspace id of any payload: events, commands and interactions name it differently.

    >>> workspace_of({"team_id": "T1"}), workspace_of({"team": {"id": "T1"}, "enterprise": {"id": "E1"}})
    ('T1', 'E1:T1')
    """
    user = body.get("user")
    team = body.get("team_id") or _id(body.get("team")) or (
        user.get("team_id") if isinstance(user, dict) else None)
    enterprise = body.get("enterprise_id") or _id(body.get("enterprise"))
    return ids.workspace_id(team, enterprise)


def user_of(body: dict[str, Any]) -> str:
    """Who acted, in any payload (empty when nobody did, e.g. app_uninstalled)."""
    if "event" in body:
        event = body["event"]
        user = event.get("user")
        if isinstance(user, dict):
            return str(user.get("id", ""))
        if user:
            return str(user)
        inner = event.get("message") or event.get("previous_message") or {}
        return str(inner.get("user", ""))
    if isinstance(body.get("user"), dict):
        return str(body["user"].get("id", ""))
    return str(body.get("user_id", ""))


def bot_user_of(body: dict[str, Any]) -> str | None:
    """This app's bot user, as the Events API envelope names it (to ignore our own posts)."""
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict) and authorization.get("is_bot"):
            return str(authorization.get("user_id") or "") or None
    return None


def _sent_at(ts: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(ts), UTC) if ts else None
    except (TypeError, ValueError, OverflowError):
        return None


def chat_message(event: dict[str, Any], bot_user: str | None = None) -> ChatMessage | None:
    """A message, an edit or a deletion by a person; None for bots, joins and the like.

    >>> chat_message({"type": "message", "user": "U1", "text": "hi", "channel": "C1", "ts": "1.2"}).text
    'hi'
    """
    subtype = event.get("subtype")
    channel = str(event.get("channel", ""))
    if subtype in _PLAIN_MESSAGES:
        if event.get("bot_id") or not event.get("user") or event.get("user") == bot_user:
            return None
        return ChatMessage(user=event["user"], channel=channel, ref=str(event.get("ts", "")),
                           text=str(event.get("text") or ""), sent_at=_sent_at(event.get("ts")))
    if subtype == "message_changed":
        new, old = event.get("message") or {}, event.get("previous_message") or {}
        if new.get("bot_id") or not new.get("user") or new.get("user") == bot_user:
            return None
        if new.get("text") == old.get("text"):
            return None  # a link unfurl or a reaction count changed, not the words
        return ChatMessage(user=new["user"], channel=channel, ref=str(new.get("ts", "")),
                           text=str(new.get("text") or ""), edited=True,
                           sent_at=_sent_at(new.get("ts")))
    if subtype == "message_deleted":
        old = event.get("previous_message") or {}
        if old.get("bot_id") or not old.get("user"):
            return None
        return ChatMessage(user=old["user"], channel=channel,
                           ref=str(event.get("deleted_ts") or old.get("ts", "")), deleted=True)
    return None


@dataclass(frozen=True, slots=True)
class Pressed:
    """A button press or a date picked, in the core's terms."""

    action: str
    value: str
    values: dict[str, str]


def pressed(action: dict[str, Any]) -> Pressed:
    """The core's action from one element of a block_actions payload.

    >>> pressed({"action_id": "promise.more_time~1~7", "type": "datepicker",
    ...          "selected_date": "2026-12-05"})
    Pressed(action='promise.more_time', value='7', values={'date': '2026-12-05'})
    """
    name, carried = decode_action(str(action.get("action_id", "")))
    values: dict[str, str] = {}
    if action.get("selected_date"):
        values["date"] = str(action["selected_date"])
    value = carried if carried is not None else str(action.get("value") or "")
    return Pressed(action=name, value=value, values=values)


def command_name(command: str) -> str:
    """`/kudos` -> `kudos`; also for commands renamed with a suffix by an admin (`/kudos-dev`).

    >>> command_name("/Kudos"), command_name("/kudos-dev"), command_name("/nope")
    ('kudos', 'kudos', 'nope')
    """
    name = command.strip().lstrip("/").lower()
    for known in _SLASH_COMMANDS:
        if name.startswith(known):
            return known
    return name
