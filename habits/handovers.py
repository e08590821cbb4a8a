"""Handovers: giving someone else control over a decision."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from habits.people import PersonRef


class HandoverStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DISCUSSED = "discussed"
    CLOSED = "closed"


class HandoverError(ValueError):
    """A change the handover's state does not allow, worded for the person."""


@dataclass(frozen=True, slots=True)
class Handover:
    """A decision handed from one person to another.

    `number` is the giver's running number for their handovers.
    """

    giver: PersonRef
    receiver: PersonRef
    number: int
    decision: str
    offered_at: datetime
    status: HandoverStatus = HandoverStatus.OFFERED
    answered_at: datetime | None = None

    def accept(self, at: datetime) -> Handover:
        if self.status not in (HandoverStatus.OFFERED, HandoverStatus.DISCUSSED):
            raise HandoverError(f"this handover is already {self.status.value}")
        return replace(self, status=HandoverStatus.ACCEPTED, answered_at=at)

    def discuss(self, at: datetime) -> Handover:
        if self.status is not HandoverStatus.OFFERED:
            raise HandoverError(f"this handover is already {self.status.value}")
        return replace(self, status=HandoverStatus.DISCUSSED, answered_at=at)

    def close(self, at: datetime) -> Handover:
        if self.status is HandoverStatus.CLOSED:
            raise HandoverError("this handover is already closed")
        return replace(self, status=HandoverStatus.CLOSED, answered_at=at)
