"""Fixtures for the Redis Cluster, Sentinel and TLS tests: real servers on loopback."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).parent


def _load_cluster_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rapport_test_cluster", HERE / "cluster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


cluster_module = _load_cluster_module()


free_port = cluster_module.free_port
wait_for_port = cluster_module.wait_for_port


@pytest.fixture(scope="session")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_TEST_URL when it is a Cluster URL (CI starts one), else a cluster started here."""
    given = os.environ.get("REDIS_TEST_URL", "")
    if given.startswith(("redis+cluster://", "rediss+cluster://")):
        yield given
        return
    cluster = cluster_module.Cluster(tmp_path_factory.mktemp("cluster")).start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def helpers() -> ModuleType:
    """tests/cluster/cluster.py, for its free_port() and wait_for_port() (a test module
    cannot import it, or a conftest, reliably: tests/ is not a package)."""
    return cluster_module


@pytest.fixture(scope="session")
def redis_server_binary() -> str:
    return str(cluster_module.binaries()[0])


@pytest.fixture
def plain_server(tmp_path: Path, redis_server_binary: str) -> Iterator[int]:
    """A plain redis-server on a loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [redis_server_binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
