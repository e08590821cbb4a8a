"""Concurrent marks share round trips (adapters.redis.coalesce), each caller with its own answer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio import Redis, RedisCluster
from redis.exceptions import ResponseError

from adapters.redis.coalesce import Coalesced

_FIRST = "local was = redis.call('GET', KEYS[1]); redis.call('SET', KEYS[1], ARGV[1]); return was"
_FAILS = "return redis.error_reply('RAPPORT_TEST refused')"


async def test_concurrent_commands_each_get_their_own_answer(redis: Redis) -> None:
    marks = Coalesced(redis)
    script = redis.register_script(_FIRST)
    await redis.set("{t}:k7", b"before")
    answers = await asyncio.gather(*(marks.script(script, [f"{{t}}:k{i}"], [f"v{i}"]) for i in range(50)))
    assert answers[7] == b"before" and answers.count(None) == 49
    assert [await redis.get(f"{{t}}:k{i}") for i in range(50)] == [f"v{i}".encode() for i in range(50)]
    await asyncio.gather(*(marks.set(f"{{t}}:s{i}", b"sent", ex=60) for i in range(20)))
    assert await redis.get("{t}:s19") == b"sent" and 0 < await redis.ttl("{t}:s19") <= 60


async def test_one_callers_error_is_its_own(redis: Redis) -> None:
    marks = Coalesced(redis)
    good, bad = redis.register_script(_FIRST), redis.register_script(_FAILS)
    results = await asyncio.gather(marks.script(good, ["{t}:a"], ["1"]), marks.script(bad, ["{t}:b"], []),
                                   marks.set("{t}:c", b"sent", ex=60), return_exceptions=True)
    assert results[0] is None and results[2] is True
    assert isinstance(results[1], ResponseError) and "RAPPORT_TEST refused" in str(results[1])


async def test_a_script_the_server_lost_is_loaded_again(redis: Redis) -> None:
    marks = Coalesced(redis)
    script = redis.register_script(_FIRST)
    await redis.script_flush()
    assert await marks.script(script, ["{t}:x"], ["1"]) is None
    assert await redis.get("{t}:x") == b"1"


async def test_commands_of_one_turn_go_in_one_round_trip(redis: Redis,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if isinstance(redis, RedisCluster):
        pytest.skip("a cluster's pipeline sends one batch per node")
    pipelines: list[Any] = []
    real = redis.pipeline

    def counted(*args: Any, **kwargs: Any) -> Any:
        pipelines.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(redis, "pipeline", counted)
    marks = Coalesced(redis)
    await asyncio.gather(*(marks.set(f"{{t}}:r{i}", b"sent", ex=60) for i in range(64)))
    assert len(pipelines) == 1
    assert await redis.get("{t}:r63") == b"sent"
