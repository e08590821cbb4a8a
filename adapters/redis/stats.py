"""Workspace counters (promises offered, "not a promise" answers...): how detection fares."""

from __future__ import annotations

from redis.asyncio import Redis

from adapters.redis.keys import WorkspaceKeys
from adapters.redis.records import text
from habits.people import WorkspaceRef


class RedisStats:
    """`rp:{w:…}:stats`: a hash of the workspace's counters."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def count(self, workspace: WorkspaceRef, name: str, by: int = 1) -> None:
        await self.redis.hincrby(WorkspaceKeys(workspace).stats, name, by)

    async def counts(self, workspace: WorkspaceRef) -> dict[str, int]:
        raw = await self.redis.hgetall(WorkspaceKeys(workspace).stats)
        return {text(k): int(v) for k, v in raw.items()}

