"""Rapport on a real 6-node Redis Cluster: every transaction and script stays in one slot.

The integration and Slack suites also run against a cluster in CI (`python
tests/cluster/cluster.py run -- pytest tests/integration tests/slack tests/cluster`); these tests
check the cluster itself and the parts that spread over it (the due-work shards, SCAN).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import RedisCluster
from redis.crc import key_slot
from redis.exceptions import RedisClusterException, ResponseError

from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import Console
from adapters.redis.connection import client_for
from adapters.redis.due import RedisDueWork
from adapters.redis.keys import DUE_SHARDS, DueKeys
from adapters.redis.store import redis_ports
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Job
from bot.tick import Ticker
from habits.people import PersonRef


@pytest.fixture
async def cluster(cluster_url: str) -> AsyncIterator[RedisCluster]:
    client = client_for(cluster_url)
    assert isinstance(client, RedisCluster)
    await client.flushall()
    try:
        yield client
    finally:
        await client.aclose()


async def test_the_cluster_has_three_primaries_each_with_a_replica(cluster: RedisCluster) -> None:
    nodes = await cluster.cluster_nodes()
    flags = sorted("master" if "master" in str(node["flags"]) else "slave" for node in nodes.values())
    assert flags == ["master"] * 3 + ["slave"] * 3
    info = await cluster.cluster_info()
    assert info["cluster_state"] == "ok" and int(info["cluster_slots_assigned"]) == 16384


async def test_a_cross_slot_transaction_is_refused(cluster: RedisCluster) -> None:
    """The harness really would catch a key-design bug: the client refuses to send multi-key
    work over several slots, and the server itself answers CROSSSLOT."""
    with pytest.raises(RedisClusterException, match="to the same slot"):
        async with cluster.pipeline(transaction=True) as pipe:
            pipe.set("rp:{a}:x", "1")
            pipe.set("rp:{b}:x", "1")
            await pipe.execute()
    await cluster.initialize()
    with pytest.raises(ResponseError, match="don't hash to the same slot"):
        await cluster.execute_command("MSET", "rp:{a}:x", "1", "rp:{b}:x", "1",
                                      target_nodes=cluster.get_primaries()[0])


async def test_flows_spread_over_primaries_and_each_tag_keeps_one_slot(
    cluster: RedisCluster,
) -> None:
    clock = FixedClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    ports = redis_ports(cluster)  # type: ignore[arg-type]
    core = Rapport(ports, clock)
    messenger = ConsoleMessenger(cluster)  # type: ignore[arg-type]
    for me, other in [("sam", "priya"), ("priya", "lee"), ("lee", "ben"), ("ben", "sam")]:
        console = Console(core, messenger, me=me)
        for line in [f"/promise send the deck to @{other} by Friday", "/kept 1",
                     f"/kudos @{other} your runbook made the failover calm and quick",
                     f"/handover @{other} pick the release date", "/rapport settings nudge 08:00",
                     "/habits"]:
            await console.handle_line(line)
    await Ticker(ports, {"console": messenger}).tick(clock.now() + timedelta(days=3))

    keys = [key async for key in cluster.scan_iter(count=1000)]
    assert len(keys) > 40
    slots_by_tag: dict[bytes, set[int]] = {}
    for key in keys:
        tag = key[key.index(b"{") + 1 : key.index(b"}")]
        slots_by_tag.setdefault(tag, set()).add(key_slot(key))
    assert all(len(slots) == 1 for slots in slots_by_tag.values())
    await cluster.initialize()
    owners = {cluster.get_node_from_key(key).name for key in keys}  # type: ignore[union-attr]
    assert len(owners) >= 2, "the keys should spread over several primaries"

    console = Console(core, messenger, me="sam")
    await console.handle_line("/rapport forget-me")
    await console.handle_line(":1")
    left = [key async for key in cluster.scan_iter(match="rp:{u:console:local:sam}:*")]
    assert left == []


async def test_due_work_claims_over_every_shard_across_nodes(cluster: RedisCluster) -> None:
    due = RedisDueWork(cluster)  # type: ignore[arg-type]
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    people = [PersonRef("slack", "T1", f"U{i}") for i in range(64)]
    for person in people:
        await due.schedule(Job("nudge.daily", person, "", now - timedelta(minutes=1)))
    await cluster.initialize()
    nodes = {cluster.get_node_from_key(DueKeys(s).jobs).name  # type: ignore[union-attr]
             for s in range(DUE_SHARDS)}
    assert len(nodes) >= 2

    claimed = await due.claim(now, lease_seconds=60, limit=1000)
    assert sorted(j.person.user for j in claimed) == sorted(p.user for p in people)
    assert await due.claim(now, lease_seconds=60, limit=1000) == []
    for job in claimed[:10]:
        await due.settle_many([(job, None)])
    assert await due.recover(now + timedelta(minutes=5)) == len(people) - 10
    await due.cancel("nudge.daily", people[-1], "")
    assert len(await due.claim(now + timedelta(minutes=5), 60, 1000)) == len(people) - 11


async def test_slack_deliveries_accepted_together_spread_over_the_cluster(
        cluster: RedisCluster) -> None:
    # A burst of deliveries from many workspaces shares one accept batch: each script call
    # stays in its workspace's slot, and a retry of any of them is known.
    from adapters.slack import ids
    from adapters.slack.inbox import Entry, Inbox

    async def unused(entry: Entry) -> bool:
        return True

    inbox = Inbox(cluster, unused)  # type: ignore[arg-type]
    workspaces = [f"T{n:03d}" for n in range(40)]
    accepted = await asyncio.gather(
        *(inbox.accept(w, f"e:Ev{w}", "event", {"event": {"type": "app_home_opened"}}, "U1")
          for w in workspaces),
        *(inbox.count(w, f"e:Chat{w}", "event") for w in workspaces))
    assert all(accepted)
    assert len({key_slot(ids.inbox_key(w).encode()) for w in workspaces}) > 10
    for workspace in workspaces:
        assert await cluster.xlen(ids.inbox_key(workspace)) == 1
    retried = await asyncio.gather(*(inbox.accept(w, f"e:Ev{w}", "event", {}, "U1")
                                     for w in workspaces),
                                   *(inbox.count(w, f"e:Chat{w}", "event") for w in workspaces))
    assert not any(retried)
    for workspace in workspaces:
        assert await cluster.xlen(ids.inbox_key(workspace)) == 1
        stats = ids.workspace_key(ids.workspace_ref(workspace), "stats")
        assert await cluster.hget(stats, "slack_events") == b"1"


async def test_a_burst_of_concurrent_commands_to_one_node_all_get_answers(
        cluster: RedisCluster) -> None:
    """A morning tick sends many people's work at once; on one node's slots 300 commands in
    flight together all get answers (redis-py's default pool of 100 per node refused the rest
    with MaxConnectionsError)."""
    person = PersonRef("slack", "TBURST", "U1")
    key = f"rp:{{u:{person.workspace}:{person.user}}}:burst"

    async def slow_roundtrip(index: int) -> int:
        # BLPOP on an empty list holds its connection for a moment, so they overlap.
        await cluster.blpop([f"{key}:{index}"], timeout=0.2)
        return index

    results = await asyncio.gather(*(slow_roundtrip(i) for i in range(300)))
    assert sorted(results) == list(range(300))
