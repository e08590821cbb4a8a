"""A negotiation prep in the morning nudge: a one-screen summary on the meeting's local day and
a debrief prompt on the next working morning, both inside the one morning message (the
notification budget of docs/followup.md), never a message of their own."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import Console
from bot import nudges
from bot.clock import FixedClock
from bot.commands import prep
from bot.core import Rapport
from bot.ports import Ports
from bot.tick import Ticker
from habits.people import PersonRef

LONDON = ZoneInfo("Europe/London")
ANA = PersonRef("console", "local", "ana")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


async def morning(ticker: Ticker, messenger: ConsoleMessenger, moment: datetime) -> list[str]:
    await ticker.tick(moment)
    return ["\n".join([r.text, *(s.text for s in r.sections)]) for r in await messenger.collect(ANA)]


async def test_the_meeting_day_brings_a_summary_and_the_next_morning_a_debrief_prompt(
        core: Rapport, ports: Ports, clock: FixedClock, messenger: ConsoleMessenger) -> None:
    clock.set(at(24, 10))  # Tuesday
    console = Console(core, messenger, me="ana")
    await console.handle_line("/prep the Q1 headcount with @lee on Thursday")
    await console.handle_line("/prep answer 1 two engineers for Q1")
    await console.handle_line("/prep answer 1 one engineer, not less")
    await console.handle_line("/prep answer 1 hire a contractor")
    ticker = Ticker(ports, {"console": messenger})

    (wednesday,) = await morning(ticker, messenger, at(25, 9, 30))
    assert "Meeting today" not in wednesday and "How did it go?" not in wednesday

    (thursday,) = await morning(ticker, messenger, at(26, 9, 30))  # one message, not two
    assert "*Meeting today:* the Q1 headcount with <@lee>." in thursday
    assert "You want: two engineers for Q1" in thursday
    assert "Walk away at: one engineer, not less" in thursday
    assert "Your alternative: hire a contractor" in thursday

    (friday,) = await morning(ticker, messenger, at(27, 9, 30))
    assert "*How did it go?* the Q1 headcount with <@lee>." in friday
    assert "Meeting today" not in friday

    (monday,) = await morning(ticker, messenger, at(30, 9, 30))
    assert "Q1 headcount" not in monday  # asked once


async def test_a_debriefed_prep_is_not_asked_about_again(
        core: Rapport, ports: Ports, clock: FixedClock, messenger: ConsoleMessenger) -> None:
    clock.set(at(24, 10))
    console = Console(core, messenger, me="ana")
    await console.handle_line("/prep the vendor renewal with @kim on Wednesday")
    ticker = Ticker(ports, {"console": messenger})
    assert any("Meeting today" in m for m in await morning(ticker, messenger, at(25, 9, 30)))
    clock.set(at(25, 16))
    await console.handle_line("/prep debrief 1 agreed a two-year term")
    (thursday,) = await morning(ticker, messenger, at(26, 9, 30))
    assert "vendor renewal" not in thursday


def test_the_nudge_buttons_are_the_prep_commands_buttons() -> None:
    assert (nudges.PREP_FORM, nudges.PREP_DEBRIEF) == (prep.OPEN, prep.OPEN_DEBRIEF)
