"""Negotiation prep typed into the console, end to end over real Redis: the guided questions,
feedback, list/show/drop, the debrief, and privacy (the counterpart, export, forget-me)."""

from __future__ import annotations

import json

from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import Console
from adapters.redis.keys import person_pattern
from bot.core import Rapport
from bot.events import Action, Actor, Command
from habits.people import PersonRef


def joined(lines: list[str]) -> str:
    return "\n".join(lines)


async def test_prep_from_the_first_question_to_the_debrief(
        core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="ana")
    out = joined(await console.handle_line("/prep the Q1 headcount with @lee on Thursday"))
    assert "Prep #1 started: the Q1 headcount, with @lee. Only you see this." in out
    assert "1 of 12. What do you want out of it?" in out
    assert "/prep answer 1 <your answer>" in out and "[:1] Skip" in out

    out = joined(await console.handle_line("/prep answer 1 two engineers for Q1"))
    assert "Saved." in out and "2 of 12. Where is your walk-away point?" in out
    out = joined(await console.handle_line(":1"))                      # Skip
    assert "3 of 12. If there is no deal, what is your best alternative?" in out
    for _ in range(4):
        await console.handle_line(":1")
    out = joined(await console.handle_line("/prep answer 1 me: my launch slips without them"))
    assert "8 of 12. What can you offer" in out
    for _ in range(3):
        await console.handle_line(":1")
    out = joined(await console.handle_line("/prep answer 1 start in February"))
    assert "12 of 12. Your opening offer" in out
    out = joined(await console.handle_line("/prep answer 1 three engineers, scope doubled"))
    assert "That's every question." in out
    assert "Develop an alternative first" in out
    assert "Trade it, don't give it" in out and "(\"start in February\")" in out
    assert "You have most to lose and the meeting is close" in out
    assert "No allies yet" in out

    out = joined(await console.handle_line("/prep show 1"))
    assert "#1 the Q1 headcount — with @lee — Thu 26 Nov" in out
    assert "What do you want out of it? two engineers for Q1" in out
    assert "Develop an alternative first" in out

    out = joined(await console.handle_line("/prep list"))
    assert "#1 the Q1 headcount — with @lee — Thu 26 Nov — 4 of 12 answered" in out

    out = joined(await console.handle_line("/prep debrief 1 agreed one engineer now"))
    assert "Debrief saved for prep #1." in out and "leave the door open" in out
    assert "debriefed" in joined(await console.handle_line("/prep list"))

    # The counterpart sees nothing of it, and got no message.
    console.switch("lee")
    out = joined(await console.handle_line("/prep list"))
    assert "No preps yet" in out and "headcount" not in out
    assert "headcount" not in joined(await console.handle_line("/prep show 1"))
    console.switch("ana")

    [export] = await core.handle(Command(Actor(PersonRef("console", "local", "ana")), "rapport",
                                         "export"))
    assert export.attachment is not None
    exported = json.loads(export.attachment.content)
    assert exported["preps"][0]["what"] == "the Q1 headcount"
    assert exported["preps"][0]["answers"]["want"] == "two engineers for Q1"
    assert exported["preps"][0]["debrief"]["outcome"] == "agreed one engineer now"

    out = joined(await console.handle_line("/prep drop 1"))
    assert "Prep #1 deleted." in out
    assert "No preps yet" in joined(await console.handle_line("/prep list"))


async def test_the_form_saves_drafts_and_feedback_only_on_what_was_written(
        core: Rapport, messenger: ConsoleMessenger) -> None:
    ana = Actor(PersonRef("console", "local", "ana"), "ana")
    [started] = await core.handle(Command(ana, "prep", "vendor renewal with <@lee>"))
    assert started.form is not None and started.form.action == "prep.save"
    assert [f.name for f in started.form.fields][:3] == ["want", "walk_away", "alternative"]
    [saved] = await core.handle(Action(ana, "prep.save", "1", values={
        "want": "10% off", "alternative": "the other vendor's offer", "allies": "kim",
        "concessions": "a two-year term -> 15% off"}))
    assert "Draft saved: 4 of 12 answered." in saved.text and saved.replaces_original
    assert saved.form is not None
    assert {f.name: f.value for f in saved.form.fields}["want"] == "10% off"
    assert "well prepared" in saved.sections[0].text  # no rule fires on these answers
    [again] = await core.handle(Action(ana, "prep.save", "1", values={"allies": ""}))
    assert "No allies yet" in again.sections[0].text
    assert "Draft saved: 3 of 12" in again.text


async def test_bad_prep_input_is_answered_and_changes_nothing(
        core: Rapport, messenger: ConsoleMessenger, redis: Redis) -> None:
    console = Console(core, messenger, me="ana")
    assert "who it is with" in joined(await console.handle_line("/prep the budget"))
    assert "takes two" in joined(await console.handle_line("/prep the budget with @ana"))
    assert "already passed" in joined(
        await console.handle_line("/prep the budget with @lee on yesterday"))
    assert "no prep #7" in joined(await console.handle_line("/prep show 7"))
    assert "no prep #7" in joined(await console.handle_line("/prep answer 7 hello"))
    ana = PersonRef("console", "local", "ana")
    assert [k async for k in redis.scan_iter(match=person_pattern(ana) + "preps*")] == []


async def test_forget_me_removes_preps_and_a_colleague_s_prep_forgets_the_name(
        core: Rapport, messenger: ConsoleMessenger, redis: Redis) -> None:
    console = Console(core, messenger, me="lee")
    await console.handle_line("/habits")
    console.switch("ana")
    await console.handle_line("/prep the Q1 headcount with @lee")
    await console.handle_line("/prep answer 1 ask <@lee> for two")
    console.switch("kim")
    await console.handle_line("/prep the offsite budget with @ana")

    console.switch("lee")
    await console.handle_line("/rapport forget-me confirm")
    console.switch("ana")
    out = joined(await console.handle_line("/prep show 1"))
    assert "with a colleague" in out and "ask a colleague for two" in out
    assert "lee" not in out

    console.switch("kim")
    await console.handle_line("/rapport forget-me confirm")
    kim = PersonRef("console", "local", "kim")
    assert [k async for k in redis.scan_iter(match=person_pattern(kim))] == []
