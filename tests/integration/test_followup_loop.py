"""The follow-up loop, end to end through the core, the due-work index and a tick, with a
controllable clock. Messages land in the console inbox, as a DM would in Slack or Teams."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import Console
from bot.clock import FixedClock
from bot.core import Rapport
from bot.events import Actor, Message, MessageDeleted
from bot.ports import Ports
from bot.tick import Ticker
from habits.people import PersonRef

LONDON = ZoneInfo("Europe/London")
SAM = PersonRef("console", "local", "sam")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


async def morning(ticker: Ticker, messenger: ConsoleMessenger, moment: datetime) -> str:
    """Tick at `moment`; sam's one message then, its headline and every section as text."""
    await ticker.tick(moment)
    (reply,) = await messenger.collect(SAM)
    return "\n".join([reply.text, *(section.text for section in reply.sections)])


async def say_in_chat(core: Rapport, text: str, ref: str) -> str:
    replies = await core.handle(Message(Actor(SAM, "sam"), text, "general", ref))
    return "\n".join(r.text for r in replies)


async def inbox(messenger: ConsoleMessenger) -> list[str]:
    return [r.text for r in await messenger.collect(SAM)]


async def test_detect_track_remind_keep_on_time_and_streak(
    core: Rapport, ports: Ports, clock: FixedClock, messenger: ConsoleMessenger,
) -> None:
    clock.set(at(24, 10))  # Tuesday
    offer = await core.handle(Message(Actor(SAM, "sam"), "<@priya> I'll send the deck by Friday",
                                      "general", "m1"))
    assert "That sounds like a promise: *send the deck* — to <@priya> — due Fri 27 Nov, 17:00" \
        in offer[0].text
    assert [b.label for b in offer[0].buttons] == ["Track", "Not a promise"]

    console = Console(core, messenger, me="sam")
    tracked = await core.handle(_press(offer[0].buttons[0]))
    assert "*#1* send the deck" in tracked[0].sections[0].text
    assert ("It'll be in your morning nudge on Thu 26 Nov at 09:30, and I'll ask how it went "
            "on Fri 27 Nov at 17:00.") in tracked[0].sections[0].text

    ticker = Ticker(ports, {"console": messenger})
    wednesday = await morning(ticker, messenger, at(25, 9, 30))
    assert "send the deck" not in wednesday  # nothing due yet: the day's suggestion only
    report = await ticker.tick(at(26, 9, 29))
    assert report.sent == 0 and await inbox(messenger) == []
    thursday = await morning(ticker, messenger, at(26, 9, 31))  # the working day before
    assert "*Coming up:* *#1* send the deck" in thursday
    assert (await ticker.tick(at(26, 9, 45))).sent == 0  # once only

    out = "\n".join(await console.handle_line("/kept 1"))
    assert "Kept on time" in out
    assert "send the deck" not in await morning(ticker, messenger, at(27, 9, 30))
    assert (await ticker.tick(at(27, 17, 0))).sent == 0  # nothing asked about a kept promise
    assert "Keep your promises — streak 1 (best 1)" in "\n".join(
        await console.handle_line("/habits"))


async def test_due_prompt_then_need_more_time_moves_the_date(
    core: Rapport, ports: Ports, clock: FixedClock, messenger: ConsoleMessenger,
) -> None:
    clock.set(at(24, 10))
    console = Console(core, messenger, me="sam")
    await console.handle_line("/promise review the budget to @kim by Wednesday 3pm")
    ticker = Ticker(ports, {"console": messenger})
    assert "*Due today:* *#1* review the budget" in await morning(ticker, messenger, at(25, 9, 31))
    clock.set(at(25, 15, 1))
    assert (await ticker.tick(clock.now())).by_kind == {"promise.followup": 1}
    out = "\n".join(await console.handle_line(""))  # the console shows what is waiting
    assert "You have 1 new message" in out and "review the budget" in out
    assert "[:1] Kept" in out
    clock.set(at(25, 15, 5))
    out = "\n".join(await console.handle_line("/kept"))
    assert "was due Wed 25 Nov, 15:00" in out
    out = "\n".join(await console.handle_line(":2 friday"))
    assert "New date for #1: Fri 27 Nov, 17:00" in out
    # The old lapse (Thursday night) is gone: Thursday's morning brings the heads-up, Friday's
    # lists it as due today, and Friday's follow-up asks at the new moment.
    assert "*Coming up:* *#1* review the budget" in await morning(ticker, messenger, at(26, 9, 30))
    assert (await ticker.tick(at(26, 23, 59))).sent == 0
    assert "*Due today:* *#1* review the budget" in await morning(ticker, messenger, at(27, 9, 30))
    report = await ticker.tick(at(27, 17, 0))
    assert report.by_kind == {"promise.followup": 1}


async def test_a_silent_lapse_breaks_the_keep_streak(
    core: Rapport, ports: Ports, clock: FixedClock, messenger: ConsoleMessenger,
) -> None:
    console = Console(core, messenger, me="sam")
    clock.set(at(23, 9))
    await console.handle_line("/kept fixed the flaky login test")  # a streak of 1
    clock.set(at(24, 10))
    await console.handle_line("/promise send the figures to @lee by tomorrow")
    ticker = Ticker(ports, {"console": messenger})
    assert "*Due today:*" in await morning(ticker, messenger, at(25, 9, 30))
    await ticker.tick(at(25, 17))
    assert len(await inbox(messenger)) == 1  # the day's one follow-up
    thursday = await morning(ticker, messenger, at(26, 9, 30))
    assert "*Did you keep it?* *#2* send the figures" in thursday, thursday
    assert (await ticker.tick(at(26, 23, 59))).sent == 0  # the lapse itself is silent
    friday = await morning(ticker, messenger, at(27, 9, 30))
    assert "*Slipped:* *#2* send the figures" in friday and "<@lee>" in friday
    assert "Slipped" not in await morning(ticker, messenger, at(30, 9, 30))  # said once
    clock.set(at(30, 10))
    habits = "\n".join(await console.handle_line("/habits"))
    assert "Keep your promises — streak 0 (best 1)" in habits
    assert "was due" in "\n".join(await console.handle_line("/kept"))  # still open, still keepable


async def test_not_a_promise_is_counted_and_nothing_is_tracked(
    core: Rapport, ports: Ports, clock: FixedClock,
) -> None:
    offer = await core.handle(Message(Actor(SAM), "I'll take care of the invoices tomorrow",
                                      "general", "m9"))
    await core.handle(_press(offer[0].buttons[1]))
    assert await ports.commitments.all_for(SAM) == []
    counts = await ports.stats.counts(SAM.workspace_ref)
    assert counts == {"offered": 1, "not_a_promise": 1}
    again = await core.handle(_press(offer[0].buttons[0]))
    assert "expired" in again[0].text  # one answer per offer


async def test_chatter_is_not_offered(core: Rapport, redis: Redis) -> None:
    for ref, text in enumerate(["Can you send the deck by Friday?", "Sam will send it tomorrow",
                                "I'll be out tomorrow", "> I'll send it\nlooks good",
                                "I sent it yesterday"]):
        assert await say_in_chat(core, text, f"c{ref}") == "", text


async def test_edits_update_the_offer_and_the_tracked_promise(
    core: Rapport, ports: Ports, clock: FixedClock,
) -> None:
    actor = Actor(SAM, "sam")
    await core.handle(Message(actor, "ok", "general", "e1"))
    edited = await core.handle(Message(actor, "ok, I'll draft the FAQ by Thursday", "general", "e1",
                                       edited=True))
    assert "draft the FAQ" in edited[0].text  # edited into a promise: offered
    await core.handle(_press(edited[0].buttons[0]))
    changed = await core.handle(Message(actor, "ok, I'll draft the FAQ by Friday", "general", "e1",
                                        edited=True))
    assert "updated promise #1" in changed[0].text and "Fri 27 Nov" in changed[0].text
    (promise,) = await ports.commitments.open_for(SAM)
    assert promise.due is not None and promise.due.astimezone(LONDON).day == 27

    gone = await core.handle(MessageDeleted(actor, "general", "e1"))
    assert "was deleted. I'm still tracking it" in gone[0].text
    await core.handle(Message(actor, "I'll book the room tomorrow", "general", "e2"))
    await core.handle(MessageDeleted(actor, "general", "e2"))
    assert await ports.offers.get(SAM, "general:e2") is None  # a pending offer is withdrawn


async def test_undated_promise_is_checked_on_two_working_days_later(
    core: Rapport, ports: Ports, clock: FixedClock, messenger: ConsoleMessenger,
) -> None:
    clock.set(at(27, 11))  # Friday
    console = Console(core, messenger, me="sam")
    await console.handle_line("/promise write up the retro notes")
    ticker = Ticker(ports, {"console": messenger})
    assert "retro notes" not in await morning(ticker, messenger, at(30, 9, 31))  # one day on
    tuesday = await morning(ticker, messenger, datetime(2026, 12, 1, 9, 31, tzinfo=LONDON))
    assert "*How did it go?* A couple of days ago you promised *#1* write up the retro" in tuesday


def _press(button: object) -> object:
    from bot.events import Action
    from bot.replies import Button

    assert isinstance(button, Button)
    return Action(Actor(SAM, "sam"), button.action, button.value, "general")


async def test_six_promises_due_today_come_in_one_morning_message_in_the_console(
    core: Rapport, ports: Ports, clock: FixedClock, messenger: ConsoleMessenger,
) -> None:
    clock.set(at(24, 10))  # Tuesday
    console = Console(core, messenger, me="sam")
    for n, hour in enumerate(("9:45am", "10am", "noon", "3pm", "5:30pm", "11pm"), start=1):
        await console.handle_line(f"/promise task {n} by tomorrow {hour}")
    await Ticker(ports, {"console": messenger}).tick(at(25, 9, 30))
    clock.set(at(25, 9, 31))
    out = "\n".join(await console.handle_line(""))
    assert "You have 1 new message" in out
    for n in range(1, 7):
        assert f"Due today: #{n} task {n}" in out
    # Each promise has its own three buttons, numbered through the one message.
    assert "[:16] Kept   [:17] Need more time <date>   [:18] Drop it" in out
