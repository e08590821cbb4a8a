"""Thread context through Teams: a bare "mine" replying in a channel thread takes on the request
its root post made (Teams names the thread in the conversation id: `19:…;messageid=<root>`)."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from teams_harness import ALEX, CHANNEL, PRIYA, TENANT, TeamsDriver

from bot.ports import Ports
from habits.people import PersonRef, WorkspaceRef

ROOT = "1700000000001"
WORKSPACE = WorkspaceRef("teams", TENANT)
PRIYA_REF = PersonRef("teams", TENANT, PRIYA["id"])
THREAD = {**CHANNEL, "id": f"{CHANNEL['id']};messageid={ROOT}"}


async def _post(teams: TeamsDriver, text: str, user: dict[str, Any], **extra: Any) -> None:
    assert (await teams.post(teams.activity("message", user=user, conversation=THREAD, text=text,
                                            **extra))).status in (200, 201, 202)


async def test_mine_in_a_requests_thread_offers_the_request(teams: TeamsDriver) -> None:
    await teams.say("hi")  # Alex's 1:1 chat exists
    await _post(teams, "can someone update the runbook by Friday?", PRIYA, id=ROOT)
    before = len(teams.connector.sent)
    await _post(teams, "mine", ALEX, replyToId=ROOT)
    offer = teams.connector.sent[before:][-1]
    text = offer.all_text()
    assert "update the runbook" in text and "Fri" in text
    assert offer.button("Track") and offer.button("Not a promise")


async def test_mine_outside_a_thread_or_under_chatter_is_the_old_offer(teams: TeamsDriver) -> None:
    await teams.say("hi")
    before = len(teams.connector.sent)
    await teams.post(teams.activity("message", conversation=CHANNEL, text="mine"))
    assert "mine" in teams.connector.sent[before:][-1].all_text()
    await _post(teams, "lunch at 12? the usual place", PRIYA, id=ROOT)
    before = len(teams.connector.sent)
    await _post(teams, "mine", ALEX, replyToId=ROOT)
    text = teams.connector.sent[before:][-1].all_text()
    assert "mine" in text and "lunch" not in text


async def test_forget_me_removes_the_requests_kept(teams: TeamsDriver, redis: Redis,
                                                   ports: Ports) -> None:
    await _post(teams, "who can take the release notes?", PRIYA, id=ROOT)
    assert len([key async for key in redis.scan_iter(match="rp:{w:teams:tenant-1}:request*")]) == 2
    kept = await ports.requests.parent(WORKSPACE, f"{THREAD['id']}:{ROOT}")
    assert kept is not None and kept.author == PRIYA_REF and kept.what == "take the release notes"
    await ports.personal_data.forget(PRIYA_REF)
    assert [key async for key in redis.scan_iter(match="rp:*request*")] == []
    assert await ports.requests.parent(WORKSPACE, f"{THREAD['id']}:{ROOT}") is None
