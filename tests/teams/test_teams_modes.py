"""Teams authentication is on unless explicitly off (issue 14, item 1).

    no platform credential at all (the quick start)  -> local mode, with a WARNING at every
    RAPPORT_TEAMS_LOCAL=on                               start and on /readyz
    MICROSOFT_APP_ID set                             -> Bot Framework authentication
    anything else (Slack only, RAPPORT_TEAMS_LOCAL=off) -> no /api/messages (404)
    MICROSOFT_APP_ID="" , a password or tenant without an app id, or local mode beside an app id
                                                     -> start-up stops, naming the variable
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis
from teams_harness import TENANT_ID, start_app, teams_of

from adapters.bootstrap import wire
from adapters.settings import AppType, Settings, SettingsError, TeamsMode, load_settings
from adapters.teams.http import LOCAL_MODE_WARNING, BotConfig
from adapters.web.server import make_app
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports

APP_ID = "00000000-aaaa-bbbb-cccc-00000000000a"
RAPPORT = str(Path(sys.executable).with_name("rapport"))


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean environment: none of the platform variables of the machine running the tests."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "MICROSOFT_", "RAPPORT_")):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.mark.parametrize(("variables", "mode"), [
    ({}, TeamsMode.LOCAL),
    ({"RAPPORT_TEAMS_LOCAL": "on", "SLACK_BOT_TOKEN": "xoxb-not-real",
      "SLACK_SIGNING_SECRET": "not-real"}, TeamsMode.LOCAL),
    ({"RAPPORT_TEAMS_LOCAL": "off"}, TeamsMode.OFF),
    ({"SLACK_BOT_TOKEN": "xoxb-not-real", "SLACK_SIGNING_SECRET": "not-real"}, TeamsMode.OFF),
    ({"SLACK_SIGNING_SECRET": "not-real"}, TeamsMode.OFF),
    ({"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "not-real",
      "SLACK_SIGNING_SECRET": "not-real",
      "RAPPORT_ENCRYPTION_KEY": "bm90LXJlYWwtbm90LXJlYWwtbm90LXJlYWwtbm90LXI="}, TeamsMode.OFF),
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "not-real",
      "MICROSOFT_APP_TENANT_ID": TENANT_ID}, TeamsMode.AUTHENTICATED),
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "not-real",
      "MICROSOFT_APP_TYPE": "MultiTenant"}, TeamsMode.AUTHENTICATED),
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_TYPE": "UserAssignedMSI"},
     TeamsMode.AUTHENTICATED),
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "not-real",
      "MICROSOFT_APP_TENANT_ID": TENANT_ID, "RAPPORT_TEAMS_LOCAL": "off"},
     TeamsMode.AUTHENTICATED),
])
def test_the_teams_mode_follows_the_credentials(env: pytest.MonkeyPatch,
                                                variables: dict[str, str],
                                                mode: TeamsMode) -> None:
    for name, value in variables.items():
        env.setenv(name, value)
    assert load_settings().teams_mode is mode


@pytest.mark.parametrize(("variables", "named"), [
    ({"MICROSOFT_APP_ID": ""}, "MICROSOFT_APP_ID: is set but empty"),
    ({"MICROSOFT_APP_ID": "  ", "MICROSOFT_APP_PASSWORD": "not-real"},
     "MICROSOFT_APP_ID: is set but empty"),
    ({"MICROSOFT_APP_PASSWORD": "not-real"},
     "MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is not"),
    ({"MICROSOFT_APP_TENANT_ID": "contoso"},
     "MICROSOFT_APP_TENANT_ID is set but MICROSOFT_APP_ID is not"),
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "not-real",
      "MICROSOFT_APP_TENANT_ID": TENANT_ID, "RAPPORT_TEAMS_LOCAL": "on"},
     "RAPPORT_TEAMS_LOCAL=on turns Teams authentication off"),
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "not-real"},
     "MICROSOFT_APP_TENANT_ID is required: MICROSOFT_APP_TYPE is SingleTenant (the default; "
     "Azure has created no new multi-tenant bots since 2025-07-31)"),
    ({"RAPPORT_TEAMS_SERVICE_URLS": "smba.trafficmanager.net"},
     "RAPPORT_TEAMS_SERVICE_URLS: must be an http:// or https:// URL"),
    ({"RAPPORT_PUBLIC_URL": "rapport.example.com"},
     "RAPPORT_PUBLIC_URL: must be an http:// or https:// URL"),
])
def test_half_given_teams_credentials_stop_the_start(env: pytest.MonkeyPatch,
                                                     variables: dict[str, str],
                                                     named: str) -> None:
    for name, value in variables.items():
        env.setenv(name, value)
    with pytest.raises(SettingsError, match=re.escape(named)) as error:
        load_settings()
    assert "not-real" not in str(error.value)


def test_rapport_serve_refuses_an_empty_app_id(tmp_path: Path) -> None:
    """What the red team ran: the real command, MICROSOFT_APP_ID="" in the environment."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "REDIS_", "RAPPORT_")) and k != "PORT"}
    done = subprocess.run([RAPPORT, "serve"], cwd=tmp_path, capture_output=True, text=True,
                          env={**env, "MICROSOFT_APP_ID": "", "MICROSOFT_APP_PASSWORD": "x1"},
                          timeout=30, check=False)
    assert done.returncode == 2
    assert "MICROSOFT_APP_ID: is set but empty" in done.stderr
    assert not (tmp_path / ".rapport").exists()  # stopped before starting anything


def test_the_service_url_and_public_url_settings_parse() -> None:
    settings = Settings(rapport_teams_service_urls="http://127.0.0.1:5555/, http://localhost:1/x",
                        rapport_public_url="https://rapport.example.com/")
    assert settings.rapport_teams_service_urls == ("http://127.0.0.1:5555/", "http://localhost:1/x")
    assert settings.rapport_public_url == "https://rapport.example.com"


@pytest.mark.parametrize("given", [
    {},
    {"rapport_teams_local": True, "slack_bot_token": "xoxb-not-real",
     "slack_signing_secret": "not-real"},
], ids=["quick-start", "explicitly-on"])
async def test_local_mode_warns_at_every_start_and_on_readyz(
        env: pytest.MonkeyPatch, redis: Redis, ports: Ports, clock: FixedClock,
        caplog: pytest.LogCaptureFixture, given: dict[str, object]) -> None:
    settings = Settings(**given)
    for _start in range(2):
        caplog.clear()
        runtime = wire(settings, redis, ports, Rapport(ports, clock), clock)
        assert teams_of(runtime).local_mode
        with caplog.at_level(logging.INFO, logger="rapport.teams"):
            runner, base = await start_app(make_app(runtime))
        try:
            warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
            assert warnings == [LOCAL_MODE_WARNING]
            async with aiohttp.ClientSession() as session, session.get(f"{base}/readyz") as ready:
                assert ready.status == 200
                assert await ready.json() == {"status": "ready", "warnings": [LOCAL_MODE_WARNING]}
        finally:
            await runner.cleanup()
    assert "WITHOUT authentication" in LOCAL_MODE_WARNING


async def test_authenticated_mode_has_no_warning_on_readyz(
        redis: Redis, ports: Ports, clock: FixedClock) -> None:
    settings = Settings(microsoft_app_id=APP_ID, microsoft_app_password="not-real",
                        microsoft_app_tenant_id=TENANT_ID,
                        rapport_public_url="https://rapport.example.com")
    runtime = wire(settings, redis, ports, Rapport(ports, clock), clock)
    app = make_app(runtime)
    assert not teams_of(runtime).local_mode
    runner, base = await start_app(app)
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{base}/readyz") as ready:
            assert await ready.json() == {"status": "ready"}
    finally:
        await runner.cleanup()


def test_a_new_bot_is_single_tenant_by_default(env: pytest.MonkeyPatch) -> None:
    """Issue 16: the old default, MultiTenant, is a type Azure no longer creates (2025-07-31),
    so a newcomer following the README got a bot whose every reply failed to authenticate."""
    env.setenv("MICROSOFT_APP_ID", APP_ID)
    env.setenv("MICROSOFT_APP_PASSWORD", "not-real")
    env.setenv("MICROSOFT_APP_TENANT_ID", TENANT_ID)
    settings = load_settings()
    assert settings.microsoft_app_type is AppType.SINGLE_TENANT
    assert BotConfig(settings).APP_TYPE == "SingleTenant"
    assert BotConfig(settings).APP_TENANTID == TENANT_ID
