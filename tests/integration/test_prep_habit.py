"""Prepare and reflect: a prep's finished debrief (one with its outcome) is a day of the habit,
on the person's local day, once per prep; `/habits` shows it with no weekly target."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FixedClock
from bot.core import Rapport
from bot.events import Action, Actor, Command
from bot.ports import Ports
from bot.replies import Reply
from habits.people import PersonRef
from habits.streaks import RULES, Habit, has_bit

ANA = Actor(PersonRef("slack", "T1", "ana"), "ana")


def text_of(answer: list[Reply]) -> str:
    return "\n".join(r.text + "\n" + "\n".join(s.text for s in r.sections) for r in answer)


async def run(core: Rapport, command: str) -> str:
    name, _, text = command.partition(" ")
    return text_of(await core.handle(Command(ANA, name, text, "C1")))


def line(habits: str) -> str:
    return next(x for x in habits.splitlines() if "Prepare and reflect" in x)


async def test_the_rule_has_no_weekly_target_and_never_ends_from_quiet_days() -> None:
    rule = RULES[Habit.PREPARE_REFLECT]
    assert rule.title == "Prepare and reflect" and rule.grace is None
    assert rule.weekly_target == 0 and not rule.lapses_break


async def test_a_finished_debrief_marks_the_day_once_per_prep(
        core: Rapport, ports: Ports, clock: FixedClock) -> None:
    today = clock.now().date()
    assert line(await run(core, "habits")) == \
        "*Prepare and reflect* — streak 0 (best 0) · this week 0"
    await run(core, "prep the Q1 headcount with <@lee> on Thursday")
    await run(core, "prep answer 1 two engineers")

    # A debrief with no outcome yet is not finished: no day of the habit.
    await core.handle(Action(ANA, "prep.debrief_save", "1", channel="D1",
                             values={"learned": "they need the budget signed by March"}))
    done, _, _ = await ports.habits.history(ANA.person)
    assert not has_bit(done.get(Habit.PREPARE_REFLECT, {}), today)

    said = await run(core, "prep debrief 1 agreed: one engineer now, one in March")
    assert "Debrief saved for prep #1. A day of *Prepare and reflect*." in said
    done, _, _ = await ports.habits.history(ANA.person)
    assert has_bit(done[Habit.PREPARE_REFLECT], today)
    assert line(await run(core, "habits")) == \
        "*Prepare and reflect* — streak 1 (best 1) · this week 1"

    # The same prep debriefed again the next day counts no second day.
    clock.advance(timedelta(days=1))
    again = await run(core, "prep debrief 1 and the second engineer in April")
    assert "Prepare and reflect" not in again
    done, _, _ = await ports.habits.history(ANA.person)
    assert not has_bit(done[Habit.PREPARE_REFLECT], today + timedelta(days=1))

    # Another prep, debriefed through the form: another day.
    await run(core, "prep the vendor renewal with <@sam> on Friday")
    saved = await core.handle(Action(ANA, "prep.debrief_save", "2", channel="D1",
                                     values={"outcome": "renewed at last year's price",
                                             "relationship": "fine, we are friends"}))
    assert "A day of *Prepare and reflect*." in text_of(saved)
    done, _, _ = await ports.habits.history(ANA.person)
    assert has_bit(done[Habit.PREPARE_REFLECT], today + timedelta(days=1))
    assert "streak 2 (best 2)" in line(await run(core, "habits"))
