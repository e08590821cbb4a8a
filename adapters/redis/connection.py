"""Redis clients from settings: a REDIS_URL, or the embedded server when there is none."""

from __future__ import annotations

from pathlib import Path

from redis.asyncio import Redis

from adapters.redis.embedded import EmbeddedRedis


def client_for(url: str) -> Redis:
    """An asyncio Redis client for `url` (redis://, rediss://, unix://)."""
    return Redis.from_url(url, decode_responses=False, health_check_interval=30,
                          socket_connect_timeout=5, socket_timeout=10)


def embedded(folder: Path) -> EmbeddedRedis:
    return EmbeddedRedis(folder).start()
