"""Requests kept for thread context: "can someone update the runbook by Friday?", for two days.

A reply "mine" in the request's thread is read as taking it on (bot.commands.capture). The key is
the thread's, so it lives under the workspace's tag, not the author's; an index per author (same
tag, so one MULTI/EXEC covers both on Redis Cluster) lets forget-me and the export find them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.keys import WorkspaceKeys
from adapters.redis.records import NoPersonalRecords, text
from bot.ports import ThreadRequest
from habits.people import PersonRef, WorkspaceRef


def _to_json(request: ThreadRequest) -> str:
    return json.dumps({"origin": request.origin, "author": codec.person_to_list(request.author),
                       "what": request.what,
                       "due": request.due.isoformat() if request.due else None})


def _from_json(raw: bytes | str) -> ThreadRequest:
    data = json.loads(raw)
    due = data.get("due")
    return ThreadRequest(origin=data["origin"], author=codec.person_from_list(data["author"]),
                         what=data["what"], due=datetime.fromisoformat(due) if due else None)


def _data(request: ThreadRequest) -> dict[str, Any]:
    return {"thread": request.origin, "what": request.what,
            "due": request.due.isoformat() if request.due else None}


class RedisRequests(NoPersonalRecords):
    """`rp:{w:…}:request:<origin>` (one JSON request, EX at most 48 hours) and
    `rp:{w:…}:requests:by:<user>` (a sorted set of that author's origins by expiry time)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def remember(self, request: ThreadRequest, now: datetime, ttl_seconds: int) -> None:
        keys = WorkspaceKeys(request.author.workspace_ref)
        index = keys.requests_by(request.author.user)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.request(request.origin), _to_json(request), ex=ttl_seconds)
            pipe.zremrangebyscore(index, "-inf", now.timestamp())
            pipe.zadd(index, {request.origin: now.timestamp() + ttl_seconds})
            pipe.expire(index, ttl_seconds)
            await pipe.execute()

    async def parent(self, workspace: WorkspaceRef, origin: str) -> ThreadRequest | None:
        raw = await self.redis.get(WorkspaceKeys(workspace).request(origin))
        return _from_json(raw) if raw else None

    async def _of(self, person: PersonRef) -> tuple[WorkspaceKeys, list[str], list[ThreadRequest]]:
        keys = WorkspaceKeys(person.workspace_ref)
        members = cast(list[bytes | str], await self.redis.zrange(keys.requests_by(person.user), 0, -1))
        origins = [text(o) for o in members]
        raws = cast(list[bytes | None], await self.redis.mget([keys.request(o) for o in origins])) \
            if origins else []
        kept = [_from_json(raw) for raw in raws if raw]
        return keys, origins, [r for r in kept if r.author == person]

    # Personal data (adapters.redis.records.PersonalRecords): the keys are the workspace's, so
    # forget removes them here; they fade by themselves within 48 hours, before any retention.

    async def export(self, person: PersonRef) -> dict[str, Any]:
        _, _, kept = await self._of(person)
        return {"thread_requests": [_data(r) for r in kept]} if kept else {}

    async def forget(self, person: PersonRef) -> None:
        keys, _, kept = await self._of(person)
        async with self.redis.pipeline(transaction=True) as pipe:
            for request in kept:
                pipe.delete(keys.request(request.origin))
            pipe.delete(keys.requests_by(person.user))
            await pipe.execute()

    async def scrub(self, colleague: PersonRef, forgotten: PersonRef) -> None:
        """A colleague's request naming the forgotten person is dropped (it is thread context
        only, kept for hours; nothing depends on it)."""
        keys, _, kept = await self._of(colleague)
        named = [r for r in kept if forgotten.user in r.what]
        if named:
            await self.redis.delete(*[keys.request(r.origin) for r in named])
