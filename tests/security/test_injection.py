"""Mention and markup injection wherever user text is echoed: nothing a user types can ping a
channel, mention someone who was not really mentioned, or become a link.

Hostile text goes in through every flow that echoes it (kudos post and DM, promise lines, the
handover offer, the offer of a promise noticed in chat, the Home tab, team names), exactly as
each platform delivers typed text; the assertions are on what the platform receives.

- Slack: Slack sends what a user typed with `&`, `<`, `>` escaped, and real mentions, channel
  links and broadcasts as `<@U…>`, `<#C…>`, `<!channel>`. Nothing may leave Rapport as a live
  `<!…>`, `<#…>`, `<http…|…>` or a `<@…>` other than the people really mentioned; every mrkdwn
  object is `verbatim` and every post is `parse=none`, `link_names=false`.
- Teams: typed text arrives HTML-escaped, real mentions as `<at>Name</at>` plus a mention entity.
  A card may hold `<at>…</at>` only for its mention entities (people really mentioned), no other
  `<` that a client could read as a tag or autolink, and no markdown link syntax.
"""

from __future__ import annotations

import re
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

# tests/ is not a package: the platform test helpers live beside the Slack and Teams tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "teams"))
from fake_connector import Call as TeamsCall
from fake_connector import FakeConnector
from fake_slack import Call, FakeSlack
from slack_harness import SlackDriver, running_slack, slack_runtime, slack_settings
from teams_harness import ALEX, PRIYA, TeamsDriver, running_teams, teams_runtime

from adapters.settings import Settings
from adapters.teams.cards import WORD_JOINER
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports

# What a hostile user types, as Slack delivers it: broadcasts, a user group, a disguised link,
# a channel link, markdown link tricks, an entity that spells a broadcast, plain @here.
SLACK_HOSTILE = ("<!channel> <!here> <!everyone> <!subteam^S1|@devs> <https://evil.example|click> "
                 "<mailto:boss@evil.example|mail> <#C9|secret> [click](https://evil.example) "
                 "[ref][1] [1]: https://evil.example *bold* &lt;!channel&gt; @here")
# In chat, without the user group: see test_a_promise_noticed_in_chat_names_only_real_mentions.
IN_CHAT = SLACK_HOSTILE.replace("<!subteam^S1|@devs> ", "")
# Live Slack markup that must never come out of user text (the real mentions are allowed).
SLACK_LIVE = re.compile(r"<(?:!|#|https?:|mailto:|tel:|slack:|@(?!U1>|U2>))")


@pytest.fixture
async def slack(redis: Redis, ports: Ports, clock: FixedClock) -> AsyncIterator[SlackDriver]:
    api = FakeSlack()
    await api.start()
    runtime = slack_runtime(slack_settings(api), redis, ports, Rapport(ports, clock), clock)
    try:
        async with running_slack(runtime, api, clock) as driver:
            yield driver
    finally:
        await api.stop()


def mrkdwn_objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            yield node
        for value in node.values():
            yield from mrkdwn_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from mrkdwn_objects(item)


def assert_inert_for_slack(call: Call) -> None:
    for text in call.texts():
        live = SLACK_LIVE.findall(text)
        assert not live, f"{call.method} carries live markup {live}: {text!r}"
    for block in mrkdwn_objects(call.blocks):
        assert block.get("verbatim") is True, f"{call.method}: a mrkdwn object is not verbatim"
    if call.method.startswith("chat."):
        assert call.args.get("parse") == "none" and call.args.get("link_names") in (False, "0",
                                                                                    "false")


async def ok(answer: Any) -> None:
    assert (answer.status, answer.text) == (200, "")


async def test_slack_user_text_is_echoed_inert_in_every_flow(slack: SlackDriver) -> None:
    api = slack.api
    api.users["U1"] = {"id": "U1", "name": "u1", "real_name": "U1", "tz": "Europe/London",
                       "is_admin": True}  # only admins create teams
    await ok(await slack.command("kudos", f"<@U2|sam> for {SLACK_HOSTILE} — your test plan "
                                 "caught the billing bug", channel="C42", response="kudos"))
    await ok(await slack.command("promise", f"send {SLACK_HOSTILE} to <@U2|sam> by Friday",
                                 response="promise"))
    await ok(await slack.command("kept", response="kept"))
    await ok(await slack.command("handover", f"<@U2|sam> {SLACK_HOSTILE} choose the venue",
                                 response="handover"))
    await ok(await slack.message(f"I'll send {IN_CHAT} to <@U2> by Friday"))
    await ok(await slack.command("team", "create Platform <!channel> [x](https://evil.example) "
                                 "<https://evil.example|click>", response="bad-team"))
    await ok(await slack.command("team", "create Platform's Crew", response="team"))
    await ok(await slack.command("team", response="teams"))
    await slack.settled()
    await ok(await slack.envelope({"type": "app_home_opened", "user": "U1", "tab": "home",
                                   "channel": "D1", "event_ts": slack.ts()}))
    await slack.settled()

    kudos_post, kudos_dm = (c for c in api.called("chat.postMessage")
                            if "billing bug" in c.all_text())
    assert (kudos_post.conversation, kudos_dm.conversation) == ("C42", "DU2")
    handover_dm = next(c for c in api.called("chat.postMessage") if "venue" in c.all_text())
    offer = next(c for c in api.called("chat.postEphemeral") if "evil" in c.all_text())
    home = api.last("views.publish")
    answers = {c.args["name"]: c for c in api.called("response_url")}
    echoed = [kudos_post, kudos_dm, handover_dm, offer, home, answers["promise"],
              answers["kept"], answers["handover"], answers["bad-team"], answers["team"],
              answers["teams"]]
    for call in echoed:
        assert_inert_for_slack(call)
    for call in api.calls:  # and nothing else sent anywhere carries live markup either
        if call.method != "upload":
            assert_inert_for_slack(call)

    # The text is shown, not dropped: what was typed is visible, escaped.
    for call in (kudos_post, answers["promise"], home):
        shown = call.all_text()
        assert "&lt;!channel&gt;" in shown and "&lt;https://evil.example|click&gt;" in shown
        assert "<@U2>" in shown  # the real mention stays a mention
    assert "Give the team a name" in answers["bad-team"].all_text()  # such names are refused
    assert "Created team *Platform's Crew*" in answers["team"].all_text()
    assert "Platform's Crew" in answers["teams"].all_text()


async def test_slack_shows_what_the_user_typed(slack: SlackDriver) -> None:
    # Typed in Slack: /promise fix the <div> & styles by Friday
    await ok(await slack.command("promise", "fix the &lt;div&gt; &amp; styles by Friday",
                                 response="promise"))
    await slack.settled()
    shown = slack.api.last("response_url").all_text()
    assert "fix the &lt;div&gt; &amp; styles" in shown  # mrkdwn for: fix the <div> & styles


async def test_usage_placeholders_are_escaped_markup(slack: SlackDriver) -> None:
    await ok(await slack.command("promise", "help", response="help"))
    await slack.settled()
    shown = slack.api.last("response_url").all_text()
    assert "/promise" in shown
    assert not re.search(r"<(?![@#!])", shown), shown


async def test_a_promise_noticed_in_chat_names_only_real_mentions(slack: SlackDriver) -> None:
    for text in ("I'll send the deck to @U999 by Friday",
                 "I'll send the deck to &lt;@U999&gt; by Friday",
                 "I'll send the deck to <!subteam^S1|@devs> by Friday"):
        await ok(await slack.message(text))
    await slack.settled()
    offers = slack.api.called("chat.postEphemeral")
    assert len(offers) == 3
    for call in offers:
        assert_inert_for_slack(call)


# -- Teams ----------------------------------------------------------------------------------

# Typed in Teams, delivered HTML-escaped: a forged <at> mention, the core's mention form,
# a markdown link, a reference link, an autolink, an image, bold, @everyone.
TEAMS_HOSTILE = ("&lt;at&gt;Boss&lt;/at&gt; &lt;@29:evil&gt; &lt;!channel&gt; "
                 "[click](https://evil.example) [ref][1] [1]: https://evil.example "
                 "&lt;https://evil.example&gt; ![img](https://evil.example/p.png) **bold** "
                 "@everyone")
# In chat, without what looks like a mention: see
# test_a_promise_noticed_in_a_teams_chat_names_only_real_mentions.
TEAMS_IN_CHAT = TEAMS_HOSTILE.replace("&lt;at&gt;Boss&lt;/at&gt; &lt;@29:evil&gt; ", "")
PRIYA_MENTION = {"type": "mention", "text": f"<at>{PRIYA['name']}</at>",
                 "mentioned": {"id": PRIYA["id"], "name": PRIYA["name"]}}
AT_TAG = re.compile(r"<at>(.*?)</at>")
PLACEHOLDER = re.compile(r"<(?:what|when|name|number|date|first day|last day|minimum size|"
                         r"the decision you are giving them|decision|what exactly they did)>")


@pytest.fixture
async def teams(redis: Redis, ports: Ports, clock: FixedClock) -> AsyncIterator[TeamsDriver]:
    connector = FakeConnector()
    await connector.start()
    runtime = teams_runtime(Settings(), redis, ports, Rapport(ports, clock), clock)
    try:
        async with running_teams(runtime, connector) as driver:
            yield driver
    finally:
        await connector.stop()


def assert_inert_for_teams(call: TeamsCall) -> None:
    card = call.card
    entities = (card.get("msteams") or {}).get("entities") or []
    allowed = {e["text"]: e["mentioned"]["id"] for e in entities}
    assert set(allowed.values()) <= {PRIYA["id"], ALEX["id"]}, entities
    for text in call.texts():
        for name in AT_TAG.findall(text):
            assert f"<at>{name}</at>" in allowed, f"forged mention <at>{name}</at> in {text!r}"
        # (the core's own usage placeholders such as `<name>` aside: see
        # test_usage_placeholders_are_escaped_markup)
        rest = PLACEHOLDER.sub("", AT_TAG.sub("", text))
        tags = [m.group(0) for m in re.finditer(r"<(?!" + WORD_JOINER + ").{0,12}", rest)]
        assert not tags, f"a tag or autolink could be read in {text!r}: {tags}"
        assert not re.search(r"\][(\[:]", text), f"markdown link syntax in {text!r}"
        assert "https://evil.example" not in text or "](" not in text
    for action in call.actions():
        # Universal Actions, or their Submit fallback: never an OpenUrl to a user's link.
        assert action["type"] in {"Action.Execute", "Action.Submit"}, action


async def test_teams_user_text_is_echoed_inert_in_every_flow(teams: TeamsDriver) -> None:
    await teams.say("hi", user=PRIYA)
    flows = [
        (f"kudos <at>{PRIYA['name']}</at> for {TEAMS_HOSTILE} — your test plan caught the "
         "billing bug", [PRIYA_MENTION]),
        (f"promise send {TEAMS_HOSTILE} by Friday", []),
        ("kept", []),
        (f"handover <at>{PRIYA['name']}</at> {TEAMS_HOSTILE} choose the venue", [PRIYA_MENTION]),
        (f"I'll send {TEAMS_IN_CHAT} by Friday", []),
        ("team create Platform &lt;at&gt;Boss&lt;/at&gt; [x](https://evil.example)", []),
        ("team create R&amp;D &amp; Ops", []),
        ("team", []),
        ("habits", []),
    ]
    for text, entities in flows:
        extra = {"entities": [*teams.activity("message")["entities"], *entities]} \
            if entities else {}
        assert (await teams.say(text, **extra)).status == 200
    cards = [c for c in teams.connector.sent + teams.connector.of("update")
             if c.body.get("attachments")]
    texts = "\n".join(c.all_text() for c in cards)
    for needle in ("billing bug", "choose the venue", "That sounds like a promise",
                   "Tracking your promise", "Give the team a name", "R&D & Ops"):
        assert needle in texts, needle
    for call in cards:
        assert_inert_for_teams(call)
    # The typed text is visible (defused, not dropped), and Priya's real mention is one.
    kudos = next(c for c in cards if "billing bug" in c.all_text()
                 and c.conversation != f"a:personal-{PRIYA['id']}")
    shown = kudos.all_text()
    assert f"<{WORD_JOINER}at>Boss<{WORD_JOINER}/at>" in shown
    assert f"<at>{PRIYA['name']}</at>" in shown
    assert {e["mentioned"]["id"] for e in kudos.card["msteams"]["entities"]} == {
        ALEX["id"], PRIYA["id"]}  # the giver and the receiver, nobody typed


async def test_a_display_name_cannot_smuggle_markup_into_a_mention(teams: TeamsDriver) -> None:
    # A Teams display name is the user's own text too: it ends up inside <at>…</at>.
    mallory = {"id": "29:mallory", "name": "Mallory</at> [click](https://evil.example) <at>Boss",
               "aadObjectId": "aad-mallory"}
    await teams.say("hi", user=mallory)
    mention = {"type": "mention", "text": f"<at>{mallory['name']}</at>",
               "mentioned": {"id": mallory["id"], "name": mallory["name"]}}
    assert (await teams.say(f"kudos <at>{mallory['name']}</at> your test plan caught the "
                            "billing bug", entities=[
                                *teams.activity("message")["entities"], mention])).status == 200
    cards = [c for c in teams.connector.sent if "billing bug" in c.all_text()]
    assert len(cards) == 2  # the answer to Alex, and the kudos sent to Mallory
    assert any(e["mentioned"]["id"] == mallory["id"] for e in cards[0].card["msteams"]["entities"])
    for call in cards:
        entities = call.card["msteams"]["entities"]
        assert {e["mentioned"]["id"] for e in entities} <= {ALEX["id"], mallory["id"]}
        for entity in entities:
            name = entity["text"].removeprefix("<at>").removesuffix("</at>")
            assert "<" not in name and ">" not in name and "](" not in name, entity
        for text in call.texts():
            assert not re.search(r"\][(\[:]", text), text
            assert AT_TAG.sub("", text).count("<") == text.count("<" + WORD_JOINER), text


async def test_a_promise_noticed_in_a_teams_chat_names_only_real_mentions(
        teams: TeamsDriver) -> None:
    for text in ("I'll send the deck to &lt;at&gt;Boss&lt;/at&gt; by Friday",
                 "I'll send the deck to @29:evil by Friday"):
        assert (await teams.say(text)).status == 200
    offers = [c for c in teams.connector.sent if "send the deck" in c.all_text()]
    assert len(offers) == 2
    for call in offers:
        assert not (call.card.get("msteams") or {}).get("entities"), call.card["msteams"]
