"""Screenshots of /prep's form as Slack and Teams show it, from the JSON Rapport sends.

    .venv/bin/python tests/artefacts/render_prep_screens.py

1. Runs the two tests that drive /prep through the real Slack and Teams HTTP paths; they write
   the modal's Block Kit (tests/slack/artifacts/prep_modal.json, from views.open) and the
   Adaptive Card (tests/teams/artifacts/prep_card.json, from the Bot Framework send).
2. Copies both here (prep_modal.json, prep_card.json): the exact JSON the screenshots show.
   tests/slack/test_prep_modal_screen.py and tests/teams/test_prep_card_screen.py fail when
   the app sends anything else, so the pictures cannot go stale silently.
3. Renders the modal with `slack_preview_html` below (a small renderer of the Block Kit
   elements Rapport uses: header, section, input with plain_text_input or static_select,
   context, divider) and the card with Microsoft's `adaptivecards` JS renderer (npm, installed
   under tests/artefacts/.node when missing), each in a local HTML page, and screenshots them
   with Debian's headless Chromium: prep_modal.png, prep_card.png.

The Microsoft 365 Agents Playground cannot run here (it needs a Microsoft sign-in and the
network); the official renderer is what it uses to draw a card.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SLACK_JSON = ROOT / "tests" / "slack" / "artifacts" / "prep_modal.json"
TEAMS_JSON = ROOT / "tests" / "teams" / "artifacts" / "prep_card.json"
NODE = HERE / ".node"
CHROMIUM = "/usr/bin/chromium"


def _plain(obj: dict[str, Any] | None) -> str:
    return html.escape(obj["text"]) if obj else ""


def _mrkdwn(text: str) -> str:
    """Slack mrkdwn as HTML: *bold*, _italic_, `code`, <@U1> mentions, <url|label>, newlines."""
    out = html.escape(text, quote=False)
    out = re.sub(r"&lt;@([A-Z0-9]+)(?:\|[^&]*)?&gt;", r'<span class="mention">@\1</span>', out)
    out = re.sub(r"&lt;(https?://[^|&]+)\|([^&]+)&gt;", r'<a href="\1">\2</a>', out)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"<i>\1</i>", out)
    return out.replace("\n", "<br>")


def _text(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    return _mrkdwn(obj["text"]) if obj.get("type") == "mrkdwn" else _plain(obj)


def _element(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "plain_text_input":
        value = html.escape(element.get("initial_value", ""))
        placeholder = _plain(element.get("placeholder"))
        if element.get("multiline"):
            return f'<textarea placeholder="{placeholder}">{value}</textarea>'
        return f'<input type="text" placeholder="{placeholder}" value="{value}">'
    if kind == "static_select":
        chosen = (element.get("initial_option") or {}).get("value")
        options = "".join(
            f'<option{" selected" if o["value"] == chosen else ""}>{_plain(o["text"])}</option>'
            for o in element.get("options", []))
        return f"<select>{options}</select>"
    raise ValueError(f"no preview for Block Kit element {kind!r}")


def _block(block: dict[str, Any]) -> str:
    kind = block["type"]
    if kind == "header":
        return f'<h2 class="header">{_plain(block["text"])}</h2>'
    if kind == "section":
        fields = "".join(f"<div>{_text(f)}</div>" for f in block.get("fields", []))
        return (f'<div class="section">{_text(block.get("text"))}'
                f'{f"<div class=fields>{fields}</div>" if fields else ""}</div>')
    if kind == "input":
        optional = ' <span class="optional">(optional)</span>' if block.get("optional") else ""
        hint = f'<div class="hint">{_plain(block.get("hint"))}</div>' if block.get("hint") else ""
        return (f'<div class="input"><label>{_plain(block["label"])}{optional}</label>'
                f'{_element(block["element"])}{hint}</div>')
    if kind == "context":
        return '<div class="context">' + " ".join(
            _text(e) for e in block["elements"] if e.get("type") in ("mrkdwn", "plain_text")
        ) + "</div>"
    if kind == "divider":
        return "<hr>"
    raise ValueError(f"no preview for Block Kit block {kind!r}")


SLACK_CSS = """
body { margin: 0; background: #1a1d21cc; font: 15px/1.46 Lato, 'Helvetica Neue', Arial, sans-serif;
       color: #1d1c1d; }
.modal { width: 520px; margin: 24px auto; background: #fff; border-radius: 8px;
         box-shadow: 0 0 0 1px #0002, 0 18px 48px #0006; }
.title { display: flex; justify-content: space-between; align-items: center;
         padding: 20px 28px; font-size: 22px; font-weight: 900; border-bottom: 1px solid #ddd; }
.title .x { font-weight: 400; color: #616061; }
.blocks { padding: 12px 28px 20px; }
.section, .input, .context { margin: 12px 0; }
.input label { display: block; font-weight: 700; margin-bottom: 6px; }
.optional { font-weight: 400; color: #616061; }
textarea, input, select { box-sizing: border-box; width: 100%; font: inherit; padding: 8px 12px;
         border: 1px solid #868686; border-radius: 4px; }
textarea { min-height: 64px; resize: none; }
.hint, .context { font-size: 13px; color: #616061; margin-top: 4px; }
.mention { color: #1264a3; background: #1d9bd11a; border-radius: 3px; padding: 0 2px; }
code { font: 12px Monaco, Menlo, monospace; color: #e01e5a; background: #f6f6f6;
       border: 1px solid #ddd; border-radius: 3px; padding: 0 3px; }
hr { border: 0; border-top: 1px solid #ddd; }
.footer { display: flex; justify-content: flex-end; gap: 12px; padding: 20px 28px;
          border-top: 1px solid #ddd; }
.button { padding: 6px 16px; border-radius: 4px; font-weight: 700; border: 1px solid #bbb; }
.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
"""


def slack_preview_html(view: dict[str, Any]) -> str:
    """A modal view (Block Kit JSON, as sent to views.open) as a self-contained HTML page."""
    blocks = "\n".join(_block(b) for b in view["blocks"])
    submit = (f'<span class="button primary">{_plain(view["submit"])}</span>'
              if view.get("submit") else "")
    close = _plain(view.get("close")) or "Cancel"
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{SLACK_CSS}</style>"
            f"</head><body><div class='modal'><div class='title'>{_plain(view['title'])}"
            "<span class='x'>✕</span></div>"
            f"<div class='blocks'>{blocks}</div><div class='footer'>"
            f"<span class='button'>{close}</span>{submit}</div></div></body></html>")


def teams_preview_html(card: dict[str, Any], script: Path, css: Path) -> str:
    """The Adaptive Card rendered in the page by Microsoft's adaptivecards renderer."""
    return rf"""<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="{css.as_uri()}">
<style>body {{ margin: 0; background: #f5f5f5; font-family: 'Segoe UI', Arial, sans-serif; }}
#card {{ width: 540px; margin: 24px auto; background: #fff; border-radius: 6px;
        box-shadow: 0 2px 8px #0003; overflow: hidden; }}</style>
<script src="{script.as_uri()}"></script></head><body><div id="card"></div><script>
// Teams renders a TextBlock's markdown and shows <at>Name</at> as the mention's name: the same
// here, with a small markdown step (bold, italic, line breaks), as the renderer's docs suggest.
AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {{
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  result.outputHtml = escaped
    .replace(/&lt;at&gt;(.*?)&lt;\/at&gt;/g, '<b style="color:#5B5FC7">$1</b>')
    .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>").replace(/_(.+?)_/g, "<i>$1</i>")
    .replace(/\n/g, "<br>");
  result.didProcess = true;
}};
const card = new AdaptiveCards.AdaptiveCard();
card.hostConfig = new AdaptiveCards.HostConfig({{
  fontFamily: "Segoe UI, Arial, sans-serif",
  containerStyles: {{ default: {{ backgroundColor: "#FFFFFF",
    foregroundColors: {{ default: {{ default: "#242424", subtle: "#616161" }},
                         accent: {{ default: "#5B5FC7" }} }} }} }},
  actions: {{ actionsOrientation: "horizontal", actionAlignment: "left", buttonSpacing: 8 }}
}});
card.parse({json.dumps(card)});
const rendered = card.render();
document.getElementById("card").appendChild(rendered);
document.title = "rendered";
</script></body></html>"""


def screenshot(page: Path, png: Path, height: int) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--hide-scrollbars", "--allow-file-access-from-files",
             f"--user-data-dir={profile}", f"--window-size=600,{height}",
             "--virtual-time-budget=3000", f"--screenshot={png}", page.as_uri()],
            check=True, capture_output=True, timeout=120)


def adaptivecards() -> tuple[Path, Path]:
    dist = NODE / "node_modules" / "adaptivecards" / "dist"
    if not (dist / "adaptivecards.min.js").exists():
        subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix",
                        str(NODE), "adaptivecards"], check=True)
    return dist / "adaptivecards.min.js", dist / "adaptivecards.css"


def refresh_json() -> None:
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "tests/slack/test_prep_modal.py::"
                    "test_prep_opens_a_modal_and_its_submission_saves_the_draft",
                    "tests/teams/test_prep_card.py::test_prep_sends_a_form_card_in_the_1_1_chat"],
                   cwd=ROOT, check=True)


def main() -> None:
    refresh_json()
    shutil.copyfile(SLACK_JSON, HERE / "prep_modal.json")
    shutil.copyfile(TEAMS_JSON, HERE / "prep_card.json")
    view = json.loads(SLACK_JSON.read_text())
    card = json.loads(TEAMS_JSON.read_text())
    script, css = adaptivecards()
    with tempfile.TemporaryDirectory() as tmp:
        slack_page = Path(tmp) / "prep_modal.html"
        slack_page.write_text(slack_preview_html(view))
        screenshot(slack_page, HERE / "prep_modal.png", 1940)
        teams_page = Path(tmp) / "prep_card.html"
        teams_page.write_text(teams_preview_html(card, script, css))
        screenshot(teams_page, HERE / "prep_card.png", 1680)
    print("wrote", HERE / "prep_modal.png", HERE / "prep_card.png")


if __name__ == "__main__":
    main()
