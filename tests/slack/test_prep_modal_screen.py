"""The Slack modal's screenshot (tests/artefacts/prep_modal.png) shows the Block Kit the app
sends now: tests/artefacts/prep_modal.json, the JSON it was rendered from, must equal the view
/prep opens through the real HTTP path. Regenerate both with
`.venv/bin/python tests/artefacts/render_prep_screens.py` (needs Chromium; this test does not)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from slack_harness import SlackDriver

ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts"
sys.path.insert(0, str(ARTEFACTS))
from render_prep_screens import slack_preview_html  # noqa: E402


async def test_the_screenshot_json_is_the_modal_prep_opens(slack: SlackDriver) -> None:
    await slack.command("prep", "the Q1 headcount with <@U2|lee> on Friday")
    await slack.settled()
    view = slack.api.last("views.open").args["view"]
    kept = json.loads((ARTEFACTS / "prep_modal.json").read_text())
    assert view == kept, "the modal changed: rerun tests/artefacts/render_prep_screens.py"
    assert (ARTEFACTS / "prep_modal.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_preview_renders_every_block_kit_element_rapport_uses() -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Prep #2"},
            "submit": {"type": "plain_text", "text": "Save"}, "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Heads <up>"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "*bold* with <@U2>\nnext"}},
                {"type": "divider"},
                {"type": "input", "block_id": "a", "optional": True,
                 "label": {"type": "plain_text", "text": "Aim"},
                 "element": {"type": "plain_text_input", "multiline": True,
                             "initial_value": "two engineers"}},
                {"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": "Who"},
                 "element": {"type": "static_select", "options": [
                     {"text": {"type": "plain_text", "text": "me"}, "value": "me"},
                     {"text": {"type": "plain_text", "text": "them"}, "value": "them"}],
                     "initial_option": {"value": "them"}}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": "Only you"}]}]}
    page = slack_preview_html(view)
    assert "Heads &lt;up&gt;" in page and "<b>bold</b>" in page and "@U2" in page
    assert "<hr>" in page and "<textarea" in page and "two engineers</textarea>" in page
    assert "<option selected>them</option>" in page and "(optional)" in page
    assert "Only you" in page and "Save</span>" in page
