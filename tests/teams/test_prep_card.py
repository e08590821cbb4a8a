"""/prep on Teams: an Adaptive Card form in the 1:1 chat, saved with its Universal Action
(Action.Execute, verb prep.save) or the Action.Submit fallback, updating the card in place.

The card is kept as a test artefact (tests/teams/artifacts/prep_card.json), to open in the
Adaptive Cards Designer or the Agents Playground."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fake_connector import Call
from teams_harness import PRIYA, TeamsDriver

ARTIFACTS = Path(__file__).parent / "artifacts"


def mention(user: dict[str, str]) -> dict[str, object]:
    return {"type": "mention", "text": f"<at>{user['name']}</at>",
            "mentioned": {"id": user["id"], "name": user["name"]}}


async def start(teams: TeamsDriver) -> Call:
    before = len(teams.connector.sent)
    answer = await teams.say("prep the Q1 headcount with <at>Priya Patel</at> on Friday",
                             entities=[mention(PRIYA)])
    assert answer.status == 200
    [card] = teams.connector.sent[before:]
    return card


def inputs(card: Call) -> dict[str, dict[str, Any]]:
    return {block["id"]: block for block in card.card["body"] if block["type"] == "Input.Text"}


async def test_prep_sends_a_form_card_in_the_1_1_chat(teams: TeamsDriver) -> None:
    card = await start(teams)
    assert card.conversation == "a:personal-29:alex"
    body = card.card
    fields = inputs(card)
    assert list(fields)[:3] == ["field_want", "field_walk_away", "field_alternative"]
    assert len(fields) == 12 and all(f["isMultiline"] and f["value"] == "" for f in fields.values())
    [save] = body["actions"]
    assert save["type"] == "Action.Execute" and save["verb"] == "prep.save"
    assert save["data"] == {"action": "prep.save", "value": "1"}
    assert save["fallback"]["type"] == "Action.Submit" and save["fallback"]["data"] == save["data"]
    text = card.all_text()
    assert "Prep #1 started" in text and "<at>Priya Patel</at>" in text
    assert "Only you see this." in text
    assert "/prep answer" not in text   # the console's prompt is not on the card
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "prep_card.json").write_text(json.dumps(body, indent=2) + "\n")
    # Priya heard nothing.
    assert all(c.conversation != "a:personal-29:priya" for c in teams.connector.sent)


async def test_saving_with_action_execute_updates_the_card_with_drafts_and_feedback(
        teams: TeamsDriver) -> None:
    card = await start(teams)
    save = card.card["actions"][0]
    value = {"action": {"type": "Action.Execute", "id": "save", "verb": save["verb"],
                        "data": {**save["data"], "field_want": "two engineers",
                                 "field_concessions": "start in February"}},
             "trigger": "manual"}
    answer = await teams.post(teams.activity("invoke", name="adaptiveCard/action", value=value,
                                             replyToId=card.id))
    assert answer.status == 200
    returned = json.loads(answer.text)
    assert returned["statusCode"] == 200
    updated = returned["value"]
    texts = "\n".join(b.get("text", "") for b in updated["body"] if b["type"] == "TextBlock")
    assert "Draft saved: 2 of 12 answered." in texts
    assert "Develop an alternative first" in texts and "Trade it, don't give it" in texts
    drafts = {b["id"]: b["value"] for b in updated["body"] if b["type"] == "Input.Text"}
    assert drafts["field_want"] == "two engineers" and drafts["field_opening"] == ""


async def test_saving_with_the_submit_fallback_saves_too(teams: TeamsDriver) -> None:
    card = await start(teams)
    save = card.card["actions"][0]["fallback"]
    answer = await teams.click(save, card.id, inputs={"field_alternative": "a contractor",
                                                      "field_allies": "Kim"})
    assert answer.status == 200
    [update] = teams.connector.of("update")
    assert update.activity_id == card.id
    assert "Draft saved: 2 of 12 answered." in update.all_text()
    assert "Develop an alternative first" not in update.all_text()
    before = len(teams.connector.sent)
    await teams.say("prep show 1")
    shown = teams.connector.sent[before].all_text()
    assert "a contractor" in shown and "Kim" in shown
