"""The core's replies as Adaptive Cards 1.5, the version Teams renders everywhere.

A reply becomes one card: its headline, then each section's text as TextBlocks and its buttons
as an ActionSet of Universal Actions (Microsoft's recommendation for bots): `Action.Execute`
with the core's action as its `verb`, an `Action.Submit` fallback for clients without them, and
both carrying exactly the data the core put on the button:

    {"type": "Action.Execute", "verb": "promise.kept", "data": {"action": "promise.kept",
     "value": "7"}, "fallback": {"type": "Action.Submit", ...the same title and data}}

Execute arrives as an `adaptiveCard/action` invoke, the fallback as a message with `value`; the
handler routes both to the core alike. A button that asks for a date comes with an
`Input.Date`; Teams merges the picked day into the data (`"date": "2026-12-05"`). The message
extension's form (a dialog) keeps `Action.Submit`, as dialogs require.

Text is Rapport markup (bot/markup.py), written with Slack's slash commands in mind. On Teams
people type a command without a slash ("promise send the deck"), and TextBlocks have no code
style, so first (`teams_words`) every `code` span becomes bold without its leading slash, and a
command word that starts a line or a bold span loses its slash too ("*/kept*" -> "**kept**").

TextBlocks are markdown, not HTML, so the renderer then:
  * turns `<@id>` into `<at>Name</at>` plus a mention entity in `msteams.entities` (the only
    way a card mentions someone), and `*bold*` into `**bold**`;
  * unescapes `&lt; &gt; &amp;`, but puts a WORD JOINER after every `<` that came from user
    text, so no `<at>` tag (hence no mention) can be forged;
  * breaks markdown link syntax (`](`, `]:`, `][`) with a ZERO WIDTH SPACE, so user text can
    never become a link, whatever the client's markdown flavour does with backslashes.
"""

from __future__ import annotations

import re
from typing import Any

from adapters.teams import prep_card
from bot.markup import plain
from bot.replies import Button, ButtonStyle, Reply

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_ACTIONS = 6          # Teams shows at most six actions in one ActionSet
MAX_SUMMARY = 250
_MENTION = re.compile(r"<@([^>|\s]+)(?:\|[^>]*)?>")
_BOLD = re.compile(r"(?<![\w*\\])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_LINKISH = re.compile(r"\](?=[(\[:])")
WORD_JOINER = "\u2060"
ZERO_WIDTH_SPACE = "\u200b"


_CODE = re.compile(r"`\s*([^`\n]*?)\s*`")
_SLASH_IN_CODE = re.compile(r"(?<![\w/.:])/(?=[a-z])")


def _command_slash() -> re.Pattern[str]:
    from bot.commands.registry import CHAT_COMMANDS

    words = "|".join(sorted(CHAT_COMMANDS.words(), key=len, reverse=True))
    return re.compile(rf"(?:(?<=^)|(?<=\n)|(?<=\*))/(?=(?:{words})\b)", re.IGNORECASE)


_COMMAND_SLASH: list[re.Pattern[str]] = []


def teams_words(markup: str) -> str:
    r"""Rapport markup as Teams people use it: commands without a slash, code spans bold.

    >>> teams_words("*/kept* <number>, e.g. `/kept 3`; `/rapport help` shows more")
    '*kept* <number>, e.g. *kept 3*; *rapport help* shows more'
    >>> teams_words("/promise — Track a promise\nsend it to sam/priya")
    'promise — Track a promise\nsend it to sam/priya'
    """
    if not _COMMAND_SLASH:
        _COMMAND_SLASH.append(_command_slash())
    coded = _CODE.sub(lambda m: f"*{_SLASH_IN_CODE.sub('', m.group(1))}*" if m.group(1) else "",
                      markup)
    return _COMMAND_SLASH[0].sub("", coded)


def _inert(text: str) -> str:
    """Rapport-escaped text made safe for a markdown TextBlock (no tags, no links)."""
    text = text.replace("&lt;" + WORD_JOINER, "&lt;")  # defused once already by translate
    text = text.replace("&lt;", "<" + WORD_JOINER).replace("&gt;", ">").replace("&amp;", "&")
    text = _LINKISH.sub("]" + ZERO_WIDTH_SPACE, text)
    return _BOLD.sub(r"**\1**", text)


class Mentions:
    """Mention entities gathered while rendering one card: `<at>Name</at>` -> the user id."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.entities: list[dict[str, Any]] = []
        self._seen: set[str] = set()

    def at(self, user: str) -> str:
        name = _inert(self.names.get(user) or "someone").replace("<", "").replace(">", "")
        text = f"<at>{name}</at>"
        if user not in self._seen:
            self._seen.add(user)
            self.entities.append({"type": "mention", "text": text,
                                  "mentioned": {"id": user, "name": name}})
        return text


def card_text(markup: str, mentions: Mentions) -> str:
    """Rapport markup as Adaptive Card markdown.

    >>> card_text("*Kept* for <@29:1> &lt;@x&gt; [a](https://evil)", Mentions({"29:1": "Priya"}))
    '**Kept** for <at>Priya</at> <\u2060@x> [a]\u200b(https://evil)'
    """
    markup = teams_words(markup)
    out: list[str] = []
    last = 0
    for match in _MENTION.finditer(markup):
        out.append(_inert(markup[last: match.start()]))
        out.append(mentions.at(match.group(1)))
        last = match.end()
    out.append(_inert(markup[last:]))
    return "".join(out)


def _blocks(markup: str, mentions: Mentions, *, headline: bool = False) -> list[dict[str, Any]]:
    """One TextBlock per paragraph: markdown in Teams ignores single line breaks."""
    blocks: list[dict[str, Any]] = []
    for line in markup.split("\n"):
        if not line.strip():
            continue
        block: dict[str, Any] = {"type": "TextBlock", "text": card_text(line, mentions),
                                 "wrap": True}
        if blocks:
            block["spacing"] = "Small"
        if headline and not blocks:
            block["weight"] = "Bolder"
        blocks.append(block)
    return blocks


def execute(title: str, action: str, value: str = "", *, style: str | None = None,
            extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A button as a Universal Action: `Action.Execute` whose verb is the core's action, and,
    for clients without Universal Actions, the same button as an `Action.Submit` fallback.
    Both carry the same data, so either way the core gets the same Action.

    >>> execute("Kept", "promise.kept", "7")["fallback"]["data"]
    {'action': 'promise.kept', 'value': '7'}
    """
    data: dict[str, Any] = {"action": action, "value": value, **(extra or {})}
    submit: dict[str, Any] = {"type": "Action.Submit", "title": title[:80], "data": data}
    if style:
        submit["style"] = style
    return {**submit, "type": "Action.Execute", "verb": action, "fallback": submit}


def _action(button: Button, date_input: str | None = None) -> dict[str, Any]:
    extra = {"date_input": date_input} if date_input is not None and date_input != "date" \
        else None
    style = {ButtonStyle.PRIMARY: "positive", ButtonStyle.DANGER: "destructive"}.get(button.style)
    return execute(button.label, button.action, button.value, style=style, extra=extra)


def reply_card(reply: Reply, names: dict[str, str] | None = None,
               download: tuple[str, str] | None = None) -> dict[str, Any]:
    """The reply as an Adaptive Card; `download` is (label, url) for an attached file."""
    mentions = Mentions(names or {})
    if reply.form is not None:  # every question at once, with Save (adapters/teams/prep_card.py)
        fields, save = prep_card.form_body(reply, reply.form, lambda t: card_text(t, mentions))
        form: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION,
                                "body": fields, "actions": [save]}
        if mentions.entities:
            form["msteams"] = {"entities": mentions.entities}
        return form
    body: list[dict[str, Any]] = _blocks(reply.text, mentions, headline=True)
    dates = 0
    for section in reply.sections:
        body.extend(_blocks(section.text, mentions))
        plain_buttons: list[dict[str, Any]] = []
        for button in section.buttons:
            if button.asks_for_date:
                input_id = "date" if dates == 0 else f"date_{dates}"
                dates += 1
                body.append({"type": "Input.Date", "id": input_id, "label": button.label[:80],
                             "spacing": "Medium"})
                body.append({"type": "ActionSet", "actions": [_action(button, input_id)]})
            else:
                plain_buttons.append(_action(button))
        for start in range(0, len(plain_buttons), MAX_ACTIONS):
            body.append({"type": "ActionSet", "actions": plain_buttons[start: start + MAX_ACTIONS]})
    if download is not None:
        label, url = download
        body.append({"type": "ActionSet", "actions": [
            {"type": "Action.OpenUrl", "title": label[:80], "url": url}]})
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION,
                            "body": body or [{"type": "TextBlock", "text": " "}]}
    if mentions.entities:
        card["msteams"] = {"entities": mentions.entities}
    return card


def summary(reply: Reply) -> str:
    """The notification line: the headline as plain text."""
    return plain(reply.text.split("\n", 1)[0])[:MAX_SUMMARY]


def track_form(what: str, due: str | None) -> dict[str, Any]:
    """The "Track as promise" dialog of the message extension, prefilled from the message."""
    return {
        "type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION,
        "body": [
            {"type": "Input.Text", "id": "what", "label": "What did you promise?",
             "isMultiline": True, "maxLength": 300, "value": what[:300], "isRequired": True,
             "errorMessage": "Say what you promised."},
            {"type": "Input.Date", "id": "due", "label": "By when?", "value": due or ""},
            {"type": "TextBlock", "wrap": True, "isSubtle": True, "size": "Small",
             "text": "I'll remind you on the morning it's due, and ask how it went."},
        ],
        "actions": [{"type": "Action.Submit", "title": "Track", "style": "positive",
                     "data": {"action": "track_form"}}],
    }


def welcome_card() -> dict[str, Any]:
    """Sent when Rapport is installed: what it does, in a few lines, and where to start."""
    lines = [
        "**Hi, I'm Rapport.** I help you build trust at work one small habit at a time: keeping "
        "promises, recognising people specifically, and handing over decisions.",
        "When you promise something in chat (\"I'll send the deck by Friday\"), I'll offer to "
        "track it and check in when it's due.",
        "Try **kudos @someone what exactly they did**, **promise** something, or **habits** to "
        "see your streaks. **help** lists everything.",
    ]
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION,
            "body": [{"type": "TextBlock", "text": line, "wrap": True} for line in lines],
            "actions": [execute("See my habits", "nudge.habits")]}
