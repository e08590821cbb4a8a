"""Help and pay it forward, and Stay in touch: through the console core, over real Redis."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import Console
from adapters.redis.keys import PersonKeys
from bot import nudges
from bot.clock import FixedClock
from bot.core import Rapport
from bot.events import Action, Actor, Message
from bot.ports import Ports
from bot.replies import Reply
from habits.people import PersonRef
from habits.teams import Team


def joined(lines: list[str]) -> str:
    return "\n".join(lines)


def person(user: str) -> PersonRef:
    return PersonRef("console", "local", user)


def words(reply: Reply | None) -> str:
    assert reply is not None
    return "\n".join([reply.text, *(s.text for s in reply.sections)])


def actions(reply: Reply | None) -> list[tuple[str, str]]:
    assert reply is not None
    return [(b.action, b.value) for s in reply.sections for b in s.buttons]


async def morning(ports: Ports, user: str, now: datetime) -> Reply | None:
    return await nudges.compose(ports, await ports.people.profile(person(user)), now)


async def test_thanks_is_coached_once_then_posted_sent_and_counted_for_the_helper(
    core: Rapport, messenger: ConsoleMessenger,
) -> None:
    sam = Console(core, messenger, me="sam")
    out = joined(await sam.handle_line("/thanks @priya you're the best"))
    assert "doesn't say what @priya did" in out and "Nothing was posted yet" in out
    assert "[:1] Post anyway" in out

    out = joined(await sam.handle_line("/thanks @priya for helping me with the migration"))
    assert "#console: 🙏 @sam thanks @priya: helping me with the migration" in out
    assert "Thanked, and sent to @priya" in out
    await sam.handle_line(":as priya")
    out = joined(await sam.handle_line("/habits"))
    assert "Help and pay it forward — streak 1" in out
    listed = joined(await sam.handle_line("/thanks list"))
    assert "Help you gave" in listed and "thanked by @sam: helping me with the migration" in listed
    assert "owe" not in listed.lower()
    await sam.handle_line(":as sam")
    listed = joined(await sam.handle_line("/thanks list"))
    assert "Help you received" in listed and "from @priya: helping me with the migration" in listed


async def test_vague_thanks_posted_anyway_after_the_coaching(
    core: Rapport, messenger: ConsoleMessenger,
) -> None:
    sam = Console(core, messenger, me="sam")
    await sam.handle_line("/thanks @priya thanks so much!")
    out = joined(await sam.handle_line(":1"))
    assert "🙏 @sam thanks @priya: thanks so much!" in out


async def test_thanks_then_the_next_mornings_single_nudge_suggests_paying_it_forward(
    core: Rapport, messenger: ConsoleMessenger, ports: Ports, clock: FixedClock,
) -> None:
    sam = Console(core, messenger, me="sam")
    clock.set(datetime(2026, 11, 24, 11, 0, tzinfo=clock.now().tzinfo))
    await sam.handle_line("/thanks @priya for helping me with the migration")
    today = await morning(ports, "sam", datetime(2026, 11, 24, 11, 5, tzinfo=clock.now().tzinfo))
    assert "helped you" not in words(today)  # today's morning was before the help
    tomorrow = await morning(ports, "sam", datetime(2026, 11, 25, 9, 30,
                                                    tzinfo=clock.now().tzinfo))
    assert "<@priya> helped you with the migration. Who could you help this week?" in words(
        tomorrow) or "<@priya> helped you with the migration. Help travels" in words(tomorrow)
    assert (nudges.PAY_FORWARD_ACTION, "") in actions(tomorrow)
    later = await morning(ports, "sam", datetime(2026, 11, 26, 9, 30, tzinfo=clock.now().tzinfo))
    assert "helped you" not in words(later)  # once, not every morning


async def test_an_offer_of_help_detected_tracked_and_kept_counts_as_help_given(
    core: Rapport, messenger: ConsoleMessenger, ports: Ports,
) -> None:
    lee = Actor(person("lee"), "lee")
    offered = await core.handle(Message(lee, "<@sam> I can take a look at your test plan for you",
                                        "C1", "m1"))
    assert offered and any(b.action == "promise.track" for s in offered[0].sections
                           for b in s.buttons)
    await core.handle(Action(lee, "promise.track", "C1:m1"))
    kept = await core.handle(Action(lee, "promise.kept", "1"))
    assert "Kept" in kept[0].text
    console = Console(core, messenger, me="lee")
    assert "Help and pay it forward — streak 1" in joined(await console.handle_line("/habits"))
    [favour] = await ports.favours.received_by(person("sam"))
    assert favour.helper == person("lee") and favour.source.value == "offer"
    # A promise that is not help keeps the keep streak only.
    await console.handle_line("/promise write the quarterly report by Friday")
    await console.handle_line("/kept 2")
    assert len(await ports.favours.given_by(person("lee"))) == 1


async def team_of(ports: Ports, *members: str, managers: tuple[str, ...] = ()) -> None:
    await ports.teams.save(Team(person("x").workspace_ref, "core", "Core",
                                members=frozenset(members), managers=frozenset(managers),
                                juniors=frozenset()))


async def settle(ports: Ports, user: str, since: date) -> None:
    profile = await ports.people.profile(person(user))
    await ports.people.save_profile(profile.with_changes(since=since))


async def test_stay_in_touch_suggests_the_longest_unseen_teammate_and_never_an_excluded_one(
    core: Rapport, messenger: ConsoleMessenger, ports: Ports, clock: FixedClock,
) -> None:
    sam = Console(core, messenger, me="sam")
    await sam.handle_line("/handover @boss pick the release date")  # no hand-over suggestion
    await team_of(ports, "sam", "lee", "kim", "ana", managers=("boss",))
    await team_of(ports, "sam", "lee", "kim", "ana", managers=("boss",))
    await settle(ports, "sam", date(2026, 9, 1))
    await ports.contacts.touch(person("sam"), [person("lee")], date(2026, 10, 1))
    await ports.contacts.touch(person("sam"), [person("kim")], date(2026, 10, 20))
    await ports.contacts.touch(person("sam"), [person("ana")], date(2026, 11, 20))
    await ports.contacts.touch(person("sam"), [person("zed")], date(2026, 6, 1))  # not in team
    now = datetime(2026, 11, 25, 9, 30, tzinfo=clock.now().tzinfo)
    nudge = await morning(ports, "sam", now)
    assert nudge is not None
    assert "You and <@lee> haven't been in touch" in words(nudge) or \
        "since you and <@lee> spoke" in words(nudge)
    assert "junior" not in words(nudge).lower()
    assert (nudges.DONT_SUGGEST, "lee") in actions(nudge)

    await core.handle(Action(Actor(person("sam"), "sam"), nudges.DONT_SUGGEST, "lee"))
    nudge = await morning(ports, "sam", now)
    assert "<@kim>" in words(nudge)  # next longest unseen; never zed, boss, ana, or sam
    await core.handle(Action(Actor(person("sam"), "sam"), nudges.NOT_NOW, "kim"))
    nudge = await morning(ports, "sam", now)
    assert not any(f"<@{u}>" in words(nudge) for u in ("lee", "kim", "zed", "ana", "sam"))


async def test_reaching_out_counts_for_the_habit_and_ends_the_suggestion(
    core: Rapport, messenger: ConsoleMessenger, ports: Ports, clock: FixedClock,
) -> None:
    sam = Console(core, messenger, me="sam")
    await sam.handle_line("/handover @boss pick the release date")
    await team_of(ports, "sam", "lee")
    await settle(ports, "sam", date(2026, 9, 1))
    now = datetime(2026, 11, 25, 9, 30, tzinfo=clock.now().tzinfo)
    assert (nudges.REACHED_OUT, "lee") in actions(await morning(ports, "sam", now))
    await core.handle(Action(Actor(person("sam"), "sam"), nudges.REACHED_OUT, "lee"))
    assert "Stay in touch — streak 1" in joined(await sam.handle_line("/habits"))
    assert "<@lee>" not in words(await morning(ports, "sam", now + timedelta(days=1)))
    assert (await ports.contacts.last_days(person("lee")))["sam"] == date(2026, 11, 24)


async def test_mentions_kudos_handovers_and_promises_keep_the_day_in_touch(
    core: Rapport, messenger: ConsoleMessenger, ports: Ports,
) -> None:
    sam = Console(core, messenger, me="sam")
    await sam.handle_line("/kudos @lee your runbook made the failover calm and quick")
    await sam.handle_line("/handover @ben pick the release date")
    await sam.handle_line("/promise send the deck to @kim by Friday")
    await core.handle(Message(Actor(person("sam"), "sam"), "lunch, <@ana>?", "C1", "m9"))
    days = await ports.contacts.last_days(person("sam"))
    assert set(days) == {"lee", "ben", "kim", "ana"}
    assert (await ports.contacts.last_days(person("ana"))) == {"sam": date(2026, 11, 24)}
    # Detection off: Rapport does not read the person's messages, so no day is kept.
    await sam.handle_line("/rapport settings detection off")
    await core.handle(Message(Actor(person("sam"), "sam"), "hi <@zoe>", "C1", "m10"))
    assert "zoe" not in await ports.contacts.last_days(person("sam"))


async def test_export_has_favours_and_days_in_touch_and_forget_me_removes_them_everywhere(
    core: Rapport, messenger: ConsoleMessenger, ports: Ports, redis: Redis, tmp_path: Path,
) -> None:
    sam = Console(core, messenger, me="sam", exports=tmp_path)
    await sam.handle_line("/thanks @priya for pairing with me on the migration script")
    await sam.handle_line(":as priya")
    await sam.handle_line("/thanks @sam for reviewing my rollout plan so quickly")
    await sam.handle_line(":as sam")
    await core.handle(Action(Actor(person("sam"), "sam"), nudges.DONT_SUGGEST, "lee"))
    out = joined(await sam.handle_line("/rapport export"))
    assert "file saved" in out
    data = json.loads((tmp_path / "sam-rapport-export.json").read_text())
    assert data["favours_received"][0]["what"] == "pairing with me on the migration script"
    assert data["favours_given"][0]["helped"] == ["console", "local", "priya"]
    assert data["last_in_touch"] == {"priya": "2026-11-24"}
    assert data["not_suggested"] == {"lee": "never"}

    await sam.handle_line("/rapport forget-me confirm")
    priya = PersonKeys(person("priya"))
    assert await redis.llen(priya.favours_given) == 0
    assert await redis.llen(priya.favours_received) == 0
    assert await redis.hgetall(priya.contacts) == {}
    assert await ports.favours.given_by(person("priya")) == []
