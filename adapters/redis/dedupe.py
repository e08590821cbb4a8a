"""Delivery dedupe: a platform delivery (Slack event id, Teams activity id) counts once."""

from __future__ import annotations

from redis.asyncio import Redis

from adapters.redis.keys import WorkspaceKeys
from habits.people import WorkspaceRef


class RedisDedupe:
    """`rp:{w:…}:seen:<id>`: a platform delivery seen within its TTL."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def first_time(self, workspace: WorkspaceRef, key: str, ttl_seconds: int) -> bool:
        return bool(await self.redis.set(WorkspaceKeys(workspace).seen(key), b"1",
                                         nx=True, ex=ttl_seconds))

    async def release(self, workspace: WorkspaceRef, key: str) -> None:
        await self.redis.delete(WorkspaceKeys(workspace).seen(key))

