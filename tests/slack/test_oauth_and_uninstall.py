"""Multi-workspace mode: install through OAuth, serve that workspace with its own token, and
forget the workspace entirely when Slack says the app was uninstalled.

The token is kept once, encrypted (RAPPORT_ENCRYPTION_KEY); installations stored in plain text by
earlier versions still work and are encrypted when read; rotation re-encrypts with the newest
key. The installation bolt looks up before a command is accepted is cached in the process and
bounded in time: a stalled Redis gives a quick 503, never a late 200.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fake_slack import FakeSlack
from redis.asyncio import Redis, RedisCluster
from slack_harness import SlackDriver, keys, running_slack, slack_runtime, slack_settings

from adapters.crypto import Cipher, generate_key
from adapters.redis.connection import client_for
from adapters.settings import SettingsError, load_settings
from adapters.slack import installation
from adapters.slack.installation import RedisInstallationStore, RedisOAuthStateStore
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports

KEY = generate_key()  # a fresh key per run: nothing real is ever encrypted with it
INSTALLED = "rp:{w:slack:T2}:slack:installation"
FAKE_TOKEN = "xoxb-installed"  # what the fake Slack's oauth.v2.access hands out


@pytest.fixture
async def multi(api: FakeSlack, redis: Redis, ports: Ports, clock: FixedClock,
                core: Rapport) -> AsyncIterator[tuple[SlackDriver, str]]:
    settings = slack_settings(api, slack_bot_token=None, slack_client_id="111.222",
                              slack_client_secret="fake-client-secret",
                              rapport_encryption_key=KEY)
    runtime = slack_runtime(settings, redis, ports, core, clock)
    async with running_slack(runtime, api, clock) as driver:
        yield driver, driver.url.removesuffix("/slack/events")


async def install(driver: SlackDriver, base: str) -> None:
    async with driver.session.get(f"{base}/slack/install") as page:
        assert page.status == 200 and 'method="post"' in await page.text()
    async with driver.session.post(f"{base}/slack/install", allow_redirects=False) as start:
        assert start.status == 302  # the button: a state is stored, off to Slack's page
        to_slack = start.headers["Location"]
        cookie = start.headers["Set-Cookie"].split(";")[0]
    state = re.search(r"state=([\w-]+)", to_slack)
    assert state is not None and "client_id=111.222" in to_slack and "commands" in to_slack
    async with driver.session.get(f"{base}/slack/oauth_redirect",
                                  params={"code": "c0de", "state": state.group(1)},
                                  headers={"Cookie": cookie}) as done:
        assert done.status == 200, await done.text()


async def test_install_then_commands_use_the_installed_token(
        multi: tuple[SlackDriver, str], redis: Redis) -> None:
    slack, base = multi
    await install(slack, base)
    exchange = slack.api.last("oauth.v2.access")
    assert exchange.args["code"] == "c0de"
    assert await redis.hexists("rp:{w:slack:T2}:slack:installation", "bot")
    answer = await slack.post(
        b"team_id=T2&user_id=U9&channel_id=C1&command=%2Fhabits&text=&response_url="
        + slack.api.response_url("t2").encode(), "application/x-www-form-urlencoded")
    assert answer.status == 200
    await slack.settled()
    assert slack.api.last("users.info").token == "xoxb-installed"
    assert "Your habits" in slack.api.last("response_url").all_text()


async def test_a_forged_or_replayed_state_is_refused(multi: tuple[SlackDriver, str],
                                                      redis: Redis) -> None:
    slack, base = multi
    async with slack.session.get(f"{base}/slack/oauth_redirect",
                                 params={"code": "c0de", "state": "made-up"},
                                 headers={"Cookie": "slack-app-oauth-state=made-up"}) as done:
        await done.text()
    assert slack.api.called("oauth.v2.access") == []
    states = RedisOAuthStateStore(redis)
    state = await states.async_issue()
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False


async def test_uninstall_deletes_the_workspaces_data_and_installation(
        multi: tuple[SlackDriver, str], redis: Redis) -> None:
    slack, base = multi
    await install(slack, base)
    await slack.post(b"team_id=T2&user_id=U9&channel_id=C1&command=%2Fpromise&text=ship+it+by+"
                     b"Friday&response_url=" + slack.api.response_url("t2").encode(),
                     "application/x-www-form-urlencoded")
    await slack.settled()
    assert await keys(redis, "rp:{u:slack:T2:U9}:*")
    assert (await slack.envelope({"type": "app_uninstalled"}, team="T2")).status == 200
    await slack.settled()
    left = [k for k in await keys(redis, "*") if b"T2" in k]
    assert left == []
    answer = await slack.post(b"team_id=T2&user_id=U9&channel_id=C1&command=%2Fhabits&text=",
                              "application/x-www-form-urlencoded")
    await slack.settled()
    assert answer.status == 200 and "install" in answer.text.lower()  # bolt's reinstall hint
    assert [c for c in slack.api.called("response_url") if "habits" in c.all_text()] == []


async def test_revoked_bot_token_also_forgets_the_workspace(slack: SlackDriver,
                                                            redis: Redis) -> None:
    await slack.command("promise", "ship it by Friday")
    await slack.settled()
    assert await keys(redis, "rp:{u:slack:T1:U1}:*")
    await slack.envelope({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}})
    await slack.settled()
    assert [k for k in await keys(redis, "*") if b"slack:T1" in k] == []


def everywhere(redis: Redis) -> dict[str, Any]:
    """On Redis Cluster, send a server command to every node (the key's node among them)."""
    return {"target_nodes": RedisCluster.ALL_NODES} if isinstance(redis, RedisCluster) else {}


async def pause(redis: Redis, ms: int) -> None:
    await redis.execute_command("CLIENT PAUSE", ms, "ALL", **everywhere(redis))


async def unpause(redis: Redis) -> None:
    await redis.execute_command("CLIENT UNPAUSE", **everywhere(redis))


async def calls(redis: Redis, command: str) -> int:
    """How often `command` ran since the stats were reset, over every node."""
    answer = await redis.execute_command("INFO", "commandstats", **everywhere(redis))
    per_node = answer.values() if isinstance(redis, RedisCluster) else [answer]
    return sum(int(stats.get(f"cmdstat_{command}", {}).get("calls", 0)) for stats in per_node)


async def habits(slack: SlackDriver, response: str = "t2") -> tuple[int, float]:
    """/habits in the installed workspace: the status Slack sees and how long it waited."""
    started = time.monotonic()
    answer = await slack.post(
        b"team_id=T2&user_id=U9&channel_id=C1&command=%2Fhabits&text=&response_url="
        + slack.api.response_url(response).encode(), "application/x-www-form-urlencoded")
    return answer.status, time.monotonic() - started


async def test_the_bot_token_is_stored_once_and_encrypted(multi: tuple[SlackDriver, str],
                                                          redis: Redis) -> None:
    slack, base = multi
    await install(slack, base)
    stored = await redis.hgetall(INSTALLED)
    assert set(stored) == {b"bot", b"latest", b"user:U9"}
    assert not [v for v in stored.values() if FAKE_TOKEN.encode() in v]  # nothing in plain text
    assert all(Cipher.encrypted(v) for v in stored.values())
    cipher = Cipher.from_setting(KEY)
    holding = [f for f, v in stored.items() if FAKE_TOKEN.encode() in cipher.decrypt(v)]
    assert holding == [b"bot"]  # one copy, not three
    # bolt's own view of the installation still has the token (filled in from `bot`).
    found = await slack.adapter.installations.async_find_installation(  # type: ignore[union-attr]
        enterprise_id=None, team_id="T2")
    assert found is not None and found.bot_token == FAKE_TOKEN and found.user_id == "U9"


def legacy_records(token: str) -> dict[str, str]:
    """An installation as versions before encryption stored it: plain JSON, three tokens."""
    bot = {"app_id": "A1", "team_id": "T2", "bot_token": token, "bot_id": "B1",
           "bot_user_id": "UBOT", "bot_scopes": "commands,chat:write",
           "is_enterprise_install": False, "installed_at": "2026-01-05 10:00:00+00:00"}
    whole = {**bot, "user_id": "U9", "token_type": "bot"}
    return {"bot": json.dumps(bot), "latest": json.dumps(whole), "user:U9": json.dumps(whole)}


async def test_a_plain_text_installation_from_an_earlier_version_works_and_is_encrypted(
        multi: tuple[SlackDriver, str], redis: Redis) -> None:
    slack, _ = multi
    await redis.hset(INSTALLED, mapping=legacy_records("xoxb-legacy-fake"))
    status, _ = await habits(slack)
    assert status == 200
    await slack.settled()
    assert slack.api.last("users.info").token == "xoxb-legacy-fake"
    assert "Your habits" in slack.api.last("response_url").all_text()
    stored = await redis.hgetall(INSTALLED)
    assert set(stored) == {b"bot", b"latest", b"user:U9"}
    assert not [v for v in stored.values() if b"xoxb-legacy-fake" in v]
    cipher = Cipher.from_setting(KEY)
    assert [f for f, v in stored.items() if b"xoxb-legacy-fake" in cipher.decrypt(v)] == [b"bot"]


async def test_rotation_re_encrypts_with_the_newest_key(redis: Redis) -> None:
    old, new = generate_key(), generate_key()
    before = RedisInstallationStore(redis, Cipher.from_setting(old))
    await redis.hset(INSTALLED, mapping=legacy_records("xoxb-rotated-fake"))
    # Both keys, the new one first (what `rapport encrypt-tokens` runs with).
    rotated = RedisInstallationStore(redis, Cipher.from_setting(f"{new},{old}"))
    assert await rotated.encrypt_all() == (1, 3)
    after = RedisInstallationStore(redis, Cipher.from_setting(new))  # the old key dropped
    assert await after.bot_token("T2") == "xoxb-rotated-fake"
    assert await before.bot_token("T2") is None  # the old key alone opens nothing now


async def test_a_stalled_redis_gets_a_quick_503_not_a_late_200(
        multi: tuple[SlackDriver, str], redis: Redis) -> None:
    slack, base = multi
    await install(slack, base)
    assert (await habits(slack))[0] == 200  # bolt's auth.test answer is cached from here on
    await slack.settled()
    store = slack.adapter.installations
    assert store is not None
    # Warm: the installation comes from the process's cache; only the accept waits for Redis,
    # and gives up inside its 2 s.
    await pause(redis, 4000)
    try:
        status, waited = await habits(slack)
    finally:
        await unpause(redis)
    assert status == 503 and waited < 2.8, (status, waited)
    # Cold (another replica, or the cache expired): the lookup itself gives up after 0.5 s.
    store.forget()
    await pause(redis, 4000)
    try:
        status, waited = await habits(slack)
    finally:
        await unpause(redis)
    assert status == 503 and waited < installation.LOOKUP_TIMEOUT + 0.5, (status, waited)
    await asyncio.sleep(0)
    assert (await habits(slack))[0] == 200  # Redis back: served again


async def test_the_installation_is_read_from_redis_once_a_minute_not_per_request(
        multi: tuple[SlackDriver, str], redis: Redis) -> None:
    slack, base = multi
    await install(slack, base)
    await redis.execute_command("CONFIG RESETSTAT", **everywhere(redis))
    for _ in range(5):
        assert (await habits(slack))[0] == 200
    await slack.settled()
    assert await calls(redis, "evalsha") >= 5  # the stats count: each command was accepted
    # Five commands, one read of the installation (before the cache: one HGET per command).
    assert await calls(redis, "hget") + await calls(redis, "hmget") <= 1


@pytest.fixture
def oauth_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "MICROSOFT_", "RAPPORT_", "REDIS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "fake-client-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "fake-signing-secret")
    return monkeypatch


def test_oauth_without_an_encryption_key_does_not_start(oauth_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="RAPPORT_ENCRYPTION_KEY is required with "
                                            "SLACK_CLIENT_ID") as refused:
        load_settings()
    assert "rapport generate-key" in str(refused.value)


def test_a_malformed_key_is_named_but_never_repeated(oauth_env: pytest.MonkeyPatch) -> None:
    good = generate_key()
    oauth_env.setenv("RAPPORT_ENCRYPTION_KEY", f"{good},not-a-fernet-key-but-secret")
    with pytest.raises(SettingsError, match="key 2 of 2 is not a Fernet key") as refused:
        load_settings()
    assert "not-a-fernet-key-but-secret" not in str(refused.value) and good not in str(
        refused.value)
    oauth_env.setenv("RAPPORT_ENCRYPTION_KEY", f"{good}, {generate_key()}")  # newest first
    assert load_settings().rapport_encryption_key is not None


def test_rapport_encrypt_tokens_encrypts_what_earlier_versions_stored(redis_url: str,
                                                                      tmp_path: Path) -> None:
    async def seed() -> None:
        client = client_for(redis_url)
        await client.flushall()
        await client.hset(INSTALLED, mapping=legacy_records("xoxb-cli-fake"))
        await client.aclose()

    async def stored() -> dict[bytes, bytes]:
        client = client_for(redis_url)
        try:
            return await client.hgetall(INSTALLED)  # type: ignore[no-any-return]
        finally:
            await client.aclose()

    asyncio.run(seed())
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "REDIS_", "RAPPORT_"))}
    env.update(REDIS_URL=redis_url, RAPPORT_ENCRYPTION_KEY=KEY)
    done = subprocess.run([str(Path(sys.executable).with_name("rapport")), "encrypt-tokens"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "1 Slack installations: 3 records encrypted with the newest key" in done.stdout
    records = asyncio.run(stored())
    assert not [v for v in records.values() if b"xoxb-cli-fake" in v]
    cipher = Cipher.from_setting(KEY)
    assert [f for f, v in records.items() if b"xoxb-cli-fake" in cipher.decrypt(v)] == [b"bot"]
