"""Offers: promises noticed in chat, waiting (with a TTL) for their author's answer."""

from __future__ import annotations

from typing import Any, cast

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.keys import PersonKeys, person_pattern
from adapters.redis.records import NoPersonalRecords
from bot.ports import Offer
from habits.people import PersonRef


class RedisOffers(NoPersonalRecords):
    """`rp:{u:…}:offer:<origin>`: one JSON offer per chat message, expiring by itself."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def put(self, person: PersonRef, offer: Offer, ttl_seconds: int) -> None:
        await self.redis.set(PersonKeys(person).offer(offer.origin), codec.offer_to_json(offer),
                             ex=ttl_seconds)

    async def get(self, person: PersonRef, origin: str) -> Offer | None:
        raw = await self.redis.get(PersonKeys(person).offer(origin))
        return codec.offer_from_json(raw) if raw else None

    async def take(self, person: PersonRef, origin: str) -> Offer | None:
        raw = await self.redis.getdel(PersonKeys(person).offer(origin))
        return codec.offer_from_json(raw) if raw else None

    async def pending(self, person: PersonRef) -> list[Offer]:
        """Every offer still waiting for the person's answer (found with SCAN)."""
        pattern = person_pattern(person)[:-1] + "offer:*"
        keys = [key async for key in self.redis.scan_iter(match=pattern, count=500)]
        values = cast(list[bytes | None], await self.redis.mget(keys)) if keys else []
        return [codec.offer_from_json(value) for value in values if value]

    async def export(self, person: PersonRef) -> dict[str, Any]:
        return {"pending_offers": [codec.offer_to_data(o) for o in await self.pending(person)]}
