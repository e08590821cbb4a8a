"""The Teams card's screenshot (tests/artefacts/prep_card.png, drawn by Microsoft's
adaptivecards renderer) shows the card the app sends now: tests/artefacts/prep_card.json must
equal the card /prep sends through the real Bot Framework path. Regenerate both with
`.venv/bin/python tests/artefacts/render_prep_screens.py` (needs Chromium; this test does not)."""

from __future__ import annotations

import json
from pathlib import Path

from teams_harness import PRIYA, TeamsDriver

ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts"


async def test_the_screenshot_json_is_the_card_prep_sends(teams: TeamsDriver) -> None:
    before = len(teams.connector.sent)
    await teams.say("prep the Q1 headcount with <at>Priya Patel</at> on Friday",
                    entities=[{"type": "mention", "text": f"<at>{PRIYA['name']}</at>",
                               "mentioned": {"id": PRIYA["id"], "name": PRIYA["name"]}}])
    [sent] = teams.connector.sent[before:]
    kept = json.loads((ARTEFACTS / "prep_card.json").read_text())
    assert sent.card == kept, "the card changed: rerun tests/artefacts/render_prep_screens.py"
    assert (ARTEFACTS / "prep_card.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
