"""Neutral incoming events: what a platform adapter turns Slack or Teams traffic into."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from habits.people import PersonRef


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind an event, with what the platform told us about them."""

    person: PersonRef
    display_name: str = ""
    tz: str | None = None      # the platform's time zone for them, when it said
    is_admin: bool = False     # a workspace admin / owner, as the platform reports it


@dataclass(frozen=True, slots=True)
class Message:
    """Someone wrote in a conversation the bot can see."""

    actor: Actor
    text: str
    channel: str
    ref: str                   # platform id of the message (Slack ts, Teams activity id)
    mentions: tuple[str, ...] = ()
    edited: bool = False
    sent_at: datetime | None = None  # when it was first written (Slack ts); None: now
    idempotency_key: str | None = None  # the delivery's: a replay of it stores nothing twice
    thread: str | None = None  # a reply in a thread: the ref of the thread's root message


@dataclass(frozen=True, slots=True)
class MessageDeleted:
    actor: Actor
    channel: str
    ref: str


@dataclass(frozen=True, slots=True)
class Command:
    """A command: `/kudos @priya ...` in Slack, `kudos @priya ...` in Teams or the console."""

    actor: Actor
    name: str                  # without the slash: "promise", "kept", "kudos", ...
    text: str                  # the rest, with mentions as <@id>
    channel: str | None = None
    idempotency_key: str | None = None  # the delivery's: a replay of it stores nothing twice


@dataclass(frozen=True, slots=True)
class Action:
    """A button press on a message Rapport sent."""

    actor: Actor
    action: str                # e.g. "promise.kept"
    value: str = ""
    channel: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # extra inputs (a picked date, ...)
    idempotency_key: str | None = None  # the delivery's: a replay of it stores nothing twice


Event = Message | MessageDeleted | Command | Action
