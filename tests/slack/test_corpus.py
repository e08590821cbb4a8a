"""Every shape of the corpus (tests/slack/corpus.py) through the real HTTP path, for one
workspace, OAuth, Enterprise Grid workspace-level and org-wide installs: Slack gets its 200
in time, records are filed under the workspace Slack meant, calls go out with that
workspace's token, and nothing is kept for bots."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from urllib.parse import quote, urlencode

import pytest
from corpus import INSTALLS, SHAPES, Install, Shape, as_install
from fake_slack import FakeSlack
from redis.asyncio import Redis
from slack_harness import SlackDriver, keys, running_slack, slack_runtime, slack_settings
from slack_sdk.oauth.installation_store.models.installation import Installation

from adapters.crypto import generate_key
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports

ACK_BUDGET = 1.5  # seconds; Slack gives up after 3
SENDING = {"chat.postMessage", "chat.postEphemeral", "views.publish", "views.open",
           "response_url", "chat.update"}
_TAG = re.compile(rb"\{[uw]:slack:([^}:]+)")


async def install_into(driver: SlackDriver, install: Install) -> None:
    store = driver.adapter.installations
    assert store is not None
    await store.async_save(Installation(
        app_id="A1", enterprise_id=install.enterprise,
        team_id=None if install.org_wide else install.team, user_id="U9",
        bot_token=install.token, bot_id="BBOT", bot_user_id="UBOT", bot_scopes=["chat:write"],
        is_enterprise_install=install.org_wide))


@pytest.fixture
async def driver_for(api: FakeSlack, redis: Redis, ports: Ports, clock: FixedClock,
                     core: Rapport, request: pytest.FixtureRequest,
                     ) -> AsyncIterator[tuple[SlackDriver, Install]]:
    install: Install = request.param
    settings = slack_settings(api, slack_bot_token=None, slack_client_id="111.222",
                              slack_client_secret="fake-client-secret",
                              rapport_encryption_key=generate_key()) if install.oauth \
        else slack_settings(api)
    async with running_slack(slack_runtime(settings, redis, ports, core, clock), api,
                             clock) as driver:
        if install.oauth:
            await install_into(driver, install)
        yield driver, install


async def send(driver: SlackDriver, shape: Shape, install: Install) -> tuple[int, float]:
    body = as_install(shape, install)
    if shape.kind == "command":
        body["response_url"] = driver.api.response_url("corpus")
        raw, kind = urlencode(body).encode(), "application/x-www-form-urlencoded"
    elif shape.kind == "interaction":
        if "response_url" in body:
            body["response_url"] = driver.api.response_url("corpus")
        raw = urlencode({"payload": json.dumps(body)}).encode()
        kind = "application/x-www-form-urlencoded"
    else:
        raw, kind = json.dumps(body).encode(), "application/json"
    started = time.monotonic()
    answer = await driver.post(raw, kind)
    return answer.status, time.monotonic() - started


CASES = [pytest.param(shape, install, id=f"{shape.name}-{install.name}")
         for shape in SHAPES for install in INSTALLS if install.name in shape.installs]


@pytest.mark.parametrize(("shape", "driver_for"),
                         [pytest.param(c.values[0], c.values[1], id=c.id) for c in CASES],
                         indirect=["driver_for"])
async def test_each_shape_as_slack_sends_it(shape: Shape,
                                            driver_for: tuple[SlackDriver, Install],
                                            redis: Redis) -> None:
    slack, install = driver_for
    status, took = await send(slack, shape, install)
    assert status == 200 and took < ACK_BUDGET, (status, took)
    await slack.settled()
    made = [c.method for c in slack.api.calls]
    for method in shape.calls:
        assert method in made, f"{shape.name}: Slack never got {method}; it got {made}"
    if shape.quiet:
        assert not SENDING & set(made), f"{shape.name} sent {made}"
    for call in slack.api.calls:
        if call.method not in {"response_url", "upload"}:
            assert call.token == install.token, (call.method, call.token)
    where = {_TAG.search(k).group(1).decode() for k in await keys(redis)  # type: ignore[union-attr]
             if _TAG.search(k)}
    wanted = quote(install.workspace, safe="")
    assert where <= {wanted}, f"records filed under {where}, not only {wanted}"
    people = await keys(redis, "rp:{u:slack:*")
    if shape.stores:
        assert await keys(redis, f"rp:{{u:slack:{wanted}:U1}}:*")
    elif shape.stores is False:
        assert people == [], f"{shape.name} kept {people}"
    if shape.checks.get("wiped"):
        assert where == set(), f"left after the uninstall: {where}"
    if "thread_ts" in shape.checks:
        posted = [c for c in slack.api.calls if c.method in {"chat.postEphemeral",
                                                             "chat.postMessage"}]
        assert posted and all(c.args.get("thread_ts") == shape.checks["thread_ts"]
                              for c in posted)

