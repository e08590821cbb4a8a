"""A core `Form` (bot.replies) as an Adaptive Card form: the negotiation prep on Teams.

The card shows the reply's headline and the form's intro, then one `Input.Text` per field
(multiline, optional, the draft as its value), and one Universal Action: `Action.Execute`
whose verb is the form's action, with an `Action.Submit` fallback carrying the same data, as
adapters/teams/cards.py does for every button. Teams merges each input into the data under
its id; input ids are the field names behind `FIELD_PREFIX`, so translate picks them out:

    {"action": "prep.save", "value": "1", "field_want": "two engineers", ...}
      -> Action("prep.save", "1", values={"want": "two engineers", ...})

The reply's sections (the console's one-question-at-a-time prompt) are left out: the card has
every question at once.
"""

from __future__ import annotations

from typing import Any

from bot.replies import Form, Reply

FIELD_PREFIX = "field_"
INPUT_MAX = 1000          # habits.negotiation keeps this much of an answer


def form_body(reply: Reply, form: Form, text: Any) -> tuple[list[dict[str, Any]],
                                                           dict[str, Any]]:
    """The card's body and its Save action; `text` renders Rapport markup for a TextBlock
    (cards.card_text with the card's mentions)."""
    body: list[dict[str, Any]] = []
    for number, line in enumerate(
            line for line in f"{reply.text}\n{form.intro}".split("\n") if line.strip()):
        block: dict[str, Any] = {"type": "TextBlock", "text": text(line), "wrap": True}
        if number == 0:
            block["weight"] = "Bolder"
        else:
            block["spacing"] = "Small"
        body.append(block)
    for field in form.fields:
        item: dict[str, Any] = {"type": "Input.Text", "id": FIELD_PREFIX + field.name,
                                "label": field.label, "isMultiline": field.multiline,
                                "maxLength": INPUT_MAX, "value": field.value[:INPUT_MAX],
                                "spacing": "Medium"}
        if field.hint:
            item["placeholder"] = field.hint
        body.append(item)
    data = {"action": form.action, "value": form.value}
    submit: dict[str, Any] = {"type": "Action.Submit", "title": form.submit[:80],
                              "style": "positive", "data": data}
    return body, {**submit, "type": "Action.Execute", "verb": form.action, "fallback": submit}


def field_values(data: dict[str, Any]) -> dict[str, str]:
    """The texts typed into a form card, by field name.

    >>> field_values({"action": "prep.save", "field_want": "a raise", "field_x": 3})
    {'want': 'a raise'}
    """
    return {key.removeprefix(FIELD_PREFIX): raw for key, raw in data.items()
            if isinstance(key, str) and key.startswith(FIELD_PREFIX) and isinstance(raw, str)}
