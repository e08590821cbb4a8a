"""Slack payloads in, the core's neutral events out: pure functions, no I/O.

Unknown or uninteresting payloads translate to None and are skipped on purpose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt.request.internals import (
    extract_enterprise_id,
    extract_is_enterprise_install,
    extract_team_id,
)

from adapters.slack import ids
from adapters.slack.render import decode_action
from bot.commands.registry import CHAT_COMMANDS, Surface

_PLAIN_MESSAGES = {None, "thread_broadcast", "file_share", "me_message"}
# The manifest's slash commands, longest first so that a renamed `/kudos-dev` finds `kudos`.
_SLASH_COMMANDS = sorted((c.name for c in CHAT_COMMANDS.shown_on(Surface.SLACK)), key=len, reverse=True)


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A message event, reduced to what detection needs. `user` is empty for a deletion
    Slack reported without the message (its documented shape): the author is looked up."""

    user: str
    channel: str
    ref: str
    text: str = ""
    edited: bool = False
    deleted: bool = False
    sent_at: datetime | None = None
    thread: str | None = None     # the thread's ts when the message is a reply in a thread

    @property
    def parent(self) -> str | None:
        """The thread root's ts for a reply (a root's own thread_ts is its ts: None)."""
        return self.thread if self.thread and self.thread != self.ref else None


def _id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


def workspace_from(team_id: str | None, enterprise_id: str | None,
                   is_enterprise_install: bool | None) -> str:
    """The workspace id for what bolt resolved (its context's `team_id`, `enterprise_id` and
    `is_enterprise_install`): an org-wide install is one workspace, the org (its one token
    serves every team, and Grid user ids are unique across the org); a workspace-level Grid
    install is `E…:T…`; a workspace outside Grid its team id.

    >>> workspace_from("T1", None, False), workspace_from("T1", "E1", False)
    ('T1', 'E1:T1')
    >>> workspace_from("T1", "E1", True), workspace_from(None, "E1", False)
    ('E1', 'E1')
    """
    return ids.workspace_id(None if is_enterprise_install and enterprise_id else team_id,
                            enterprise_id)


def workspace_of(body: dict[str, Any]) -> str:
    """The workspace a payload belongs to, by bolt's own rules (`slack_bolt.request.internals`:
    `authorizations[0]` for events, so that a Slack Connect partner's message is filed under
    the installation it reached, not the partner's org; `team.enterprise_id` for interactions;
    `view.app_installed_team_id` for a view submitted from another workspace).

    >>> workspace_of({"team_id": "T1"}), workspace_of({"team": {"id": "T1", "enterprise_id": "E1"}})
    ('T1', 'E1:T1')
    >>> workspace_of({"team_id": "T9", "enterprise_id": "E9", "authorizations": [
    ...     {"team_id": "T1", "enterprise_id": None, "is_enterprise_install": False}]})
    'T1'
    """
    return resolved(body, extract_team_id(body), extract_enterprise_id(body),
                    extract_is_enterprise_install(body))


def resolved(body: dict[str, Any], team: str | None, enterprise: str | None,
             is_enterprise_install: bool | None) -> str:
    """The workspace for what bolt resolved of `body` (its context's ids), with the one case
    bolt leaves to the app: our org for a view submitted from a Slack Connect partner."""
    if _from_elsewhere(body, team):
        enterprise = installed_enterprise(body)
    return workspace_from(team, enterprise, is_enterprise_install)


def _from_elsewhere(body: dict[str, Any], team: str | None) -> bool:
    """A view submitted in a Slack Connect channel from the partner's workspace: the payload's
    team and enterprise are the partner's, `view.app_installed_team_id` (bolt's team) is ours."""
    view = body.get("view")
    installed = view.get("app_installed_team_id") if isinstance(view, dict) else None
    return bool(installed) and installed == team and _id(body.get("team")) not in (None, team)


def installed_enterprise(body: dict[str, Any]) -> str | None:
    """Our org for a view submitted from the partner's side: Slack does not say it (bolt notes
    the same), so the modal carries the workspace it was opened for (`w` in its
    private_metadata, see render.track_modal); trusted only when its team is the one Slack
    names as the installation's."""
    view = body.get("view") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    enterprise, team = ids.split_workspace(str(meta.get("w") or "")) if isinstance(meta, dict) \
        else (None, None)
    return enterprise if team == view.get("app_installed_team_id") else None


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


def _inline(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text") or "")
    if kind == "link":
        return str(element.get("text") or element.get("url") or "")
    if kind == "user":
        return f"<@{element.get('user_id', '')}>"
    if kind == "channel":
        return f"<#{element.get('channel_id', '')}>"
    if kind == "usergroup":
        return f"<!subteam^{element.get('usergroup_id', '')}>"
    if kind == "emoji":
        return f":{element.get('name', '')}:"
    if kind == "broadcast":
        return f"<!{element.get('range', 'here')}>"
    return "".join(_inline(e) for e in element.get("elements") or [] if isinstance(e, dict))


def rich_text(blocks: Any) -> str:
    """The words of a message's `rich_text` blocks, as mrkdwn, one line per section, list
    item or quote (what Slack shows), for a message whose `text` is empty.

    >>> rich_text([{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
    ...     {"type": "user", "user_id": "U2"}, {"type": "text", "text": " I'll send it Friday"}]}]}])
    "<@U2> I'll send it Friday"
    """
    lines: list[str] = []
    for block in blocks if isinstance(blocks, list) else []:
        if not isinstance(block, dict) or block.get("type") != "rich_text":
            continue
        for part in block.get("elements") or []:
            if not isinstance(part, dict):
                continue
            if part.get("type") == "rich_text_list":
                lines.extend(_inline(item) for item in part.get("elements") or []
                             if isinstance(item, dict))
            else:
                lines.append(_inline(part))
    return "\n".join(line for line in lines if line.strip())


def text_of(message: dict[str, Any]) -> str:
    """A message's words: its `text`, or its rich_text blocks when `text` is empty."""
    return str(message.get("text") or "") or rich_text(message.get("blocks"))


def _thread(message: dict[str, Any]) -> str | None:
    thread = message.get("thread_ts")
    return str(thread) if thread else None


def _by_bot(message: dict[str, Any], bot_user: str | None) -> bool:
    return bool(message.get("bot_id") or message.get("bot_profile")) or not message.get("user") \
        or message.get("user") == bot_user


def chat_message(event: dict[str, Any], bot_user: str | None = None) -> ChatMessage | None:
    """A message, an edit or a deletion by a person; None for bots, joins and the like.

    >>> chat_message({"type": "message", "user": "U1", "text": "hi", "channel": "C1", "ts": "1.2"}).text
    'hi'
    """
    subtype = event.get("subtype")
    channel = str(event.get("channel", ""))
    if subtype in _PLAIN_MESSAGES:
        if _by_bot(event, bot_user) or not event.get("ts"):
            return None
        return ChatMessage(user=event["user"], channel=channel, ref=str(event["ts"]),
                           text=text_of(event), sent_at=_sent_at(event.get("ts")),
                           thread=_thread(event))
    if subtype == "message_changed":
        new, old = event.get("message") or {}, event.get("previous_message") or {}
        if _by_bot(new, bot_user) or not new.get("ts"):
            return None  # no ts: nothing to key an offer by (refused, not filed under "")
        if text_of(new) == text_of(old):
            return None  # a link unfurl or a reaction count changed, not the words
        return ChatMessage(user=new["user"], channel=channel, ref=str(new["ts"]),
                           text=text_of(new), edited=True, sent_at=_sent_at(new.get("ts")),
                           thread=_thread(new))
    if subtype == "message_deleted":
        old = event.get("previous_message") or {}
        ref = str(event.get("deleted_ts") or old.get("ts") or "")
        if not ref or old.get("bot_id") or (old and old.get("user") == bot_user):
            return None
        # Slack's documented shape has no previous_message: the author is found by the ref.
        return ChatMessage(user=str(old.get("user") or ""), channel=channel, ref=ref,
                           deleted=True, thread=_thread(old))
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
