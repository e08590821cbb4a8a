"""Every command, typed the way Teams delivers it, answered with the card Teams would show."""

from __future__ import annotations

import pytest
from fake_connector import Call
from teams_harness import ALEX, CHANNEL, PRIYA, TeamsDriver


def mention(user: dict[str, str]) -> dict[str, object]:
    return {"type": "mention", "text": f"<at>{user['name']}</at>",
            "mentioned": {"id": user["id"], "name": user["name"]}}


BOT_MENTION = {"type": "mention", "text": "<at>Rapport</at>",
               "mentioned": {"id": "28:rapport-bot", "name": "Rapport"}}


async def command(teams: TeamsDriver, text: str, **options: object) -> Call:
    before = len(teams.connector.sent)
    answer = await teams.say(text, **options)
    assert (answer.status, answer.text) == (200, "")
    assert len(teams.connector.sent) > before, "the bot answered nothing"
    return teams.connector.sent[before]


@pytest.mark.parametrize(("text", "expected"), [
    ("promise send the launch deck by Friday", "Tracking your promise"),
    ("/promise send the launch deck by Friday", "Tracking your promise"),
    ("kept", "no open promises"),
    ("habits", "Your habits"),
    ("team", "team"),
    ("rapport settings", "settings"),
    ("help", "promise — Track a promise"),
    ("Rapport help", "**kudos** @someone"),
])
async def test_each_command_answers_in_the_personal_chat(teams: TeamsDriver, text: str,
                                                         expected: str) -> None:
    call = await command(teams, text)
    assert call.conversation == "a:personal-29:alex"
    assert call.card["version"] == "1.5" and call.card["type"] == "AdaptiveCard"
    assert expected.lower() in call.all_text().lower()
    assert call.body["summary"]
    if "help" in text:  # help as Teams people type it: no slash, no raw markup (issue 17)
        assert "`" not in call.all_text() and "/promise" not in call.all_text()


async def test_a_tracked_promise_has_its_buttons(teams: TeamsDriver) -> None:
    call = await command(teams, "promise send the launch deck by Friday")
    assert call.button("Kept")["data"] == {"action": "promise.kept", "value": "1"}
    assert call.button("Kept")["style"] == "positive"
    assert call.button("Drop it")["style"] == "destructive"
    dates = [b for b in _blocks(call.card) if b.get("type") == "Input.Date"]
    assert [d["id"] for d in dates] == ["date"]


def _blocks(card: dict[str, object]) -> list[dict[str, object]]:
    return [b for b in card["body"] if isinstance(b, dict)]  # type: ignore[attr-defined]


async def test_kudos_mentions_become_teams_mentions(teams: TeamsDriver) -> None:
    text = "kudos <at>Priya Patel</at> your test plan caught the billing bug before release"
    await teams.say(text, entities=[mention(PRIYA)])
    cards = [call for call in teams.connector.sent]
    shown = "\n".join(call.all_text() for call in cards)
    assert "<at>Priya Patel</at>" in shown
    entities = [e for call in cards for e in call.card.get("msteams", {}).get("entities", [])]
    assert {"type": "mention", "text": "<at>Priya Patel</at>",
            "mentioned": {"id": "29:priya", "name": "Priya Patel"}} in entities
    # Priya is told too, in a 1:1 chat the bot opens from what it learnt of her.
    assert [c.body["members"] for c in teams.connector.of("create")] == [[{"id": "29:priya"}]]
    assert any(call.conversation == "a:dm-29:priya" for call in teams.connector.sent)


async def test_handover_reaches_the_other_person(teams: TeamsDriver) -> None:
    await teams.say("hi", user=PRIYA)  # Priya has a personal chat with the bot
    teams.connector.calls.clear()
    await teams.say("handover <at>Priya Patel</at> choose the venue", entities=[mention(PRIYA)])
    to_priya = [c for c in teams.connector.sent if c.conversation == "a:personal-29:priya"]
    assert to_priya and to_priya[0].button("Accept")["data"]["action"] == "handover.accept"
    assert "<at>Alex Wilber</at>" in to_priya[0].all_text()


async def test_in_a_channel_the_bot_mention_is_stripped_and_the_answer_is_private(
        teams: TeamsDriver) -> None:
    await teams.say("hi")  # Alex's personal chat exists
    teams.connector.calls.clear()
    await teams.say("<at>Rapport</at> habits", conversation=CHANNEL, entities=[BOT_MENTION])
    private = [c for c in teams.connector.sent if c.conversation == "a:personal-29:alex"]
    public = [c for c in teams.connector.sent if c.conversation == CHANNEL["id"]]
    assert private and "Your habits" in private[0].all_text()
    assert [c.all_text() for c in public] == ["I've answered in our 1:1 chat."]


async def test_typed_markup_cannot_forge_a_mention_or_a_link(teams: TeamsDriver) -> None:
    call = await command(teams, "promise ping <@29:ceo> &lt;!channel&gt; [win](https://evil.example) "
                                "by Friday")
    text = call.all_text()
    assert "<at>" not in text and "msteams" not in call.card
    assert "](" not in text and "]\u200b(" in text
    assert "<\u2060@29:ceo>" in text


async def test_an_unknown_first_word_is_chat_not_a_command(teams: TeamsDriver) -> None:
    answer = await teams.say("lunch anyone?", user=ALEX)
    assert answer.status == 200 and teams.connector.sent == []


async def test_in_local_mode_the_person_trying_rapport_may_create_a_team(teams: TeamsDriver) -> None:
    # Teams activities carry no admin role: a local trial (the Playground) treats its user as
    # the admin, as the console does; a deployment names them in RAPPORT_TEAMS_ADMINS.
    call = await command(teams, "team create Platform")
    assert "Created team Platform" in call.all_text().replace("*", "")
