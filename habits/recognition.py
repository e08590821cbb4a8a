"""Recognition: specific, sincere praise, the kind that builds trust."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from habits.people import PersonRef


@dataclass(frozen=True, slots=True)
class Recognition:
    """Kudos from one person to another for something specific they did."""

    giver: PersonRef
    receiver: PersonRef
    reason: str
    given_at: datetime
    junior: bool = False
    channel: str | None = None
