"""Multi-workspace mode: install through OAuth, serve that workspace with its own token, and
forget the workspace entirely when Slack says the app was uninstalled."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from fake_slack import FakeSlack
from redis.asyncio import Redis
from slack_harness import SlackDriver, keys, running_slack, slack_settings

from adapters.bootstrap import Runtime
from adapters.slack.installation import RedisOAuthStateStore
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports


@pytest.fixture
async def multi(api: FakeSlack, redis: Redis, ports: Ports, clock: FixedClock,
                core: Rapport) -> AsyncIterator[tuple[SlackDriver, str]]:
    settings = slack_settings(api, slack_bot_token=None, slack_client_id="111.222",
                              slack_client_secret="fake-client-secret")
    runtime = Runtime(settings=settings, redis=redis, ports=ports, core=core, clock=clock,
                      messengers={})
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
