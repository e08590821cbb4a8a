"""A core `Form` (bot.replies) as a Slack modal, and its view_submission back as an Action.

The negotiation prep (bot/commands/prep.py) is the form Rapport opens today: `/prep` answers
with a reply carrying one, and the processor opens it with the trigger_id of the slash command
or the button (it lives 3 seconds). Each field is an optional multiline input whose block_id
and action_id are the field's name; the private_metadata carries the core's action and value,
the channel the confirmation goes to, and the workspace the modal was opened for (as
render.track_modal does, for Slack Connect).

    view_submission -> Action(action, value, values={field name: text})
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.replies import Form

log = logging.getLogger("rapport.slack")

CALLBACK = "rapport.form"
TITLE_MAX = 24            # Slack's limit on a modal's title, submit and close labels
INPUT_MAX = 3000          # a plain_text_input's value
LABEL_MAX = 2000
HINT_MAX = 2000


def modal(form: Form, *, workspace: str = "", channel: str | None = None) -> dict[str, Any]:
    """The Block Kit modal for `form`, its drafts filled in."""
    meta: dict[str, str] = {"a": form.action, "v": form.value}
    if workspace:
        meta["w"] = workspace
    if channel:
        meta["channel"] = channel
    blocks: list[dict[str, Any]] = []
    if form.intro.strip():
        blocks.append({"type": "section",
                       "text": {"type": "mrkdwn", "text": form.intro[:3000], "verbatim": True}})
    for field in form.fields:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": field.name,
                                   "multiline": field.multiline, "max_length": INPUT_MAX}
        if field.value:
            element["initial_value"] = field.value[:INPUT_MAX]
        block: dict[str, Any] = {"type": "input", "block_id": field.name, "optional": True,
                                 "label": {"type": "plain_text", "text": field.label[:LABEL_MAX]},
                                 "element": element}
        if field.hint:
            block["hint"] = {"type": "plain_text", "text": field.hint[:HINT_MAX]}
        blocks.append(block)
    return {"type": "modal", "callback_id": CALLBACK,
            "title": {"type": "plain_text", "text": form.title[:TITLE_MAX]},
            "submit": {"type": "plain_text", "text": form.submit[:TITLE_MAX]},
            "close": {"type": "plain_text", "text": "Close"},
            "private_metadata": json.dumps(meta), "blocks": blocks}


async def open_form(client: AsyncWebClient, trigger_id: str, form: Form, *, workspace: str,
                    channel: str | None) -> bool:
    """views.open with the trigger of the command or button that asked for the form; False
    when Slack refused it (the trigger expired after its 3 seconds, say): the reply then goes
    as a message, with its Open the form button for a fresh trigger."""
    try:
        await client.views_open(trigger_id=trigger_id,
                                view=modal(form, workspace=workspace, channel=channel))
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("a form could not be opened: %s", error)
        return False
    return True


def metadata(body: dict[str, Any]) -> dict[str, str]:
    view = body.get("view") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in meta.items() if isinstance(v, str)} if isinstance(meta, dict) \
        else {}


def submitted(body: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """The core's action, its value and the texts typed, from a view_submission of `modal`.

    >>> body = {"view": {"private_metadata": '{"a": "prep.save", "v": "2"}', "state": {
    ...     "values": {"want": {"want": {"type": "plain_text_input", "value": "a raise"}},
    ...                "opening": {"opening": {"type": "plain_text_input", "value": None}}}}}}
    >>> submitted(body)
    ('prep.save', '2', {'want': 'a raise', 'opening': ''})
    """
    meta = metadata(body)
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    texts: dict[str, str] = {}
    for block_id, inputs in values.items():
        if not isinstance(inputs, dict):
            continue
        entry = inputs.get(block_id)
        if isinstance(entry, dict):
            value = entry.get("value")
            texts[str(block_id)] = value if isinstance(value, str) else ""
    return meta.get("a", ""), meta.get("v", ""), texts
