"""Slow clients against a real `rapport serve`: the server's memory and the connections it
holds while N clients trickle their request headers (or bodies) a few bytes a second, reconnecting
whenever the server closes them, as a persistent attacker would.

    .venv/bin/python -m bench.slowloris --connections 1900 --seconds 40 [--mode body --rate 4096]
    .venv/bin/python -m bench.slowloris --tree /tmp/rapport-before ...   (another checkout)

Prints the server's RSS before and at its peak, the connections it held at the end, how many
times the server closed a slow client, and the slowest /healthz answer meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.support import redis_server

ROOT = Path(__file__).resolve().parents[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Attack:
    def __init__(self, port: int, mode: str, rate: int) -> None:
        self.port, self.mode, self.rate = port, mode, rate
        self.open = 0        # connections the server currently holds
        self.closed = 0      # times the server closed (or refused) one of them
        self.stopping = False

    def request(self) -> bytes:
        if self.mode == "body":
            head = (b"POST /slack/events HTTP/1.1\r\nHost: rapport\r\nContent-Type: "
                    b"application/json\r\nContent-Length: 1000000\r\n\r\n")
            return head + b"x" * 1_000_000
        return b"POST /slack/events HTTP/1.1\r\nHost: rapport\r\nX-Padding: " + b"a" * 100_000

    async def client(self) -> None:
        payload = self.request()
        split = payload.index(b"\r\n\r\n") + 4 if self.mode == "body" else 0
        while not self.stopping:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.5)
                continue
            self.open += 1
            try:
                writer.write(payload[:split])
                for index in range(split, len(payload), self.rate):
                    if self.stopping or reader.at_eof():
                        break
                    writer.write(payload[index:index + self.rate])
                    await writer.drain()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1.0):
                            if await reader.read(1024) == b"":
                                break
            except OSError:
                pass
            finally:
                self.open -= 1
                writer.close()
            if not self.stopping:
                self.closed += 1
                await asyncio.sleep(1.0)


async def run(args: argparse.Namespace, server: subprocess.Popen[bytes], port: int) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        break
            await asyncio.sleep(0.2)
        base = rss_mib(server.pid)
        attack = Attack(port, args.mode, args.rate)
        clients = [asyncio.create_task(attack.client()) for _ in range(args.connections)]
        peak, slowest, answered, asked_n = base, 0.0, 0, 0
        failures: dict[str, int] = {}
        started = time.monotonic()
        while time.monotonic() - started < args.seconds:
            asked = time.monotonic()
            asked_n += 1
            try:
                async with asyncio.timeout(10), session.get(
                        f"http://127.0.0.1:{port}/healthz") as response:
                    await response.read()
                    answered += response.status == 200
                slowest = max(slowest, time.monotonic() - asked)
            except (TimeoutError, aiohttp.ClientError) as error:
                slowest = max(slowest, 10.0)
                failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1
            peak = max(peak, rss_mib(server.pid))
            await asyncio.sleep(1.0)
        held = attack.open
        attack.stopping = True
        for task in clients:
            task.cancel()
        await asyncio.gather(*clients, return_exceptions=True)
    print(f"{args.connections} slow clients ({args.mode}, {args.rate} B/s each), "
          f"{args.seconds:.0f} s:")
    print(f"  server RSS {base:.0f} MiB -> peak {peak:.0f} MiB")
    print(f"  connections held at the end: {held}; closed or refused by the server: "
          f"{attack.closed}")
    print(f"  /healthz (once a second): {answered}/{asked_n} answered 200, slowest "
          f"{slowest:.2f} s (10 s: no answer){', failures: ' if failures else ''}"
          + ", ".join(f"{n} x {k}" for k, n in failures.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=1900)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--mode", choices=("headers", "body"), default="headers")
    parser.add_argument("--rate", type=int, default=1, help="bytes a second per client")
    parser.add_argument("--tree", help="a checkout to run `rapport serve` from (default: this)")
    args = parser.parse_args()
    tree = Path(args.tree).resolve() if args.tree else ROOT
    port = free_port()
    with redis_server() as url, tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, PORT=str(port), REDIS_URL=url, RAPPORT_DATA_DIR=data,
                   RAPPORT_TICK="false", SLACK_BOT_TOKEN="xoxb-bench",
                   SLACK_SIGNING_SECRET="bench-secret", SLACK_API_URL="http://127.0.0.1:9/",
                   RAPPORT_ALLOW_VOLATILE_REDIS="on", PYTHONPATH=str(tree))
        server = subprocess.Popen([sys.executable, "-m", "adapters.cli.main", "serve"], cwd=tree,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            print(f"rapport serve from {tree}")
            asyncio.run(run(args, server, port))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
