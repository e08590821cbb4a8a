"""Start-up refuses a Redis that would lose what users were told is saved (no AOF), unless
RAPPORT_ALLOW_VOLATILE_REDIS=on; managed services that refuse CONFIG are read through INFO;
Redis Cluster and Sentinel are checked node by node. Real redis-server processes throughout."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from redis.asyncio import Redis

from adapters.redis import persistence
from adapters.redis.connection import client_for
from adapters.redis.embedded import EmbeddedRedis
from adapters.redis.persistence import VolatileRedisError

RAPPORT = str(Path(sys.executable).with_name("rapport"))


def env_for(redis_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "REDIS_", "RAPPORT_")) and k != "PORT"}
    env.update(REDIS_URL=redis_url, **extra)
    return env


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RAPPORT, *command], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.fixture
def server(tmp_path: Path, redis_server_binary: str, helpers: ModuleType,
           request: pytest.FixtureRequest) -> Iterator[int]:
    """A redis-server on loopback with the config lines the test gives (indirect param)."""
    lines = list(getattr(request, "param", []))
    port = helpers.free_port()
    folder = tmp_path / "server"
    folder.mkdir()
    (folder / "redis.conf").write_text("\n".join(
        [f"port {port}", "bind 127.0.0.1", f"dir {folder}", "save \"\"", *lines]) + "\n")
    process = subprocess.Popen([redis_server_binary, str(folder / "redis.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        helpers.wait_for_port(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- what the operator sees: rapport serve / tick / slack-worker ---


@pytest.mark.parametrize("command", [["serve"], ["tick"], ["slack-worker"]])
def test_start_up_refuses_a_redis_without_aof(plain_server: int, tmp_path: Path,
                                              helpers: ModuleType, command: list[str]) -> None:
    # plain_server runs with --appendonly no --save "": a kill loses everything.
    env = env_for(f"redis://127.0.0.1:{plain_server}", PORT=str(helpers.free_port()),
                  SLACK_BOT_TOKEN="xoxb-fake-persistence", SLACK_SIGNING_SECRET="fake-secret")
    done = run(command, env, tmp_path)
    assert done.returncode == 2, done.stderr
    assert "appendonly no" in done.stderr
    assert "RAPPORT_ALLOW_VOLATILE_REDIS=on" in done.stderr  # names the setting
    assert "Traceback" not in done.stderr


def test_with_the_override_it_starts_and_warns(plain_server: int, tmp_path: Path) -> None:
    env = env_for(f"redis://127.0.0.1:{plain_server}", RAPPORT_ALLOW_VOLATILE_REDIS="on")
    done = run(["tick", "--now", "2026-11-24T09:00:00+00:00"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"now": "2026-11-24T09:00:00+00:00"' in done.stdout
    warning = [line for line in done.stderr.splitlines() if " WARNING " in line]
    assert any("append-only file" in line and "RAPPORT_ALLOW_VOLATILE_REDIS=on" in line
               for line in warning), done.stderr


# --- the rules, against servers that answer in different ways ---


@pytest.mark.parametrize("server", [["appendonly yes", "appendfsync everysec"]], indirect=True)
async def test_an_aof_redis_passes(server: int, caplog: pytest.LogCaptureFixture) -> None:
    redis = client_for(f"redis://127.0.0.1:{server}")
    try:
        with caplog.at_level(logging.INFO, "rapport.redis"):
            (node,) = await persistence.check(redis)
    finally:
        await redis.aclose()
    assert (node.aof, node.fsync, node.source) == (True, "everysec", "CONFIG GET")
    assert "appendonly yes, appendfsync everysec" in caplog.text


@pytest.mark.parametrize("server", [["appendonly yes", 'rename-command CONFIG ""']],
                         indirect=True)
async def test_a_managed_redis_that_refuses_config_is_read_through_info(server: int) -> None:
    # ElastiCache, Memorystore, Azure Cache: CONFIG is blocked, INFO persistence answers.
    redis = client_for(f"redis://127.0.0.1:{server}")
    try:
        (node,) = await persistence.check(redis)
    finally:
        await redis.aclose()
    assert node.aof is True and node.source.startswith("INFO persistence; CONFIG refused")


@pytest.mark.parametrize("server", [["appendonly no", 'rename-command CONFIG ""']],
                         indirect=True)
async def test_info_saying_no_aof_is_refused(server: int) -> None:
    redis = client_for(f"redis://127.0.0.1:{server}")
    try:
        with pytest.raises(VolatileRedisError, match=r"appendonly no \(INFO persistence"):
            await persistence.check(redis)
    finally:
        await redis.aclose()


@pytest.mark.parametrize(
    "server", [["appendonly yes", 'rename-command CONFIG ""', 'rename-command INFO ""']],
    indirect=True)
async def test_a_redis_that_will_not_say_is_refused_unless_vouched_for(
        server: int, caplog: pytest.LogCaptureFixture) -> None:
    redis = client_for(f"redis://127.0.0.1:{server}")
    try:
        with pytest.raises(VolatileRedisError) as refused:
            await persistence.check(redis)
        assert "could not find out whether Redis persists" in str(refused.value)
        assert "RAPPORT_REDIS_PERSISTENCE=managed" in str(refused.value)
        with caplog.at_level(logging.INFO, "rapport.redis"):
            await persistence.check(redis, managed=True)
        assert "vouched for by RAPPORT_REDIS_PERSISTENCE=managed" in caplog.text
    finally:
        await redis.aclose()


async def test_an_unreachable_redis_stops_the_start_with_a_clear_error(
        helpers: ModuleType) -> None:
    redis = client_for(f"redis://127.0.0.1:{helpers.free_port()}")
    try:
        with pytest.raises(VolatileRedisError, match="Redis did not answer"):
            await persistence.check(redis)
    finally:
        await redis.aclose()


async def test_the_embedded_redis_runs_with_aof_and_fsync_always(tmp_path: Path) -> None:
    embedded = EmbeddedRedis(tmp_path / "redis").start()
    redis = client_for(embedded.url)
    try:
        (node,) = await persistence.check(redis)
    finally:
        await redis.aclose()
        embedded.stop()
    assert (node.aof, node.fsync) == (True, "always")


# --- Redis Cluster and Sentinel ---


async def test_every_cluster_node_is_checked(cluster_url: str) -> None:
    redis = client_for(cluster_url)
    try:
        nodes = await persistence.check(redis)
        assert len(nodes) == 6 and all(n.aof for n in nodes)  # tests/cluster/cluster.py: AOF on
        assert sum("(replica)" in n.node for n in nodes) == 3
        # One replica without AOF: a failover would promote it, so the start is refused.
        replica = next(n for n in redis.get_nodes() if n.server_type == "replica")
        await redis.execute_command("CONFIG", "SET", "appendonly", "no", target_nodes=replica)
        try:
            with pytest.raises(VolatileRedisError, match=rf"{replica.name} \(replica\): "
                                                         "appendonly no"):
                await persistence.check(redis)
        finally:
            await redis.execute_command("CONFIG", "SET", "appendonly", "yes",
                                        target_nodes=replica)
    finally:
        await redis.aclose()


@pytest.fixture
def sentinel(tmp_path: Path, plain_server: int, redis_server_binary: str,
             helpers: ModuleType) -> Iterator[int]:
    port = helpers.free_port()
    config = tmp_path / "sentinel.conf"
    config.write_text(f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
                      f"sentinel monitor rapport 127.0.0.1 {plain_server} 1\n")
    process = subprocess.Popen([redis_server_binary, str(config), "--sentinel"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        helpers.wait_for_port(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_a_sentinel_url_checks_the_current_master(sentinel: int, plain_server: int) -> None:
    redis = client_for(f"redis+sentinel://127.0.0.1:{sentinel}/rapport")
    try:
        with pytest.raises(VolatileRedisError, match="appendonly no"):
            await persistence.check(redis)  # the master is plain_server: no AOF
        direct = Redis(port=plain_server)
        await direct.config_set("appendonly", "yes")
        try:
            (node,) = await persistence.check(redis)
            assert node.aof is True
        finally:
            await direct.config_set("appendonly", "no")  # as plain_server's teardown expects
            await direct.aclose()
    finally:
        await redis.aclose()
