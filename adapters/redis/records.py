"""What every store holding personal data does for the privacy controls.

`RedisPersonalData` (adapters/redis/personal_data.py) is a loop over the stores that implement
`PersonalRecords`: a new kind of record joins export, forget-me and retention by implementing it
in its own store module, and by being listed for `RedisPersonalData` in
`adapters.redis.store.redis_ports`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from habits.people import PersonRef


class PersonalRecords(Protocol):
    """One store's share of a person's data."""

    async def export(self, person: PersonRef) -> dict[str, Any]:
        """The store's sections of the export, as JSON-ready data: {"promises": [...]}."""
        ...

    async def forget(self, person: PersonRef) -> None:
        """Remove what the store keeps about `person` outside their own keys (workspace sets,
        teams, indexes). Every key under the person's tag is deleted afterwards in one sweep."""
        ...

    async def scrub(self, colleague: PersonRef, forgotten: PersonRef) -> None:
        """Remove what `colleague`'s records say about `forgotten` (a person asking to be
        forgotten), or put bot.markup.FORGOTTEN in place of their name."""
        ...

    async def expire_texts(self, person: PersonRef, before: datetime) -> int:
        """Blank the texts of the person's records older than `before` (and of the copies
        colleagues hold of them); returns how many."""
        ...


class NoPersonalRecords:
    """Nothing to export, forget, scrub or expire: the base of a store that has a part only."""

    async def export(self, person: PersonRef) -> dict[str, Any]:
        return {}

    async def forget(self, person: PersonRef) -> None:
        return None

    async def scrub(self, colleague: PersonRef, forgotten: PersonRef) -> None:
        return None

    async def expire_texts(self, person: PersonRef, before: datetime) -> int:
        return 0


def text(value: bytes | str) -> str:
    """A Redis reply as text (replies are bytes unless the client decodes them)."""
    return value.decode() if isinstance(value, bytes) else value

