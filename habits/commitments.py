"""Commitments: promises a person made, and what became of them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from habits.people import PersonRef


class CommitmentStatus(StrEnum):
    OPEN = "open"
    KEPT_ON_TIME = "kept_on_time"
    KEPT_LATE = "kept_late"
    RENEGOTIATED = "renegotiated"
    DROPPED = "dropped"


OPEN_STATUSES = frozenset({CommitmentStatus.OPEN, CommitmentStatus.RENEGOTIATED})


class Source(StrEnum):
    TYPED = "typed"          # /promise
    DETECTED = "detected"    # noticed in chat and tracked by its author
    SHORTCUT = "shortcut"    # "Track as promise" on a message
    LOGGED = "logged"        # /kept <text>: kept elsewhere, logged afterwards


class CommitmentError(ValueError):
    """A change that the commitment's state does not allow, worded for the person."""


@dataclass(frozen=True, slots=True)
class Commitment:
    """A promise: who made it, what, to whom, by when, and how it stands.

    A renegotiated promise is still open, with a new due moment: telling people early is
    integrity, not failure.
    """

    owner: PersonRef
    number: int
    what: str
    created_at: datetime
    due: datetime | None = None
    to: tuple[str, ...] = ()
    status: CommitmentStatus = CommitmentStatus.OPEN
    source: Source = Source.TYPED
    closed_at: datetime | None = None
    renegotiations: int = 0
    lapsed_on: str | None = None  # ISO local date the promise silently lapsed, if it did
    origin: str | None = None     # platform reference of the source message (channel:ts)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def keep(self, at: datetime) -> Commitment:
        """Mark it kept: on time when kept at or before its due moment (or with no due moment)."""
        self._require_open("kept")
        on_time = self.due is None or at <= self.due
        status = CommitmentStatus.KEPT_ON_TIME if on_time else CommitmentStatus.KEPT_LATE
        return replace(self, status=status, closed_at=at)

    def renegotiate(self, new_due: datetime, at: datetime) -> Commitment:
        """Move the due moment. Before the old one passed, this is honest renegotiation."""
        self._require_open("given more time")
        if new_due <= at:
            raise CommitmentError("the new date has to be in the future")
        return replace(
            self, due=new_due, status=CommitmentStatus.RENEGOTIATED,
            renegotiations=self.renegotiations + 1,
        )

    def drop(self, at: datetime) -> Commitment:
        self._require_open("dropped")
        return replace(self, status=CommitmentStatus.DROPPED, closed_at=at)

    def renegotiated_in_time(self, at: datetime) -> bool:
        """True when a change made at `at` comes before the promise was due."""
        return self.due is None or at <= self.due

    def _require_open(self, verb: str) -> None:
        if not self.is_open:
            raise CommitmentError(
                f"promise #{self.number} is already {self.status.value.replace('_', ' ')}, "
                f"so it can't be {verb}"
            )
