"""The team privacy model cannot be argued around (docs/privacy.md, "Who sees team figures").

Red-team finding (issue 14, item 3): a non-admin ran `/team create shadow` and `/team add shadow
@target` plus four colleagues who never use Rapport; `/team` then showed the target's exact
week and `/team export` 52 weeks of it; two teams differing by one person gave the same by
subtraction. Each test here is one way in, and asserts what the person trying it sees.
"""

from __future__ import annotations

from redis.asyncio import Redis

from bot.clock import FixedClock
from bot.core import Rapport
from bot.events import Action, Actor, Command
from bot.ports import Ports
from bot.replies import Audience, Reply
from bot.team_summary import summary_sections
from habits.people import PersonRef, WorkspaceRef
from habits.teams import Team

WS = "T1"
ROOT = Actor(PersonRef("slack", WS, "root"), "root", is_admin=True)


def actor(name: str) -> Actor:
    return Actor(PersonRef("slack", WS, name), name)


async def replies(core: Rapport, who: Actor, command: str) -> list[Reply]:
    name, _, text = command.partition(" ")
    return await core.handle(Command(who, name, text, "C1"))


def text_of(answer: list[Reply]) -> str:
    return "\n".join(r.text + "\n" + "\n".join(s.text for s in r.sections) for r in answer)


async def run(core: Rapport, who: Actor, command: str) -> str:
    return text_of(await replies(core, who, command))


def mentions(users: list[str]) -> str:
    return " ".join(f"<@{u}>" for u in users)


async def busy_week(core: Rapport, user: str) -> None:
    """The target's week from the red-team report: 2 made, 1 kept on time, 1 renegotiated."""
    who = actor(user)
    await run(core, who, "promise send the audit notes by Friday")
    await run(core, who, "kept fixed the flaky login test")


async def test_only_workspace_admins_create_teams(core: Rapport) -> None:
    eve = actor("eve")
    answer = await run(core, eve, "team create shadow")
    assert "Only workspace admins create teams" in answer and "*shadow*" in answer
    assert "Only workspace admins" in await run(core, eve, "team managers add shadow <@eve>")
    assert "Shadow" not in await run(core, ROOT, "team")  # nothing was stored
    created = await run(core, ROOT, "team create Shadow <@eve>")
    assert "Created team *Shadow*; managed by <@eve>" in created


async def test_a_shadow_team_of_people_never_told_shows_nothing(core: Rapport, ports: Ports) -> None:
    # The red team's team as it was stored before the fix: the target and four colleagues who
    # never used Rapport and were never told, managed by a non-admin.
    colleagues = ["c1", "c2", "c3", "c4"]
    await busy_week(core, "target")
    await ports.teams.save(Team(WorkspaceRef("slack", WS), "shadow", "shadow",
                                members=frozenset({"target", *colleagues}),
                                managers=frozenset({"eve"})))
    await busy_week(core, "target")

    summary = await run(core, actor("eve"), "team")
    assert "*shadow*: 1 of 5 members counted. Figures appear from 5 counted members" in summary
    assert "made" not in summary and "kept on time" not in summary
    export = await run(core, actor("eve"), "team export shadow")
    assert "nothing to export" in export
    assert all(r.attachment is None for r in await replies(core, actor("eve"), "team export shadow"))


async def test_two_teams_differing_by_one_person_show_no_figures(
    core: Rapport,
    ports: Ports,
    clock: FixedClock,
) -> None:
    five = [f"m{i}" for i in range(5)]
    await run(core, ROOT, "team create Web <@boss>")
    await run(core, ROOT, "team create Web Plus <@boss> <@lee>")
    await run(core, actor("boss"), "team add web " + mentions(five))
    await run(core, actor("boss"), "team add web-plus " + mentions([*five, "target"]))
    for user in [*five, "target"]:
        await busy_week(core, user)

    for viewer in (actor("boss"), ROOT):  # each can see both teams
        seen = await run(core, viewer, "team")
        assert "no figures, because Web Plus has almost the same members" in seen
        assert "no figures, because Web has almost the same members" in seen
        assert "Promises:" not in seen
        assert "nothing to export" in await run(core, viewer, "team export web-plus")
    # The weekly digest is refused the same way.
    boss = await ports.people.profile(PersonRef("slack", WS, "boss"))
    team = await ports.teams.get(WorkspaceRef("slack", WS), "web-plus")
    assert team is not None
    digest = "\n".join(s.text for s in await summary_sections(ports, team, boss, clock.now(),
                                                              week_ended=True))
    assert "almost the same members" in digest and "Promises:" not in digest
    # Lee sees only Web Plus: nothing to subtract it from, so its figures show.
    assert "*Web Plus* — 6 members · this week" in await run(core, actor("lee"), "team")


async def test_a_newcomer_is_welcomed_and_saying_no_takes_them_out_of_the_figures(
    core: Rapport,
) -> None:
    people = [f"n{i}" for i in range(6)]
    await run(core, ROOT, "team create Web <@boss>")
    added = await replies(core, actor("boss"), "team add " + mentions(people))
    welcomes = {r.to.user: r for r in added if r.audience is Audience.DIRECT and r.to is not None}
    assert set(welcomes) == set(people)
    welcome = welcomes["n5"]
    assert "<@boss> added you to the team *Web*" in welcome.text
    assert "Your manager sees only team totals" in welcome.text
    no_thanks = next(b for s in welcome.sections for b in s.buttons if b.label == "No messages, thanks")

    await core.handle(Action(actor("n5"), no_thanks.action, no_thanks.value, "D1"))
    await run(core, actor("n5"), "kept shipped the hotfix for the search page")
    await run(core, actor("n0"), "kept reviewed the API change for the mobile team")

    summary = await run(core, actor("boss"), "team")
    assert "*Web* — 5 of 6 members counted" in summary
    assert "Promises: 1 made · 1 kept on time" in summary  # n0's, not n5's
    mine = await run(core, actor("n5"), "team")
    assert "not counted in team figures while Rapport's messages to you are off" in mine


async def test_a_managers_own_activity_and_a_leavers_stay_out_of_the_team_figures(
    core: Rapport,
) -> None:
    people = [f"p{i}" for i in range(6)]
    await run(core, ROOT, "team create Web <@boss>")
    await run(core, actor("boss"), "team add " + mentions(people))
    left = await run(core, actor("p5"), "team leave web")
    assert "You left *Web*" in left
    await run(core, actor("p5"), "kept wrote the migration guide")
    await run(core, actor("boss"), "kept approved the hiring plan")
    await run(core, actor("p0"), "kept paired on the flaky build")

    summary = await run(core, actor("boss"), "team")
    assert "*Web* — 5 members" in summary
    assert "Promises: 1 made · 1 kept on time" in summary
    assert "You are not a member of any team" in await run(core, actor("p5"), "team leave web")


async def test_look_alike_team_names_are_one_name(core: Rapport) -> None:
    assert "Created team *Ops*" in await run(core, ROOT, "team create Ops")
    for look_alike in ("Ｏｐｓ", "\u041eps", "ops", "OPS", "O\u200bps"):  # full width, Cyrillic О
        answer = await run(core, ROOT, f"team create {look_alike}")
        assert "There is already a team called *Ops*" in answer, look_alike
    assert "Created team *Platform*" in await run(core, ROOT, "team create Ｐｌａｔｆｏｒｍ")
    assert "Added <@ana> to *Ops*" in await run(core, ROOT, "team add \u041eps <@ana>")


async def test_team_names_have_a_length_cap(core: Rapport, redis: Redis) -> None:
    answer = await run(core, ROOT, "team create " + "Platform " * 7)
    assert "A team name can be at most 60 characters; that one has 62" in answer
    assert "Created" not in answer
    assert "Created team" in await run(core, ROOT, "team create " + "P" * 60)
