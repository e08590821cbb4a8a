"""Slack payloads in the shapes public sources show, with Rapport's own ids and texts.

Each `Shape` names its source: a bolt-python test file (github.com/slackapi/bolt-python,
tests/scenario_tests_async/...) or a Slack docs page (docs.slack.dev/reference/...). Fixtures
are written for one workspace (`T1`, bot `UBOT`); `as_install` rewrites the ids for the other
installs exactly where Slack puts them (docs.slack.dev/enterprise: envelope `enterprise_id` and
`authorizations`, `team.enterprise_id` in interactions, `is_enterprise_install`), so every shape
also runs as OAuth, Enterprise Grid workspace-level and Grid org-wide installs.

docs/slack.md lists the shapes; tests/slack/test_corpus.py sends each through the real HTTP path.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

BOLT = "bolt-python tests/scenario_tests_async/"
DOCS = "https://docs.slack.dev/reference/"
PROMISE = "I'll send the launch checklist to <@U2> by Friday"


@dataclass(frozen=True)
class Install:
    """One way Rapport is installed, and the workspace its records are filed under."""

    name: str
    team: str
    enterprise: str | None = None
    org_wide: bool = False
    oauth: bool = False

    @property
    def workspace(self) -> str:
        if self.org_wide and self.enterprise:
            return self.enterprise
        return f"{self.enterprise}:{self.team}" if self.enterprise else self.team

    @property
    def token(self) -> str:
        return f"xoxb-corpus-{self.name}" if self.oauth else "xoxb-test-token"


INSTALLS = (Install("single", "T1"), Install("oauth", "T2", oauth=True),
            Install("grid", "T3", "E1", oauth=True),
            Install("org", "T3", "E1", org_wide=True, oauth=True))


@dataclass(frozen=True)
class Shape:
    """One payload: how it travels (`event`: JSON; `command`: a form; `interaction`: a
    `payload=` form), what the person and Slack's Web API should then see."""

    name: str
    source: str
    kind: str
    body: dict[str, Any]
    calls: tuple[str, ...] = ()         # Web API methods (or "response_url") that must be called
    stores: bool | None = True          # records kept for the acting person (None: either)
    quiet: bool = False                 # nothing at all is sent to Slack
    installs: tuple[str, ...] = ("single", "oauth", "grid", "org")
    checks: dict[str, Any] = field(default_factory=dict)


def _envelope(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {"token": "legacy-token", "team_id": "T1", "api_app_id": "A1",
            "event": event, "type": "event_callback", "event_id": event_id,
            "event_time": 1795510800,
            "authorizations": [{"enterprise_id": None, "team_id": "T1", "user_id": "UBOT",
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": "4-corpus"}


def _rich(text: str) -> list[dict[str, Any]]:
    return [{"type": "rich_text", "block_id": "rc1", "elements": [
        {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]


TS = "1795510800.000100"

SHAPES: list[Shape] = [
    Shape("message", BOLT + "test_message.py", "event", _envelope(
        {"client_msg_id": "corpus-0001", "type": "message", "text": PROMISE, "user": "U1",
         "ts": TS, "team": "T1", "blocks": _rich(PROMISE), "channel": "C1", "event_ts": TS,
         "channel_type": "channel"}, "EvC0001"), calls=("chat.postEphemeral",)),
    Shape("message.im", DOCS + "events/message.im", "event", _envelope(
        {"type": "message", "channel": "D1", "user": "U1", "text": PROMISE, "ts": TS,
         "event_ts": TS, "channel_type": "im"}, "EvC0002"), calls=("chat.postEphemeral",)),
    Shape("message in a thread", DOCS + "events/message (thread replies)", "event", _envelope(
        {"type": "message", "channel": "C1", "user": "U1", "text": PROMISE,
         "ts": "1795510800.000200", "thread_ts": TS, "parent_user_id": "U2", "event_ts":
         "1795510800.000200", "channel_type": "channel"}, "EvC0003"),
        calls=("chat.postEphemeral",), checks={"thread_ts": TS}),
    Shape("thread_broadcast", BOLT + "test_message_thread_broadcast.py", "event", _envelope(
        {"type": "message", "subtype": "thread_broadcast", "text": PROMISE, "user": "U1",
         "ts": "1795510800.000300", "thread_ts": TS,
         "root": {"type": "message", "text": "Launch planning", "user": "U2", "ts": TS,
                  "team": "T1", "thread_ts": TS, "reply_count": 2, "reply_users_count": 1,
                  "latest_reply": "1795510800.000300", "reply_users": ["U1"],
                  "is_locked": False},
         "client_msg_id": "corpus-0004", "channel": "C1", "event_ts": "1795510800.000300",
         "channel_type": "channel"}, "EvC0004"),
        calls=("chat.postEphemeral",), checks={"thread_ts": TS}),
    Shape("file_share", BOLT + "test_message_file_share.py", "event", _envelope(
        {"type": "message", "subtype": "file_share", "text": PROMISE, "user": "U1",
         "files": [{"id": "F1", "name": "plan.png", "title": "plan.png", "mimetype":
                    "image/png", "filetype": "png", "user": "U1", "size": 1024, "mode": "hosted",
                    "is_external": False, "is_public": True}],
         "upload": False, "display_as_bot": False, "ts": TS, "channel": "C1", "event_ts": TS,
         "channel_type": "channel"}, "EvC0005"), calls=("chat.postEphemeral",)),
    Shape("me_message", DOCS + "events/message/me_message", "event", _envelope(
        {"type": "message", "subtype": "me_message", "channel": "C1", "user": "U1",
         "text": PROMISE, "ts": TS, "event_ts": TS, "channel_type": "channel"}, "EvC0006"),
        calls=("chat.postEphemeral",)),
    Shape("rich_text only", DOCS + "block-kit/blocks/rich-text-block", "event", _envelope(
        {"type": "message", "user": "U1", "text": "", "blocks": _rich(PROMISE), "ts": TS,
         "channel": "C1", "event_ts": TS, "channel_type": "channel"}, "EvC0007"),
        calls=("chat.postEphemeral",)),
    Shape("bot_message", BOLT + "test_message_bot.py", "event", _envelope(
        {"bot_id": "B9", "type": "message", "text": PROMISE, "user": "U9", "ts": TS,
         "team": "T1", "bot_profile": {"id": "B9", "name": "Deploy bot", "app_id": "A9",
                                       "team_id": "T1", "deleted": False},
         "channel": "C1", "event_ts": TS, "channel_type": "channel"}, "EvC0008"),
        stores=False, quiet=True),
    Shape("bot_message subtype", DOCS + "events/message/bot_message", "event", _envelope(
        {"type": "message", "subtype": "bot_message", "text": PROMISE, "ts": TS,
         "username": "deploys", "bot_id": "B9", "channel": "C1", "event_ts": TS,
         "channel_type": "channel"}, "EvC0009"), stores=False, quiet=True),
    Shape("our own message", BOLT + "test_events_ignore_self.py", "event", _envelope(
        {"type": "message", "text": PROMISE, "user": "UBOT", "ts": TS, "channel": "C1",
         "event_ts": TS, "channel_type": "channel"}, "EvC0010"), stores=False, quiet=True),
    Shape("channel_join", DOCS + "events/message/channel_join", "event", _envelope(
        {"type": "message", "subtype": "channel_join", "ts": TS, "user": "U1",
         "text": "<@U1> has joined the channel", "inviter": "U2", "channel": "C1",
         "event_ts": TS, "channel_type": "channel"}, "EvC0011"), stores=False, quiet=True),
    Shape("message_changed without message.ts", BOLT + "test_message_changed.py", "event",
          _envelope({"type": "message", "subtype": "message_changed",
                     "message": {"type": "message", "text": PROMISE, "user": "U1",
                                 "team": "T1", "edited": {"user": "U1", "ts": TS},
                                 "blocks": _rich(PROMISE)},
                     "previous_message": {"type": "message", "text": "Launch next week",
                                          "user": "U1", "team": "T1", "ts": TS},
                     "channel": "C1", "hidden": True, "ts": "1795510801.000100",
                     "event_ts": "1795510801.000100", "channel_type": "channel"}, "EvC0012"),
          stores=False, quiet=True),
    Shape("message_changed", DOCS + "events/message/message_changed", "event", _envelope(
        {"type": "message", "subtype": "message_changed", "hidden": True, "channel": "C1",
         "ts": "1795510801.000100", "event_ts": "1795510801.000100",
         "message": {"type": "message", "user": "U1", "text": PROMISE, "ts": TS,
                     "edited": {"user": "U1", "ts": "1795510801.000000"}},
         "previous_message": {"type": "message", "user": "U1", "text": "Launch next week",
                              "ts": TS},
         "channel_type": "channel"}, "EvC0013"), calls=("chat.postEphemeral",)),
    Shape("message_deleted", BOLT + "test_message_deleted.py", "event", _envelope(
        {"type": "message", "subtype": "message_deleted",
         "previous_message": {"type": "message", "text": "Lunch?", "user": "U1",
                              "team": "T1", "ts": TS},
         "channel": "C1", "hidden": True, "deleted_ts": TS, "event_ts": "1795510802.000100",
         "ts": "1795510802.000100", "channel_type": "channel"}, "EvC0014"), quiet=True),
    Shape("message_deleted (documented)", DOCS + "events/message/message_deleted", "event",
          _envelope({"type": "message", "subtype": "message_deleted", "hidden": True,
                     "channel": "C1", "ts": "1795510802.000100", "deleted_ts": TS,
                     "event_ts": "1795510802.000100"}, "EvC0015"),
          stores=False, quiet=True),
    Shape("app_mention", BOLT + "test_events_shared_channels.py", "event", _envelope(
        {"client_msg_id": "corpus-0016", "type": "app_mention", "text": "<@UBOT> hello",
         "user": "U1", "ts": TS, "team": "T1", "channel": "C1", "event_ts": TS}, "EvC0016"),
        stores=False, quiet=True),
    Shape("reaction_added", BOLT + "test_events_shared_channels.py", "event", _envelope(
        {"type": "reaction_added", "user": "U1",
         "item": {"type": "message", "channel": "C1", "ts": TS}, "reaction": "tada",
         "item_user": "U2", "event_ts": "1795510803.000100"}, "EvC0017"),
        stores=False, quiet=True),
    Shape("user_change", DOCS + "events/user_change", "event", _envelope(
        {"type": "user_change", "user": {"id": "U1", "team_id": "T1", "name": "priya",
                                         "real_name": "Priya", "tz": "Asia/Kolkata",
                                         "profile": {"display_name": "Priya"}},
         "cache_ts": 1795510800, "event_ts": "1795510803.000200"}, "EvC0018"),
        stores=False, quiet=True),
    Shape("app_home_opened (home)", DOCS + "events/app_home_opened", "event", _envelope(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home",
         "view": {"id": "V1", "team_id": "T1", "type": "home"},
         "event_ts": "1795510803.000300"}, "EvC0019"), calls=("views.publish",)),
    Shape("app_home_opened (messages)", DOCS + "events/app_home_opened", "event", _envelope(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages",
         "event_ts": "1795510803.000400"}, "EvC0020"), calls=("chat.postMessage",)),
    Shape("slash command", BOLT + "test_slash_command.py", "command", {
        "token": "legacy-token", "team_id": "T1", "team_domain": "acme", "channel_id": "C1",
        "channel_name": "launch", "user_id": "U1", "user_name": "priya",
        "command": "/promise", "text": "send the launch checklist by Friday",
        "api_app_id": "A1", "response_url": "RESPONSE_URL", "trigger_id": "1.2.corpus"},
        calls=("response_url",)),
    Shape("block_actions", BOLT + "test_block_actions.py", "interaction", {
        "type": "block_actions",
        "user": {"id": "U1", "username": "priya", "name": "priya", "team_id": "T1"},
        "api_app_id": "A1", "token": "legacy-token",
        "container": {"type": "message", "message_ts": TS, "channel_id": "C1",
                      "is_ephemeral": True},
        "trigger_id": "1.2.corpus", "team": {"id": "T1", "domain": "acme"},
        "channel": {"id": "C1", "name": "launch"}, "response_url": "RESPONSE_URL",
        "actions": [{"action_id": "rapport.help~0", "block_id": "b1",
                     "text": {"type": "plain_text", "text": "Help", "emoji": True},
                     "value": "", "type": "button", "action_ts": TS}]},
        calls=("response_url",)),
    Shape("message_action (shortcut)", BOLT + "test_shortcut.py", "interaction", {
        "type": "message_action", "token": "legacy-token", "action_ts": TS,
        "team": {"id": "T1", "domain": "acme"}, "user": {"id": "U1", "name": "priya"},
        "channel": {"id": "C1", "name": "launch"}, "callback_id": "rapport.track_as_promise",
        "trigger_id": "1.2.corpus", "message_ts": TS,
        "message": {"client_msg_id": "corpus-0023", "type": "message", "text": PROMISE,
                    "user": "U1", "ts": TS, "team": "T1", "blocks": _rich(PROMISE)},
        "response_url": "RESPONSE_URL"}, calls=("views.open",)),
    Shape("view_submission", BOLT + "test_view_submission.py", "interaction", {
        "type": "view_submission", "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "U1", "username": "priya", "name": "priya", "team_id": "T1"},
        "api_app_id": "A1", "token": "legacy-token", "trigger_id": "1.2.corpus",
        "view": {"id": "V1", "team_id": "T1", "type": "modal", "blocks": [],
                 "private_metadata": '{"channel": "C1", "ref": "' + TS + '"}',
                 "callback_id": "rapport.track_promise",
                 "state": {"values": {
                     "what": {"what": {"type": "plain_text_input",
                                       "value": "send the launch checklist"}},
                     "due": {"due": {"type": "datepicker", "selected_date": "2026-12-04"}}}},
                 "hash": "1795510800.corpus", "title": {"type": "plain_text",
                                                       "text": "Track a promise"},
                 "root_view_id": "V1", "app_id": "A1", "external_id": "",
                 "app_installed_team_id": "T1", "bot_id": "BBOT"},
        "response_urls": []}, calls=("chat.postEphemeral",)),
    Shape("app_rate_limited", DOCS + "events/app_rate_limited", "raw", {
        "token": "legacy-token", "type": "app_rate_limited", "team_id": "T1",
        "minute_rate_limited": 1795510800, "api_app_id": "A1"}, stores=False, quiet=True),
    Shape("tokens_revoked (user token)", BOLT + "test_events_token_revocations.py", "event",
          _envelope({"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}},
                    "EvC0026"), stores=False, quiet=True),
    Shape("tokens_revoked (bot)", BOLT + "test_events_token_revocations.py", "event",
          _envelope({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}},
                    "EvC0027"), stores=False, quiet=True, checks={"wiped": True}),
    Shape("app_uninstalled", BOLT + "test_events_shared_channels.py", "event",
          _envelope({"type": "app_uninstalled"}, "EvC0028"), stores=False, quiet=True,
          checks={"wiped": True}),
]


def as_install(shape: Shape, install: Install) -> dict[str, Any]:
    """The shape's body as Slack sends it to `install` (ids where Slack puts them)."""
    body = copy.deepcopy(shape.body)
    team, enterprise, org = install.team, install.enterprise, install.org_wide
    if shape.kind in ("event", "raw"):
        body["team_id"] = team
        if enterprise:
            body["enterprise_id"] = enterprise
        if "authorizations" in body:
            body["authorizations"] = [{"enterprise_id": enterprise,
                                       "team_id": None if org else team, "user_id": "UBOT",
                                       "is_bot": True, "is_enterprise_install": org}]
        event = body.get("event") or {}
        if "team" in event:
            event["team"] = team
        if isinstance(event.get("user"), dict):
            event["user"]["team_id"] = team
    elif shape.kind == "command":
        body["team_id"] = team
        if enterprise:
            body.update(enterprise_id=enterprise, enterprise_name="Acme Org",
                        is_enterprise_install="true" if org else "false")
    else:
        body["team"] = {"id": team, "domain": "acme",
                        **({"enterprise_id": enterprise, "enterprise_name": "Acme Org"}
                           if enterprise else {})}
        if isinstance(body.get("user"), dict):
            body["user"]["team_id"] = team
        if "view" in body:
            body["view"]["team_id"] = team
            body["view"]["app_installed_team_id"] = team
        body["is_enterprise_install"] = org
        body["enterprise"] = {"id": enterprise, "name": "Acme Org"} if enterprise else None
    return body
