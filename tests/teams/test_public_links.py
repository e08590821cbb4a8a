"""Links Rapport shows people (a Teams export's download link) are built from RAPPORT_PUBLIC_URL,
never from request headers (issue 14, item 1: the first request's X-Forwarded-Host used to fix
the links' host for the life of the process). Without a public URL outside local mode, no link
and no stored file: the card says why."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fake_connector import FakeConnector
from redis.asyncio import Redis
from teams_harness import FAST, TENANT_ID, TeamsDriver, running_teams

from adapters.bootstrap import Runtime, wire
from adapters.settings import Settings
from adapters.teams import TeamsAdapter, TeamsOptions
from adapters.teams.exports import Exports
from adapters.teams.outgoing import NO_LINK, Outgoing
from adapters.teams.service_urls import ServiceUrls
from adapters.teams.store import Conversations
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports
from bot.replies import Attachment, Reply

HOSTILE = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
           "Host": "evil.example"}


def runtime_with(settings: Settings, redis: Redis, ports: Ports, clock: FixedClock,
                 options: TeamsOptions | None = None) -> Runtime:
    return wire(settings, redis, ports, Rapport(ports, clock), clock, teams=options)


async def export_link(teams: TeamsDriver) -> str:
    before = len(teams.connector.sent)
    answer = await teams.post(teams.activity("message", text="rapport export"), headers=HOSTILE)
    assert answer.status == 200
    call = teams.connector.sent[before]
    (link,) = [a["url"] for a in call.actions() if a["type"] == "Action.OpenUrl"]
    return str(link)


@pytest.fixture
async def quick_start(redis: Redis, ports: Ports, clock: FixedClock,
                      connector: FakeConnector) -> AsyncIterator[TeamsDriver]:
    settings = Settings(port=3978)
    async with running_teams(runtime_with(settings, redis, ports, clock,
                                          TeamsOptions(retry=FAST.retry)), connector) as driver:
        yield driver


async def test_local_mode_links_point_at_localhost_whatever_the_headers(
        quick_start: TeamsDriver) -> None:
    for _ in range(2):  # the first request used to fix the host for good
        link = await export_link(quick_start)
        assert link.startswith("http://localhost:3978/teams/files/")
        assert "evil" not in link


async def test_links_use_rapport_public_url(redis: Redis, ports: Ports, clock: FixedClock,
                                            connector: FakeConnector) -> None:
    settings = Settings(rapport_public_url="https://rapport.example.com/")
    async with running_teams(runtime_with(settings, redis, ports, clock,
                                          TeamsOptions(retry=FAST.retry)), connector) as driver:
        link = await export_link(driver)
    assert link.startswith("https://rapport.example.com/teams/files/")


async def test_without_a_public_url_outside_local_mode_no_link_and_no_stored_file(
        redis: Redis, ports: Ports, clock: FixedClock) -> None:
    settings = Settings(microsoft_app_id="00000000-aaaa-bbbb-cccc-00000000000b",
                        microsoft_app_password="not-a-real-password",
                        microsoft_app_tenant_id=TENANT_ID)
    adapter = TeamsAdapter(runtime_with(settings, redis, ports, clock).parts)
    assert adapter.public_url is None
    outgoing = Outgoing(Conversations(redis, ServiceUrls(local=False)), Exports(redis), None)
    export = Reply("Here is everything Rapport keeps about you.",
                   attachment=Attachment("rapport-export.json", b'{"promises": []}'))
    card = await outgoing.card(export, "tenant-1")
    body = card["body"]
    assert isinstance(body, list)
    assert not [b for b in body if b.get("type") == "ActionSet"
                and any(a["type"] == "Action.OpenUrl" for a in b["actions"])]
    assert body[-1]["text"] == NO_LINK and "RAPPORT_PUBLIC_URL" in NO_LINK
    assert [key async for key in redis.scan_iter(count=1000)] == []  # the file was not kept
