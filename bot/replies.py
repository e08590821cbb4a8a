"""Neutral replies: what the core answers, rendered by each platform in its own way.

Text uses Rapport markup, close to Slack's: `<@id>` is a mention, `*bold*` is bold, and
`&lt;`, `&gt;`, `&amp;` are escapes. User text always goes through `bot.markup.escape`, so it
can never become a mention, a link or a broadcast in any renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from habits.people import PersonRef


class Audience(StrEnum):
    ME = "me"              # only the person who acted sees it (Slack ephemeral, Teams reply)
    CHANNEL = "channel"    # everyone in the conversation where it happened
    DIRECT = "direct"      # a direct message to `to`


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT
    asks_for_date: bool = False  # renderers show a date picker with it


@dataclass(frozen=True, slots=True)
class Section:
    """Text and its buttons; a section with empty text is a row of buttons only."""

    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class Field:
    """One text input of a form: its name (the key of its answer), label, hint and draft."""

    name: str
    label: str
    hint: str = ""
    value: str = ""
    multiline: bool = True


@dataclass(frozen=True, slots=True)
class Form:
    """Questions a platform can show as one form (a Slack modal, a Teams card with inputs).

    Submitted, it comes back as the `Action(action, value, values={field name: text})`; a
    platform without forms (the console) shows the reply's text and sections instead.
    """

    title: str
    action: str
    value: str
    fields: tuple[Field, ...]
    submit: str = "Save"
    intro: str = ""     # Rapport markup shown above the fields


@dataclass(frozen=True, slots=True)
class Reply:
    """One message for one audience: a headline `text`, then its sections.

    `text` is also what notifications and screen readers show.
    """

    text: str
    sections: tuple[Section, ...] = ()
    audience: Audience = Audience.ME
    to: PersonRef | None = None
    channel: str | None = None
    attachment: Attachment | None = None
    replaces_original: bool = False  # an answer to a button that updates the message it was on
    # For scheduled sends: a key naming this message ("nudge:2026-11-24"), and whether a tick
    # that died may already have sent it (then the messenger is asked before sending again).
    key: str | None = None
    check_first: bool = False
    form: Form | None = None  # for the actor: renderers that can show a form show it instead

    @property
    def buttons(self) -> tuple[Button, ...]:
        return tuple(button for section in self.sections for button in section.buttons)


def say(text: str, *sections: Section, replaces_original: bool = False) -> Reply:
    """A reply only the acting person sees."""
    return Reply(text=text, sections=sections, replaces_original=replaces_original)
