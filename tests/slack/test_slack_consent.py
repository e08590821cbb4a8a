"""Consent on Slack: chatting, being mentioned or receiving kudos schedules nothing; a command
does. Payload shapes as in tests/slack/slack_harness.py (Slack's Events API and slash-command
docs)."""

from __future__ import annotations

from slack_harness import SlackDriver

from bot.nudges import DAILY
from bot.ports import Ports
from habits.people import PersonRef


def person(user: str) -> PersonRef:
    return PersonRef("slack", "T1", user)


async def scheduled(ports: Ports, user: str) -> list[str]:
    return sorted(job.kind for job in await ports.due.pending_for(person(user)))


async def test_chatters_mentions_and_kudos_receivers_get_nothing_scheduled(
        slack: SlackDriver, ports: Ports) -> None:
    await slack.message("I'll send the numbers to <@U3> by Friday", user="U2")  # offered, ignored
    await slack.message("coffee anyone?", user="U4")
    await slack.command("kudos", "<@U5> your incident timeline made the review calm and quick")
    await slack.settled()
    for user in ("U2", "U3", "U4", "U5"):
        assert DAILY not in await scheduled(ports, user), user
        assert not (await ports.people.profile(person(user))).enrolled, user
    # The one who typed a command has used Rapport: their morning nudge is planned.
    assert DAILY in await scheduled(ports, "U1")
    assert (await ports.people.profile(person("U1"))).enrolled
