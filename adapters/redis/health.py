"""The storage health check behind /readyz."""

from __future__ import annotations

from redis.asyncio import Redis


class RedisHealth:
    """Whether Redis answers (for /readyz)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def ping(self) -> bool:
        return bool(await self.redis.ping())
