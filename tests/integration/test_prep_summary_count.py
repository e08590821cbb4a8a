"""Managers see one number of negotiation preps, a weekly count, and nothing else of them:
never what, never with whom, and not even the count below the team's minimum group size
(docs/managers.md)."""

from __future__ import annotations

from bot.core import Rapport
from bot.events import Actor, Command
from bot.replies import Reply
from habits.people import PersonRef

WS = "T1"
ROOT = Actor(PersonRef("slack", WS, "root"), "root", is_admin=True)
SECRET_WHAT = "the zebra-vendor renewal"
SECRET_WANT = "a 14 percent discount"


def actor(name: str) -> Actor:
    return Actor(PersonRef("slack", WS, name), name)


def text_of(answer: list[Reply]) -> str:
    return "\n".join(r.text + "\n" + "\n".join(s.text for s in r.sections)
                     + (r.form.intro if r.form else "")
                     + (r.attachment.content.decode() if r.attachment else "") for r in answer)


async def run(core: Rapport, who: Actor, command: str) -> str:
    name, _, text = command.partition(" ")
    return text_of(await core.handle(Command(who, name, text, "C1")))


async def team_of(core: Rapport, people: list[str]) -> None:
    await run(core, ROOT, "team create Web <@boss>")
    await run(core, actor("boss"), "team add " + " ".join(f"<@{u}>" for u in people))


async def prepare(core: Rapport, who: str, counterpart: str) -> None:
    await run(core, actor(who), f"prep {SECRET_WHAT} with <@{counterpart}> on Friday")
    await run(core, actor(who), f"prep answer 1 {SECRET_WANT}")
    await run(core, actor(who), "prep debrief 1 agreed: 12 percent, a two-year term")


async def test_the_weekly_count_of_preps_appears_from_the_minimum_group_size(
        core: Rapport) -> None:
    people = [f"m{i}" for i in range(5)]
    await team_of(core, people)
    assert "Negotiation preps: 0 started" in await run(core, actor("boss"), "team")
    await prepare(core, "m0", "m1")            # the counterpart is in the same team
    await prepare(core, "m2", "outsider")
    await run(core, actor("boss"), "prep something of my own with <@m3>")  # not a member
    summary = await run(core, actor("boss"), "team")
    assert "Negotiation preps: 2 started" in summary
    for hidden in (SECRET_WHAT, "zebra", SECRET_WANT, "12 percent", "outsider"):
        assert hidden not in summary
    assert "Prepare and reflect" not in summary and "prep " not in summary.split("Negotiation")[0]
    export = await run(core, actor("boss"), "team export web")
    header = next(line for line in export.splitlines() if line.startswith("week,"))
    assert ",preps," in header and "prepare_reflect" not in export
    assert "zebra" not in export and SECRET_WANT not in export


async def test_below_the_minimum_group_size_not_even_the_count_is_shown(core: Rapport) -> None:
    await team_of(core, ["s0", "s1", "s2", "s3"])
    await prepare(core, "s0", "s1")
    summary = await run(core, actor("boss"), "team")
    assert "Figures appear from 5 counted members" in summary
    assert "Negotiation preps" not in summary and "zebra" not in summary
    assert "started" not in summary


async def test_a_manager_and_the_counterpart_see_nothing_of_the_prep(core: Rapport) -> None:
    people = [f"c{i}" for i in range(5)]
    await team_of(core, people)
    await run(core, actor("c0"), "rapport settings share on")
    await prepare(core, "c0", "c1")
    for who in ("boss", "c1"):
        for command in ("prep list", "prep show 1", "habits", "team"):
            seen = await run(core, actor(who), command)
            assert "zebra" not in seen and SECRET_WANT not in seen, (who, command)
            assert "12 percent" not in seen, (who, command)
    # The one who shared their streaks: named with their habits, never with Prepare and reflect.
    summary = await run(core, actor("boss"), "team")
    assert "<@c0> —" in summary and "prep streak" not in summary
    assert "prepare and reflect" not in (await run(core, actor("c0"), "team")).lower()
