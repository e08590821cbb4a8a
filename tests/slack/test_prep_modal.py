"""/prep on Slack, through the real HTTP path: the modal opens with the slash command's
trigger_id, its submission saves the draft, and only the person preparing sees anything.

The modal's Block Kit is kept as a test artefact (tests/slack/artifacts/prep_modal.json), to
paste into Block Kit Builder or render in a local preview."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slack_harness import SlackDriver

ARTIFACTS = Path(__file__).parent / "artifacts"


def submission(view: dict[str, Any], answers: dict[str, str], user: str = "U1") -> dict[str, Any]:
    """The view_submission Slack sends for the modal `view` with `answers` typed in."""
    values = {block["block_id"]: {block["block_id"]: {
        "type": "plain_text_input",
        "value": answers.get(block["block_id"], block["element"].get("initial_value"))}}
        for block in view["blocks"] if block["type"] == "input"}
    return {"type": "view_submission", "user": {"id": user, "username": user.lower(),
                                                 "team_id": "T1"},
            "view": {"id": "V1", "type": "modal", "callback_id": view["callback_id"],
                     "private_metadata": view["private_metadata"], "app_installed_team_id": "T1",
                     "state": {"values": values}}}


async def test_prep_opens_a_modal_and_its_submission_saves_the_draft(slack: SlackDriver) -> None:
    answer = await slack.command("prep", "the Q1 headcount with <@U2|lee> on Friday")
    assert answer.status == 200
    await slack.settled()
    call = slack.api.last("views.open")
    assert call.args["trigger_id"].startswith("trigger-")
    view = call.args["view"]
    assert view["type"] == "modal" and view["callback_id"] == "rapport.form"
    assert view["title"]["text"] == "Prep #1" and view["submit"]["text"] == "Save draft"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs][:3] == ["want", "walk_away", "alternative"]
    assert len(inputs) == 12 and all(b["optional"] for b in inputs)
    assert "the Q1 headcount — with <@U2> —" in view["blocks"][0]["text"]["text"]
    assert json.loads(view["private_metadata"]) == {"a": "prep.save", "v": "1", "w": "T1",
                                                    "channel": "C1"}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "prep_modal.json").write_text(json.dumps(view, indent=2) + "\n")
    # The modal is the answer: nothing was posted, nothing reached the counterpart.
    assert slack.api.called("response_url") == []
    assert slack.api.called("chat.postMessage") == []

    answer = await slack.interaction(submission(view, {
        "want": "two engineers", "concessions": "start in February"}))
    assert (answer.status, answer.text) == (200, "")   # the modal closes
    await slack.settled()
    saved = slack.api.last("chat.postEphemeral")
    assert (saved.args["channel"], saved.args["user"]) == ("C1", "U1")
    text = saved.all_text()
    assert "Draft saved: 2 of 12 answered." in text
    assert "Develop an alternative first" in text and "Trade it, don't give it" in text
    assert slack.api.called("chat.postMessage") == []

    # Open the form again: a fresh trigger, the drafts filled in.
    await slack.press(saved.element("Open the form"))
    await slack.settled()
    again = slack.api.last("views.open")
    assert again.args["trigger_id"] != call.args["trigger_id"]
    drafts = {b["block_id"]: b["element"].get("initial_value")
              for b in again.args["view"]["blocks"] if b["type"] == "input"}
    assert drafts["want"] == "two engineers" and drafts["opening"] is None


async def test_an_expired_trigger_sends_the_question_as_a_message(slack: SlackDriver) -> None:
    slack.api.fail("views.open", "expired_trigger_id")
    await slack.command("prep", "the vendor renewal with <@U2|lee>")
    await slack.settled()
    [answered] = slack.api.called("response_url")
    text = "\n".join(b.get("text", {}).get("text", "") for b in answered.args.get("blocks", []))
    assert "Prep #1 started" in answered.args["text"] and "1 of 12." in text


async def test_the_counterpart_sees_nothing_of_the_prep(slack: SlackDriver) -> None:
    await slack.command("prep", "the Q1 headcount with <@U2|lee> on Friday")
    await slack.settled()
    await slack.command("prep", "list", user="U2", response="lee")
    await slack.settled()
    [lee] = slack.api.called("response_url")
    assert "No preps yet" in lee.args["text"] and "headcount" not in json.dumps(lee.args)
    assert all(c.conversation != "DU2" for c in slack.api.called("chat.postMessage"))
