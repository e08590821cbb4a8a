"""Each example of issue 17's Words list: the command or flow, then what the person sees."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import Console
from adapters.redis.keys import PersonKeys
from adapters.teams.cards import reply_card
from bot import followup
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Job, Ports
from bot.replies import say
from bot.usage import did_you_mean, full_help, overview
from habits.people import PersonRef

LONDON = ZoneInfo("Europe/London")
SAM = PersonRef("console", "local", "sam")


def joined(lines: list[str]) -> str:
    return "\n".join(lines)


async def test_the_follow_up_ask_says_due_once(
        core: Rapport, ports: Ports, clock: FixedClock, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/promise send the figures to @mgr by Wednesday")
    ask = datetime(2026, 11, 25, 17, 0, tzinfo=LONDON)
    clock.set(ask)
    (asked,) = await followup.run(ports, Job(followup.FOLLOW_UP, SAM, "2026-11-25", ask), ask)
    line = asked.sections[0].text
    assert line == "*Did you keep it?* *#1* send the figures — to <@mgr> — due Wed 25 Nov, 17:00"
    assert "is due now" not in line and asked.text == "It's time: did you keep it?"


async def test_a_new_date_is_just_the_new_date(
        core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/promise tidy the backlog by Thursday")
    out = joined(await console.handle_line(":2 friday"))
    assert "Rapport: New date for #1: Fri 27 Nov, 17:00." in out
    assert "not too late" not in out and "Tell" not in out  # nobody is waiting on it


async def test_settings_end_with_a_whole_example(
        core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    out = joined(await console.handle_line("/rapport settings"))
    assert out.splitlines()[-1].strip() == (
        "Change one with e.g. /rapport settings nudge 09:30; the others are hours "
        "08:30-17:30, tz Europe/Berlin, days sun-thu, nudges off, detection off, autotrack "
        "on and share on.")
    assert "Morning nudge: 09:30 on working days" in out


async def test_nudges_off_say_off_and_nothing_else(
        core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    out = joined(await console.handle_line("/rapport settings nudges off"))
    assert "Morning nudge: off (/rapport settings nudges on brings it back at 09:30)" in out
    assert "(active)" not in out


async def test_an_open_pause_is_not_a_date(core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    assert "No nudges until you say /rapport resume" in joined(
        await console.handle_line("/rapport pause"))
    out = joined(await console.handle_line("/rapport settings"))
    assert "Morning nudge: paused until you say /rapport resume" in out and "9999" not in out
    out = joined(await console.handle_line("/rapport pause until friday"))
    assert "Paused until 2026-11-27: no nudges through Fri 27 Nov 2026." in out
    assert "paused through Fri 27 Nov 2026, then 09:30 on working days" in joined(
        await console.handle_line("/rapport settings"))


async def test_adding_people_to_a_team_reads_as_a_sentence(
        core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/team create Platform")
    out = joined(await console.handle_line("/team add @ana @ben @cy @dee @eve"))
    assert "Rapport: Added @ana, @ben, @cy, @dee and @eve to Platform. It has 5 members now." \
        in out
    out = joined(await console.handle_line("/team remove @eve"))
    assert "Removed @eve from Platform. It has 4 members now." in out
    assert "member(s)" not in out


async def test_time_off_over_a_promise_to_nobody_names_nobody_waiting(
        core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/promise tidy the backlog by 2026-12-03")
    out = joined(await console.handle_line("/rapport vacation 2026-12-02 to 2026-12-04"))
    assert "This promise falls due while you're away. I won't ask about it until you're back." \
        in out
    assert "waiting" not in out and "A new date now saves you a catch-up later." in out
    await console.handle_line("/promise send the notes to @kim by 2026-12-03")
    await console.handle_line("/rapport vacation cancel")
    out = joined(await console.handle_line("/rapport vacation 2026-12-02 to 2026-12-04"))
    assert "These promises fall due" in out and "the people waiting" in out


async def test_the_handover_lecture_comes_once_a_fortnight(
        core: Rapport, messenger: ConsoleMessenger, clock: FixedClock, redis: Redis) -> None:
    console = Console(core, messenger, me="sam")
    first = joined(await console.handle_line("/handover @priya pick the retro format"))
    assert "gives them control and shows you trust them" in first
    second = joined(await console.handle_line("/handover @priya pick the lunch spot"))
    assert "Handed over to @priya: pick the lunch spot (#2). Now it's theirs to decide." in second
    assert "control" not in second
    assert await redis.hgetall(PersonKeys(SAM).coaching) == {b"handover": b"2026-11-24"}
    clock.advance(timedelta(days=14))
    again = joined(await console.handle_line("/handover @priya pick the offsite venue"))
    assert "gives them control" in again


async def test_late_keeps_drops_and_vague_kudos_coach_once_then_briefly(
        core: Rapport, messenger: ConsoleMessenger, clock: FixedClock) -> None:
    console = Console(core, messenger, me="sam")
    for n in (1, 2):
        await console.handle_line(f"/promise send draft {n} to @kim by tomorrow")
    clock.advance(timedelta(days=3))
    assert "next time, a quick word before the date keeps their trust" in joined(
        await console.handle_line("/kept 1"))
    assert "A little late, but done. Worth letting @kim know it's done." in joined(
        await console.handle_line("/kept 2"))
    for n in (3, 4):
        await console.handle_line(f"/promise send draft {n} to @kim")
    assert "A short, honest note to @kim keeps their trust" in joined(
        await console.handle_line("/promise drop 3"))
    assert "Dropped #4 send draft 4. Worth a short note to @kim." in joined(
        await console.handle_line("/promise drop 4"))
    assert "Name the thing" in joined(await console.handle_line("/kudos @lee great job"))
    brief = joined(await console.handle_line("/kudos @lee nice work"))
    assert "Name the thing" not in brief and "Say what they did, or post it as it is." in brief


async def test_no_preachy_lines_on_keeping(core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/promise send the deck by Friday")
    out = joined(await console.handle_line("/kept 1"))
    assert "Kept on time: #1 send the deck" in out
    assert "integrity" not in out and "people notice" not in out


def _card_text(card: dict[str, object]) -> str:
    body = card["body"]
    assert isinstance(body, list)
    return "\n".join(str(block.get("text", "")) for block in body)


def test_teams_help_has_no_slash_and_no_raw_markup() -> None:
    for text in (overview(), full_help(), did_you_mean("promis")):
        shown = _card_text(reply_card(say(text)))
        assert "`" not in shown
        for word in ("/promise", "/kept", "/kudos", "/rapport", "/team", "/handover"):
            assert word not in shown, (word, shown)
    shown = _card_text(reply_card(say(full_help())))
    assert "**promise** &lt;what&gt;" not in shown and "**promise** <" in shown
    assert "Example: **promise send the launch deck to @priya by Friday 3pm**" in shown
    assert "**rapport help** shows each one" in _card_text(reply_card(say(overview())))


async def test_console_buttons_survive_as_and_name_their_promise(
        core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/promise send the deck by Friday")
    await console.handle_line("/promise write the notes by Friday")
    out = joined(await console.handle_line("/kept"))
    assert "#1:  [:1] Kept   [:2] Need more time <date>   [:3] Drop it" in out
    assert "#2:  [:4] Kept   [:5] Need more time <date>   [:6] Drop it" in out
    assert joined(await console.handle_line(":as priya")) == "You are now @priya."
    assert "You are now @sam. Your buttons :1–:6 still work." in joined(
        await console.handle_line(":as sam"))
    assert "Kept on time: #2 write the notes" in joined(await console.handle_line(":4"))


async def test_console_kudos_show_the_emoji(core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    out = joined(await console.handle_line("/kudos @lee your runbook made the failover calm"))
    assert "#console: \U0001f389 Kudos from @sam to @lee" in out and ":tada:" not in out


async def test_the_handover_offer_is_printed_once(
        core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/handover @priya pick the retro format")
    out = joined(await console.handle_line(":as priya"))
    assert out.count("is handing you a decision") == 1
    assert "[:1] Accept   [:2] Discuss first" in out


async def test_forget_me_keeps_the_handovers_others_gave(
        core: Rapport, messenger: ConsoleMessenger) -> None:
    console = Console(core, messenger, me="sam")
    await console.handle_line("/handover @priya pick the retro format")
    await console.handle_line(":as priya")
    await console.handle_line(":1")
    await console.handle_line("/handover @sam choose the demo slot")
    await console.handle_line("/rapport forget-me confirm")
    await console.handle_line(":as sam")
    out = joined(await console.handle_line("/handover list"))
    assert "#1 to a colleague: pick the retro format — accepted" in out
    assert "choose the demo slot" not in out  # priya's own handover went with her
    assert "@priya" not in out
