"""Start-up check: the Redis Rapport writes to keeps what Rapport tells users is saved.

A Redis that snapshots (RDB) or does not persist at all loses every write since its last
snapshot when it is killed: tracked promises gone, promise numbers handed out again. Rapport
therefore asks each server at start-up whether its append-only file is on:

1. `CONFIG GET appendonly` (and `appendfsync`): `yes` passes;
2. where CONFIG is refused (ElastiCache, Memorystore, Azure Cache and most managed services
   rename or block it), `INFO persistence`: `aof_enabled:1` passes;
3. when neither answers, Rapport cannot tell, and refuses like for a volatile server.

A server without AOF (or one that cannot tell) stops the start with `VolatileRedisError`, unless
`RAPPORT_ALLOW_VOLATILE_REDIS=on` (then a WARNING at every start) or
`RAPPORT_REDIS_PERSISTENCE=managed`, the operator vouching for a managed service whose
durability is not an AOF Rapport can see (docs/deploy.md, "Redis persistence").

Redis Cluster: every node the client knows is asked, primaries and the replicas a failover
would promote; a node that does not answer is skipped with a WARNING (at least one must
answer). Sentinel: the current master, through the same client Rapport uses.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis, RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("rapport.redis")

ALLOW_VOLATILE = "RAPPORT_ALLOW_VOLATILE_REDIS"
MANAGED = "RAPPORT_REDIS_PERSISTENCE"
CHECK_TIMEOUT = 5.0  # seconds for the whole check of one server


class VolatileRedisError(RuntimeError):
    """Redis would lose acknowledged writes (or cannot say); worded for the operator."""


@dataclass(frozen=True, slots=True)
class NodePersistence:
    """What one Redis server says about its persistence."""

    node: str                  # "127.0.0.1:7000", or "the server" for a single one
    aof: bool | None           # None: it would not say (CONFIG and INFO both refused)
    fsync: str | None = None   # appendfsync when CONFIG answered: always, everysec or no
    source: str = ""           # how we know: "CONFIG GET", "INFO persistence", or why not
    reachable: bool = True

    def describe(self) -> str:
        if not self.reachable:
            return f"{self.node}: did not answer ({self.source})"
        if self.aof is None:
            return f"{self.node}: persistence unknown ({self.source})"
        fsync = f", appendfsync {self.fsync}" if self.fsync and self.aof else ""
        return f"{self.node}: appendonly {'yes' if self.aof else 'no'}{fsync} ({self.source})"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _config(answer: Any) -> dict[str, str]:
    if isinstance(answer, dict):
        return {_text(k): _text(v) for k, v in answer.items()}
    if isinstance(answer, list | tuple):  # a raw reply: name, value, name, value…
        return {_text(answer[i]): _text(answer[i + 1]) for i in range(0, len(answer) - 1, 2)}
    return {}


def _info(answer: Any) -> dict[str, str]:
    if isinstance(answer, dict):
        return {_text(k): _text(v) for k, v in answer.items()}
    fields: dict[str, str] = {}
    for line in _text(answer).splitlines():
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip()] = value.strip()
    return fields


async def _ask(node: str, command: Any) -> NodePersistence:
    """Ask one server, CONFIG first, INFO when CONFIG is refused. `command(*args)` runs a
    command on that server alone."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            try:
                config = _config(await command("CONFIG", "GET", "append*"))
                if "appendonly" in config:
                    return NodePersistence(node, config["appendonly"].lower() == "yes",
                                           config.get("appendfsync"), "CONFIG GET")
                why = "CONFIG GET appendonly gave nothing"
            except ResponseError as error:  # unknown command, NOPERM, renamed
                why = f"CONFIG refused: {str(error).splitlines()[0][:80]}"
            try:
                info = _info(await command("INFO", "persistence"))
            except ResponseError as error:
                return NodePersistence(node, None, None,
                                       f"{why}; INFO refused: {str(error).splitlines()[0][:80]}")
            if "aof_enabled" in info:
                return NodePersistence(node, info["aof_enabled"] == "1", None,
                                       f"INFO persistence; {why}")
            return NodePersistence(node, None, None, f"{why}; INFO persistence has no aof_enabled")
    except (RedisConnectionError, RedisTimeoutError, OSError, TimeoutError) as error:
        return NodePersistence(node, None, None, type(error).__name__ + (
            f": {error}" if str(error) else ""), reachable=False)


async def inspect(redis: Redis | RedisCluster) -> list[NodePersistence]:
    """What every server behind `redis` says about its persistence."""
    if isinstance(redis, RedisCluster):
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await redis.initialize()
        except (RedisError, OSError, TimeoutError) as error:
            return [NodePersistence("the cluster", None, None, type(error).__name__ + (
                f": {error}" if str(error) else ""), reachable=False)]
        answers = []
        for cluster_node in redis.get_nodes():
            async def on_node(*args: Any, _node: Any = cluster_node) -> Any:
                return await redis.execute_command(*args, target_nodes=_node)

            role = "primary" if cluster_node.server_type == "primary" else "replica"
            answers.append(await _ask(f"{cluster_node.name} ({role})", on_node))
        return answers
    return [await _ask("the server", redis.execute_command)]


async def check(redis: Redis | RedisCluster, *, allow_volatile: bool = False,
                managed: bool = False) -> list[NodePersistence]:
    """Refuse (VolatileRedisError) a Redis that does not keep acknowledged writes.

    Returns what each server said; logs it. See the module docstring for the rules.
    """
    nodes = await inspect(redis)
    reached = [n for n in nodes if n.reachable]
    if not reached:
        raise VolatileRedisError(
            "Rapport checks that Redis keeps what it stores before it starts, but Redis did not "
            "answer: " + "; ".join(n.describe() for n in nodes)
            + ". Start Redis (or fix REDIS_URL) and start Rapport again.")
    for node in nodes:
        if not node.reachable:
            log.warning("Redis persistence not checked on %s", node.describe())
    unsafe = [n for n in reached if n.aof is not True]
    if not unsafe:
        slow = [n for n in reached if n.fsync == "no"]
        if slow:
            log.warning("Redis appends to its AOF but leaves fsync to the OS (appendfsync no): a "
                        "machine crash can lose about 30 s of writes; prefer everysec. %s",
                        "; ".join(n.describe() for n in slow))
        log.info("Redis persistence: %s", "; ".join(n.describe() for n in reached))
        return nodes
    found = "; ".join(n.describe() for n in unsafe)
    if managed:
        log.info("Redis persistence vouched for by %s=managed (the server says: %s)",
                 MANAGED, found)
        return nodes
    if allow_volatile:
        log.warning("Redis does not keep an append-only file (%s): a crash or kill of Redis loses "
                    "every write since its last snapshot, promises users were told are saved. "
                    "Running anyway because %s=on.", found, ALLOW_VOLATILE)
        return nodes
    unknown = all(n.aof is None for n in unsafe)
    raise VolatileRedisError(
        ("Rapport could not find out whether Redis persists what it stores" if unknown else
         "Redis runs without an append-only file")
        + f" ({found}): a crash or restart of Redis would lose promises users were told are "
        "saved. Turn AOF on (`appendonly yes`, `appendfsync everysec`; for a managed service "
        f"see docs/deploy.md, \"Redis persistence\"), or set {MANAGED}=managed if your managed "
        f"service persists every write in another way, or {ALLOW_VOLATILE}=on to run anyway "
        "(a trial, a cache you can lose).")
