"""The workspace's streams (the durable inbox, its dead letters) for forget-me: entries that
concern a forgotten person go."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import cast

from redis.asyncio import Redis

from adapters.redis.keys import glob_escape, workspace_key
from adapters.redis.records import NoPersonalRecords, text
from habits.people import PersonRef


class RedisStreams(NoPersonalRecords):
    """Every stream under the workspace's tag, whatever platform wrote it."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def forget(self, person: PersonRef) -> None:
        """Every stream of the workspace (the Slack inbox and its dead letters, and any other)
        loses the entries that concern the person: those whose `u` (who sent it) is them or
        whose `m` (the people it mentions) names them; an entry with neither (a dead letter
        from before entries said so) when any of its values names them."""
        pattern = glob_escape(workspace_key(person.workspace_ref, "")) + "*"
        token = re.compile(rb"(?<![A-Za-z0-9])" + re.escape(person.user.encode()) +
                           rb"(?![A-Za-z0-9])")
        user = person.user.encode()
        streams = [key async for key in self.redis.scan_iter(match=pattern, count=1000,
                                                             _type="stream")]
        for stream in streams:
            start = "-"
            while True:
                entries = cast(list[tuple[bytes, dict[bytes, bytes]]],
                               await self.redis.xrange(stream, min=start, count=500))
                doomed = [entry_id for entry_id, fields in entries
                          if _concerns(fields, user, token)]
                if doomed:
                    await self.redis.xdel(stream, *doomed)
                if len(entries) < 500:
                    break
                start = "(" + text(entries[-1][0])


def _concerns(fields: Mapping[bytes, bytes], user: bytes, token: re.Pattern[bytes]) -> bool:
    """Whether a stream entry concerns `user` (see RedisStreams.forget)."""
    if b"u" in fields or b"m" in fields:
        return fields.get(b"u") == user or user in fields.get(b"m", b"").split()
    return any(token.search(value) for value in fields.values())
