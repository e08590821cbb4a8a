"""A corpus of Teams activities, each in the exact shape a public source shows, with Rapport's own
ids and texts (issue 16). `SHAPES` is read by test_teams_corpus.py, which posts each one through
the real HTTP path; docs/teams.md lists them.

Every shape names its source: a page of Microsoft's Teams platform docs (msteams-docs, under
https://learn.microsoft.com/microsoftteams/platform/), the Bot Framework activity schema
(microsoft/botframework-sdk, specs/botframework-activity/botframework-activity.md), or a test
of microsoft/botbuilder-python (libraries/botbuilder-core/tests/teams/
test_teams_activity_handler.py). The envelope every activity shares (id, channelId "msteams",
serviceUrl, from, recipient, conversation, channelData.tenant, timestamp, localTimezone,
clientInfo entity) is TeamsDriver.activity's, in the shape of the same sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from teams_harness import ALEX, BOT, CHANNEL, PRIYA, TEAM_DATA, TENANT, TeamsDriver

MSTEAMS_DOCS = "https://learn.microsoft.com/microsoftteams/platform"
MESSAGES = f"{MSTEAMS_DOCS}/bots/how-to/conversations/conversation-messages"
CHANNELS = f"{MSTEAMS_DOCS}/bots/how-to/conversations/channel-and-group-conversations"
EVENTS = f"{MSTEAMS_DOCS}/bots/how-to/conversations/subscribe-to-conversation-events"
EDITS = f"{MSTEAMS_DOCS}/bots/how-to/update-and-delete-bot-messages"
ACTIONS = f"{MSTEAMS_DOCS}/messaging-extensions/how-to/action-commands/respond-to-task-module-submit"
FETCH = f"{MSTEAMS_DOCS}/messaging-extensions/how-to/action-commands/create-task-module"
SEARCH = f"{MSTEAMS_DOCS}/messaging-extensions/how-to/search-commands/respond-to-search"
DIALOGS = f"{MSTEAMS_DOCS}/task-modules-and-cards/task-modules/task-modules-bots"
UNIVERSAL = (f"{MSTEAMS_DOCS}/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/"
             "work-with-universal-actions-for-adaptive-cards")
SIGN_IN = f"{MSTEAMS_DOCS}/bots/how-to/authentication/add-authentication"
ACTIVITY_SCHEMA = ("microsoft/botframework-sdk: specs/botframework-activity/"
                   "botframework-activity.md")
BOTBUILDER_TEAMS_TESTS = ("microsoft/botbuilder-python: libraries/botbuilder-core/tests/teams/"
                          "test_teams_activity_handler.py")

GROUP_CHAT = {"id": "19:meeting-prep@thread.v2", "conversationType": "groupChat",
              "tenantId": TENANT, "isGroup": True}
OTHER_BOT = {"id": "28:00000000-0000-0000-0000-00000000b0b0", "name": "Standup Bot",
             "role": "bot"}
PERSONAL_ALEX = f"a:personal-{ALEX['id']}"


def mention(account: dict[str, Any]) -> dict[str, Any]:
    """A mention entity (msteams-docs, channel-and-group-conversations, "Receive mentions")."""
    return {"type": "mention", "text": f"<at>{account['name']}</at>",
            "mentioned": {"id": account["id"], "name": account["name"]}}


@dataclass(frozen=True)
class Expect:
    """What the person and the platform see."""

    to: frozenset[str] = frozenset()   # conversations that get a message or an updated card
    body: Callable[[Any], bool] | None = None  # an invoke's answer, parsed from JSON
    stores_nothing: bool = False       # for a bot's message: no key at all in Redis


@dataclass(frozen=True)
class Shape:
    name: str
    source: str
    build: Callable[[TeamsDriver], dict[str, Any]]
    expect: Expect = field(default_factory=Expect)
    roster: bool = False               # the connector answers pagedmembers with a roster


def _message(text: str, **extra: Any) -> Callable[[TeamsDriver], dict[str, Any]]:
    return lambda teams: teams.activity("message", text=text, **extra)


def _invoke(name: str, value: dict[str, Any], **extra: Any,
            ) -> Callable[[TeamsDriver], dict[str, Any]]:
    return lambda teams: teams.activity("invoke", name=name, value=value, **extra)


def _task(kind: str) -> Callable[[Any], bool]:
    return lambda body: isinstance(body, dict) and body.get("task", {}).get("type") == kind


def _card_action(body: Any) -> bool:
    return isinstance(body, dict) and body.get("statusCode") == 200 and body.get("type") in (
        "application/vnd.microsoft.card.adaptive", "application/vnd.microsoft.activity.message")


TRACK_PAYLOAD = {"id": "1733150000000", "messageType": "message", "createdDateTime":
                 "2026-11-24T09:00:00.000Z", "from": {"user": {"id": ALEX["id"],
                                                               "displayName": ALEX["name"]}},
                 "body": {"contentType": "html",
                          "content": "<p>I&#39;ll send the launch notes by Friday</p>"}}
EXECUTE = {"action": {"type": "Action.Execute", "id": "rapport-habits", "verb": "nudge.habits",
                      "data": {"action": "nudge.habits", "value": ""}}, "trigger": "manual"}

SHAPES: list[Shape] = [
    # -- messages ---------------------------------------------------------------------------
    Shape("message, personal", MESSAGES, _message("I'll send the deck to Priya by Friday"),
          Expect(to=frozenset({PERSONAL_ALEX}))),
    Shape("message, personal, a command", MESSAGES, _message("habits"),
          Expect(to=frozenset({PERSONAL_ALEX}))),
    Shape("message, channel, the bot mentioned", CHANNELS, lambda teams: teams.activity(
        "message", conversation={**CHANNEL, "id": CHANNEL["id"] + ";messageid=1733150000001"},
        text="<at>Rapport</at> I'll book the room for Thursday", entities=[mention(BOT)]),
        Expect(to=frozenset({PERSONAL_ALEX}))),
    Shape("message, channel, a command with a person mentioned", CHANNELS,
          lambda teams: teams.activity(
              "message", conversation=CHANNEL,
              text="<at>Rapport</at> kudos <at>Priya Patel</at> for the clear incident write-up",
              entities=[mention(BOT), mention(PRIYA)]),
          Expect(to=frozenset({CHANNEL["id"], PERSONAL_ALEX, "a:personal-29:priya"}))),
    Shape("message, groupChat, mentions", CHANNELS, lambda teams: teams.activity(
        "message", conversation=GROUP_CHAT,
        text="<at>Rapport</at> handover <at>Priya Patel</at> choose the offsite venue",
        entities=[mention(BOT), mention(PRIYA)]),
        Expect(to=frozenset({GROUP_CHAT["id"], PERSONAL_ALEX, "a:personal-29:priya"}))),
    Shape("message, the Action.Submit fallback of a card button", MESSAGES, lambda teams:
          teams.activity("message", value={"action": "nudge.habits", "value": ""},
                         replyToId="act-welcome", conversation=CHANNEL),
          Expect(to=frozenset({PERSONAL_ALEX}))),
    # -- messages from bots -----------------------------------------------------------------
    Shape("message from another bot (28: id, role bot), channel", CHANNELS,
          lambda teams: teams.activity("message", user=OTHER_BOT, conversation=CHANNEL,
                                       text="I'll post the standup summary by 10:00"),
          Expect(stores_nothing=True)),
    Shape("message from another bot, personal", ACTIVITY_SCHEMA,
          lambda teams: teams.activity("message", user=OTHER_BOT, conversation={
              "id": "a:personal-standup-bot", "conversationType": "personal",
              "tenantId": TENANT}, text="promise ship the summary by Friday"),
          Expect(stores_nothing=True)),
    Shape("Rapport's own message echoed back", ACTIVITY_SCHEMA,
          lambda teams: teams.activity("message", user={**BOT, "role": "bot"},
                                       conversation=CHANNEL,
                                       text="I'll remind you on the morning it's due"),
          Expect(stores_nothing=True)),
    # -- conversationUpdate -----------------------------------------------------------------
    Shape("conversationUpdate, the bot added to a team", EVENTS, lambda teams: teams.activity(
        "conversationUpdate", conversation=CHANNEL, membersAdded=[{"id": BOT["id"]}],
        channelData={**TEAM_DATA, "eventType": "teamMemberAdded"}), roster=True),
    Shape("conversationUpdate, a person added", EVENTS, lambda teams: teams.activity(
        "conversationUpdate", conversation=CHANNEL,
        membersAdded=[{"id": PRIYA["id"], "aadObjectId": "aad-priya"}],
        channelData={**TEAM_DATA, "eventType": "teamMemberAdded"})),
    Shape("conversationUpdate, a person removed", EVENTS, lambda teams: teams.activity(
        "conversationUpdate", conversation=CHANNEL,
        membersRemoved=[{"id": PRIYA["id"], "aadObjectId": "aad-priya"}],
        channelData={**TEAM_DATA, "eventType": "teamMemberRemoved"})),
    Shape("conversationUpdate, the bot removed", EVENTS, lambda teams: teams.activity(
        "conversationUpdate", conversation=CHANNEL, membersRemoved=[{"id": BOT["id"]}],
        channelData={**TEAM_DATA, "eventType": "teamMemberRemoved"})),
    # -- installationUpdate -----------------------------------------------------------------
    Shape("installationUpdate add, team", EVENTS, lambda teams: teams.activity(
        "installationUpdate", action="add", conversation=CHANNEL), Expect(
        to=frozenset({CHANNEL["id"]})), roster=True),
    Shape("installationUpdate add, personal", EVENTS, lambda teams: teams.activity(
        "installationUpdate", action="add"), Expect(to=frozenset({PERSONAL_ALEX}))),
    Shape("installationUpdate add-upgrade", EVENTS, lambda teams: teams.activity(
        "installationUpdate", action="add-upgrade", conversation=CHANNEL), roster=True),
    Shape("installationUpdate remove", EVENTS, lambda teams: teams.activity(
        "installationUpdate", action="remove", conversation=CHANNEL)),
    # -- reactions, typing, edits, deletes --------------------------------------------------
    Shape("messageReaction, reactionsAdded", EVENTS, lambda teams: teams.activity(
        "messageReaction", reactionsAdded=[{"type": "like"}], replyToId="1733150000002",
        conversation=CHANNEL)),
    Shape("messageReaction, reactionsRemoved", EVENTS, lambda teams: teams.activity(
        "messageReaction", reactionsRemoved=[{"type": "heart"}], replyToId="1733150000002")),
    Shape("typing", ACTIVITY_SCHEMA, lambda teams: teams.activity("typing")),
    Shape("messageUpdate, editMessage", EDITS, lambda teams: teams.activity(
        "messageUpdate", text="I'll send the deck by Monday",
        channelData={"tenant": {"id": TENANT}, "eventType": "editMessage"}),
        Expect(to=frozenset({PERSONAL_ALEX}))),
    Shape("messageDelete, softDeleteMessage", EDITS, lambda teams: teams.activity(
        "messageDelete", conversation=CHANNEL,
        channelData={**TEAM_DATA, "eventType": "softDeleteMessage"})),
    # -- invokes ----------------------------------------------------------------------------
    Shape("invoke composeExtension/fetchTask", FETCH, _invoke(
        "composeExtension/fetchTask", {"commandId": "trackAsPromise", "commandContext":
                                       "message", "context": {"theme": "default"},
                                       "messagePayload": TRACK_PAYLOAD}, conversation=CHANNEL),
        Expect(body=_task("continue"))),
    Shape("invoke composeExtension/submitAction", ACTIONS, _invoke(
        "composeExtension/submitAction", {"commandId": "trackAsPromise", "commandContext":
                                          "message", "context": {"theme": "default"},
                                          "messagePayload": TRACK_PAYLOAD,
                                          "data": {"action": "track_form",
                                                   "what": "send the launch notes",
                                                   "due": "2026-11-27"}},
        conversation=CHANNEL), Expect(body=_task("message"))),
    Shape("invoke composeExtension/submitAction, botMessagePreview edit", ACTIONS, _invoke(
        "composeExtension/submitAction", {"commandId": "trackAsPromise", "commandContext":
                                          "message", "botMessagePreviewAction": "edit",
                                          "botActivityPreview": [{"type": "message",
                                                                  "attachments": []}],
                                          "messagePayload": TRACK_PAYLOAD}),
        Expect(body=_task("continue"))),
    Shape("invoke composeExtension/submitAction, botMessagePreview send", ACTIONS, _invoke(
        "composeExtension/submitAction", {"commandId": "trackAsPromise", "commandContext":
                                          "message", "botMessagePreviewAction": "send",
                                          "botActivityPreview": [{"type": "message",
                                                                  "attachments": []}]}),
        Expect(body=_task("message"))),
    Shape("invoke composeExtension/query", SEARCH, _invoke(
        "composeExtension/query", {"commandId": "searchPromises", "parameters": [
            {"name": "searchQuery", "value": "deck"}], "queryOptions": {"skip": 0,
                                                                      "count": 25}}),
        Expect(body=lambda body: body["composeExtension"]["attachments"] == [])),
    Shape("invoke composeExtension/onCardButtonClicked", BOTBUILDER_TEAMS_TESTS, _invoke(
        "composeExtension/onCardButtonClicked", {"key": "value"})),
    Shape("invoke task/fetch", DIALOGS, _invoke(
        "task/fetch", {"data": {"msteams": {"type": "task/fetch"}, "action": "open"},
                       "context": {"theme": "dark"}}), Expect(body=_task("message"))),
    Shape("invoke task/submit", DIALOGS, _invoke(
        "task/submit", {"data": {"what": "anything"}, "context": {"theme": "dark"}}),
        Expect(body=_task("message"))),
    Shape("invoke adaptiveCard/action, personal", UNIVERSAL, _invoke(
        "adaptiveCard/action", EXECUTE, replyToId="act-welcome"),
        Expect(to=frozenset({PERSONAL_ALEX}), body=_card_action)),
    Shape("invoke adaptiveCard/action, channel", UNIVERSAL, _invoke(
        "adaptiveCard/action", EXECUTE, replyToId="act-welcome", conversation=CHANNEL),
        Expect(to=frozenset({PERSONAL_ALEX}), body=lambda body: _card_action(body) and (
            body["value"] == "I've answered in our 1:1 chat."))),
    Shape("invoke signin/verifyState", SIGN_IN, _invoke(
        "signin/verifyState", {"state": "000000"}), Expect(body=lambda body: body is None)),
]
