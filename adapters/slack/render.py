"""The core's replies as Block Kit, built with `slack_sdk.models` so Slack's limits are checked
(messages, sent by the hundred thousand each morning, as the same JSON written out directly).

Rapport markup is Slack mrkdwn already (`<@U1>` mentions, `*bold*`, `&lt;` escapes), so text
goes out unchanged; every text object is `verbatim` so Slack never turns a plain "@here" in it
into a broadcast or a link.

Buttons carry the core's action as their `action_id` (plus `~<n>`, because Slack wants ids
unique within a message) and its value as their value. A button that asks for a date becomes
a date picker whose `action_id` also carries the value: `promise.more_time~2~7`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.replies import Button, ButtonStyle, Reply, Section

SECTION_LIMIT = 3000      # characters in a section's text
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
ACTIONS_PER_BLOCK = 25
TRACK_CALLBACK = "rapport.track_promise"
TRACK_SHORTCUT = "rapport.track_as_promise"
_SEPARATOR = "~"
T = TypeVar("T")


def encode_action(action: str, index: int, value: str | None = None) -> str:
    """The action_id of a button (value None) or of a date picker (value carried along).

    >>> encode_action("promise.kept", 0), encode_action("promise.more_time", 1, "7")
    ('promise.kept~0', 'promise.more_time~1~7')
    """
    base = f"{action}{_SEPARATOR}{index}"
    return base if value is None else f"{base}{_SEPARATOR}{value}"


def decode_action(action_id: str) -> tuple[str, str | None]:
    """The core's action, and the value a date picker carried (None for a button).

    >>> decode_action("promise.more_time~1~C1:17.5"), decode_action("handover.accept~0")
    (('promise.more_time', 'C1:17.5'), ('handover.accept', None))
    """
    action, _, rest = action_id.partition(_SEPARATOR)
    _, found, value = rest.partition(_SEPARATOR)
    return action, (value if found else None)


def _chunks(text: str, size: int = SECTION_LIMIT) -> list[str]:
    """Split long text at line breaks so each part fits a section."""
    parts: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def _mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text, verbatim=True)


def _element(button: Button, index: int) -> ButtonElement | DatePickerElement:
    if button.asks_for_date:
        action_id = encode_action(button.action, index, button.value)
        if len(action_id) <= ButtonElement.action_id_max_length:
            return DatePickerElement(action_id=action_id, placeholder=button.label[:150])
    style = {ButtonStyle.PRIMARY: "primary", ButtonStyle.DANGER: "danger"}.get(button.style)
    return ButtonElement(text=PlainTextObject(text=button.label[:75], emoji=True),
                         action_id=encode_action(button.action, index), value=button.value,
                         style=style)


def section_blocks(section: Section, start: int = 0) -> list[Block]:
    """A section's text (split to fit) and its buttons in actions blocks."""
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(part)) for part in _chunks(section.text)
                           if part.strip()]
    buttons = list(section.buttons)
    for offset in range(0, len(buttons), ACTIONS_PER_BLOCK):
        blocks.append(ActionsBlock(elements=[
            _element(button, start + offset + i)
            for i, button in enumerate(buttons[offset: offset + ACTIONS_PER_BLOCK])
        ]))
    return blocks


def _assemble(reply: Reply, text: Callable[[str], T],
              section: Callable[[Section, int], Iterable[T]], more: Callable[[], T],
              limit: int) -> list[T]:
    """The reply's headline, then each section, within Slack's block limit (the last block
    then points to the rest)."""
    blocks = [text(part) for part in _chunks(reply.text) if part.strip()]
    index = 0
    for part in reply.sections:
        blocks.extend(section(part, index))
        index += len(part.buttons)
    if len(blocks) > limit:
        blocks = [*blocks[: limit - 1], more()]
    return blocks


def _more() -> ContextBlock:
    return ContextBlock(elements=[_mrkdwn("…and more: `/kept` lists everything.")])


def reply_blocks(reply: Reply, limit: int = MESSAGE_BLOCKS) -> list[Block]:
    """The reply as blocks: its headline, then each section, within Slack's block limit."""
    return _assemble(reply, lambda part: SectionBlock(text=_mrkdwn(part)), section_blocks,
                     _more, limit)


def _mrkdwn_json(text: str) -> dict[str, Any]:
    return {"text": text, "type": "mrkdwn", "verbatim": True}


def _plain_json(text: str) -> dict[str, Any]:
    return {"emoji": True, "text": text, "type": "plain_text"}


def _text_json(part: str) -> dict[str, Any]:
    return {"text": _mrkdwn_json(part), "type": "section"}


def _element_json(button: Button, index: int) -> dict[str, Any]:
    """``_element(button, index).to_dict()``, built directly: the same JSON, without the models'
    reflection (a morning fan-out renders a hundred thousand of these). What a model would
    refuse goes through the model, which raises as before."""
    if button.asks_for_date:
        action_id = encode_action(button.action, index, button.value)
        if len(action_id) <= ButtonElement.action_id_max_length:
            placeholder = button.label[:150]
            return {"action_id": action_id, "type": "datepicker",
                    **({"placeholder": _plain_json(placeholder)} if placeholder else {})}
    action_id = encode_action(button.action, index)
    label = button.label[:75]
    if len(action_id) > ButtonElement.action_id_max_length or not label or \
            len(button.value) > ButtonElement.value_max_length:
        return _element(button, index).to_dict()
    found: dict[str, Any] = {"action_id": action_id}
    style = _STYLES.get(button.style)
    if style is not None:
        found["style"] = style
    found["text"] = _plain_json(label)
    found["type"] = "button"
    if button.value:
        found["value"] = button.value
    return found


_STYLES = {ButtonStyle.PRIMARY: "primary", ButtonStyle.DANGER: "danger"}


def _section_json(section: Section, start: int) -> list[dict[str, Any]]:
    """``[block.to_dict() for block in section_blocks(section, start)]``, built directly."""
    blocks = [_text_json(part) for part in _chunks(section.text) if part.strip()]
    buttons = section.buttons
    for offset in range(0, len(buttons), ACTIONS_PER_BLOCK):
        blocks.append({"elements": [
            _element_json(button, start + offset + i)
            for i, button in enumerate(buttons[offset: offset + ACTIONS_PER_BLOCK])
        ], "type": "actions"})
    return blocks


def message(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for chat.postMessage / postEphemeral / a response_url.

    `text` is the notification (and screen reader) line. Blocks are the JSON of the ones
    `reply_blocks` builds with slack-sdk's models, written out directly (tests/slack/
    test_render_json.py holds the two equal): every text, label and id is cut to Slack's limits
    as the models require, and a part the models would refuse is built by them, so they raise.
    """
    blocks = _assemble(reply, _text_json, _section_json, lambda: _more().to_dict(), MESSAGE_BLOCKS)
    return {"text": reply.text[:SECTION_LIMIT] or " ", "blocks": blocks}


def home_view(parts: list[list[Reply]], banner: Reply | None = None) -> View:
    """The Home tab: an optional banner (the answer to a button pressed there), then the
    core's answer to each command, divided."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text="Rapport"))]
    if banner is not None:
        blocks.extend(reply_blocks(banner, VIEW_BLOCKS))
        blocks.append(DividerBlock())
    for replies in parts:
        for reply in replies:
            blocks.extend(reply_blocks(reply, VIEW_BLOCKS))
        blocks.append(DividerBlock())
    if len(blocks) > VIEW_BLOCKS:
        blocks = [*blocks[: VIEW_BLOCKS - 1], ContextBlock(elements=[
            _mrkdwn("…and more: `/kept` lists every open promise.")])]
    return View(type="home", blocks=blocks)


MESSAGES_INTRO = (
    "Hi, I'm Rapport. I help with small habits that build trust at work: keeping promises, "
    "specific praise, handing decisions over. Once you use me, I send one short nudge a day "
    "at most, at your local time: try `/promise send the deck to Priya by Friday`, or "
    "`/rapport help`.")


def track_modal(what: str, due: date | None, channel: str, ref: str, *, workspace: str = "",
                thread: str | None = None) -> View:
    """The "Track as promise" modal, prefilled from the message. Its metadata carries the
    workspace it was opened for (Slack does not name our org when a Slack Connect partner
    submits it) and the thread the message was in (the confirmation goes there)."""
    meta: dict[str, str] = {"channel": channel, "ref": ref}
    if workspace:
        meta["w"] = workspace
    if thread:
        meta["thread"] = thread
    due_element = DatePickerElement(action_id="due", initial_date=due.isoformat() if due else None,
                                    placeholder="Pick a day")
    return View(
        type="modal", callback_id=TRACK_CALLBACK,
        title=PlainTextObject(text="Track a promise"),
        submit=PlainTextObject(text="Track"), close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps(meta),
        blocks=[
            InputBlock(block_id="what", label=PlainTextObject(text="What did you promise?"),
                       element=PlainTextInputElement(action_id="what", multiline=True,
                                                     initial_value=what[:300] or None,
                                                     max_length=300)),
            InputBlock(block_id="due", label=PlainTextObject(text="By when?"), optional=True,
                       element=due_element),
            ContextBlock(elements=[_mrkdwn(
                "I'll remind you on the morning it's due, and ask how it went.")]),
        ],
    )
