"""`rapport serve` as a newcomer runs it: no credentials, no Redis installed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

RAPPORT = str(Path(sys.executable).with_name("rapport"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "REDIS_", "RAPPORT_")) and k != "PORT"}
    env.update(extra)
    return env


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_serve_starts_with_embedded_redis_and_answers_health(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [RAPPORT, "serve"], cwd=tmp_path, env=clean_env(PORT=str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        status = 0
        while time.monotonic() < deadline:
            try:
                status, _ = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
        status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert (status, b"ready" in body) == (200, True)
        assert (tmp_path / ".rapport" / "redis" / "redis.sock").exists()
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=15)
    assert "rapport console" in output
    assert process.returncode == 0
    assert not (tmp_path / ".rapport" / "redis" / "redis.sock").exists()  # Redis stopped too


def test_invalid_settings_name_the_variable_and_stop(tmp_path: Path) -> None:
    def start(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([RAPPORT, "serve"], cwd=tmp_path, capture_output=True, text=True,
                              env=clean_env(**env), timeout=20, check=False)

    bad_port = start(PORT="99999")
    assert bad_port.returncode == 2
    assert "PORT" in bad_port.stderr and "65535" in bad_port.stderr
    half_slack = start(SLACK_BOT_TOKEN="xoxb-fake-token")
    assert half_slack.returncode == 2
    assert "SLACK_SIGNING_SECRET is required" in half_slack.stderr
    assert "xoxb-fake-token" not in half_slack.stderr
    assert not (tmp_path / ".rapport").exists()  # nothing started, nothing written
