"""Issue 17, commands half: every example, typed into the console, answered by the real core
over real Redis. Each test gives the command, what the person sees, and what is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import Console
from adapters.redis.keys import PersonKeys
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports
from habits.commitments import CommitmentStatus
from habits.detection import detect
from habits.people import PersonRef, TimeOff
from habits.streaks import Habit

LONDON = ZoneInfo("Europe/London")


async def snapshot(redis: Redis) -> dict[bytes, object]:
    """Every key and its value, to prove that a command changed nothing."""
    state: dict[bytes, object] = {}
    async for key in redis.scan_iter(count=1000):
        kind = (await redis.type(key)).decode()
        if kind == "string":
            state[key] = await redis.get(key)
        elif kind == "hash":
            state[key] = await redis.hgetall(key)
        elif kind == "list":
            state[key] = await redis.lrange(key, 0, -1)
        elif kind == "set":
            state[key] = await redis.smembers(key)
        elif kind == "zset":
            state[key] = await redis.zrange(key, 0, -1, withscores=True)
    return state


SAM = PersonRef("console", "local", "sam")
LEE = PersonRef("console", "local", "lee")


@pytest.fixture
def console(core: Rapport, messenger: ConsoleMessenger) -> Console:
    return Console(core, messenger, me="sam")


async def say(console: Console, line: str) -> str:
    return "\n".join(await console.handle_line(line))


async def habit_days(ports: Ports, person: PersonRef, habit: Habit) -> int:
    done, _, _ = await ports.habits.history(person)
    return sum(bin(byte).count("1") for data in done.get(habit, {}).values() for byte in data)


# --- /kept --------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "seen"), [
    ("/kept 2 3", "send only its number: /kept 2"),
    ("/kept -1", "promise numbers start at 1"),
    ("/kept 5.", "send only its number: /kept 5"),
    ("/kept 3 slides for the review", "/kept sent 3 slides for the review"),
    ("/kept stuff", "doesn't read as something done yet"),
    ("/kept fixed", "doesn't read as something done yet"),
])
async def test_kept_with_words_that_are_not_a_done_promise_logs_nothing(
        console: Console, redis: Redis, ports: Ports, line: str, seen: str) -> None:
    await say(console, "/habits")
    before = await snapshot(redis)
    out = await say(console, line)
    assert seen in out and "Nothing logged" in out and "*/kept*" not in out
    assert "/kept* &lt;number&gt;" not in out and "/kept <number> marks one kept" in out
    assert await snapshot(redis) == before
    assert await ports.commitments.all_for(SAM) == []


async def test_kept_with_a_number_keeps_that_promise_not_a_new_one(
        console: Console, ports: Ports) -> None:
    for n in range(3):
        await say(console, f"/promise write section {n + 1} by Friday")
    out = await say(console, "/kept 3")
    assert "Kept on time: #3 write section 3" in out and "[:1] Undo" in out
    stored = await ports.commitments.all_for(SAM)
    assert len(stored) == 3 and stored[2].status is CommitmentStatus.KEPT_ON_TIME


async def test_kept_with_a_done_promise_logs_it(console: Console, ports: Ports) -> None:
    out = await say(console, "/kept reviewed Sam's pull request")
    assert "Logged as kept: #1 reviewed Sam's pull request — kept on time" in out
    (logged,) = await ports.commitments.all_for(SAM)
    assert logged.what == "reviewed Sam's pull request"
    assert await habit_days(ports, SAM, Habit.KEEP) == 1


async def test_kept_undo_takes_back_the_last_keep_and_its_streak_day(
        console: Console, ports: Ports, clock: FixedClock) -> None:
    await say(console, "/promise send the figures by Friday")
    await say(console, "/kept 1")
    assert await habit_days(ports, SAM, Habit.KEEP) == 1
    clock.advance(timedelta(minutes=3))
    out = await say(console, "/kept undo")
    assert "Undone: #1 send the figures — due Fri 27 Nov, 17:00 is open again" in out
    (promise,) = await ports.commitments.open_for(SAM)
    assert promise.status is CommitmentStatus.OPEN and promise.closed_at is None
    assert await habit_days(ports, SAM, Habit.KEEP) == 0
    assert "Nothing to undo" in await say(console, "/promise undo")


async def test_the_undo_button_on_kept_works_for_ten_minutes_only(
        console: Console, ports: Ports, clock: FixedClock) -> None:
    await say(console, "/promise send the figures by Friday")
    out = await say(console, "/kept 1")
    assert "[:1] Undo" in out
    clock.advance(timedelta(minutes=11))
    assert "nothing to undo on #1" in await say(console, ":1")
    (promise,) = await ports.commitments.all_for(SAM)
    assert promise.status is CommitmentStatus.KEPT_ON_TIME


async def test_undo_of_a_logged_keep_removes_it(console: Console, ports: Ports) -> None:
    await say(console, "/kept shipped the release notes")
    out = await say(console, "/promise undo")
    assert "Undone: #1 shipped the release notes is no longer logged" in out
    assert await ports.commitments.all_for(SAM) == []
    assert await habit_days(ports, SAM, Habit.KEEP) == 0


# --- /promise sub-commands ------------------------------------------------------------------

async def test_promise_edit_drop_and_delete_change_the_promise_not_add_one(
        console: Console, ports: Ports) -> None:
    await say(console, "/promise send the deck by Friday")
    await say(console, "/promise book the room")
    out = await say(console, "/promise edit 1 send the final deck to @priya by Thursday")
    assert "Updated: #1 send the final deck — to @priya — due Thu 26 Nov, 17:00" in out
    out = await say(console, "/promise edit 2 book the big room")
    assert "Updated: #2 book the big room." in out
    stored = await ports.commitments.all_for(SAM)
    assert [c.what for c in stored] == ["send the final deck", "book the big room"]
    assert stored[0].to == ("priya",) and stored[0].due is not None

    out = await say(console, "/promise drop 2")
    assert "Dropped #2 book the big room" in out and "[:1] Undo" in out
    assert "You have no promise #14" in await say(console, "/promise delete 14")
    out = await say(console, "/promise delete 1")
    assert "Dropped #1 send the final deck" in out and "@priya" in out
    stored = await ports.commitments.all_for(SAM)
    assert len(stored) == 2 and all(c.status is CommitmentStatus.DROPPED for c in stored)


@pytest.mark.parametrize(("line", "seen"), [
    ("/promise edit 14", "That isn't quite /promise edit"),
    ("/promise drop", "That isn't quite /promise drop"),
    ("/promise drop 3 4", "That isn't quite /promise drop"),
    ("/promise snooze 1", "That isn't quite /promise snooze"),
    ("/promise dorp 1", "Did you mean /promise drop?"),
])
async def test_a_sub_command_without_its_arguments_gets_its_usage_and_stores_nothing(
        console: Console, redis: Redis, line: str, seen: str) -> None:
    await say(console, "/habits")
    before = await snapshot(redis)
    out = await say(console, line)
    assert seen in out and "Example" in out
    assert await snapshot(redis) == before


async def test_promise_words_that_start_like_a_verb_are_still_a_promise(
        console: Console, ports: Ports) -> None:
    out = await say(console, "/promise drop off the keys with @lee")
    assert "Tracking your promise" in out
    (promise,) = await ports.commitments.all_for(SAM)
    assert promise.what == "drop off the keys with <@lee>"


async def test_promise_list_shows_the_open_ones(console: Console) -> None:
    await say(console, "/promise send the deck by Friday")
    out = await say(console, "/promise list")
    assert "Your open promises" in out and "#1 send the deck" in out and "[:1] Kept" in out


@pytest.mark.parametrize(("words", "due"), [
    ("20m", datetime(2026, 11, 24, 9, 20, tzinfo=LONDON)),
    ("1h", datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)),
    ("tomorrow", datetime(2026, 11, 25, 15, 0, tzinfo=LONDON)),
    ("next week", datetime(2026, 12, 1, 15, 0, tzinfo=LONDON)),
])
async def test_snooze_moves_the_due_moment_and_its_follow_ups(
        console: Console, ports: Ports, redis: Redis, words: str, due: datetime) -> None:
    await say(console, "/promise send the deck today 3pm")
    out = await say(console, f"/promise snooze 1 {words}")
    assert "Snoozed #1 send the deck until " in out and "I'll ask how it went" in out
    (promise,) = await ports.commitments.open_for(SAM)
    assert promise.due == due
    assert promise.status is CommitmentStatus.OPEN  # a snooze is not a renegotiation
    jobs = {member.decode() async for member in redis.scan_iter(match="*due*")}
    assert jobs  # the follow-ups were re-planned (bot.followup.schedule), no new kind added


async def test_snooze_with_other_words_changes_nothing(console: Console, ports: Ports) -> None:
    await say(console, "/promise send the deck by Friday")
    out = await say(console, "/promise snooze 1 forever")
    assert "snooze takes 20m, 1h, tomorrow or next week" in out
    (promise,) = await ports.commitments.open_for(SAM)
    assert promise.due == datetime(2026, 11, 27, 17, tzinfo=LONDON)


async def test_undo_a_drop_opens_the_promise_again(console: Console, ports: Ports) -> None:
    await say(console, "/promise review the budget by tomorrow to @kim")
    await say(console, "/promise drop 1")
    assert await habit_days(ports, SAM, Habit.FOLLOW_UP) == 1
    out = await say(console, ":1")  # the Undo button on the confirmation
    assert "Undone: #1 review the budget — to @kim" in out and "is open again" in out
    (promise,) = await ports.commitments.open_for(SAM)
    assert promise.status is CommitmentStatus.OPEN
    assert await habit_days(ports, SAM, Habit.FOLLOW_UP) == 0


# --- recipients -----------------------------------------------------------------------------

async def test_a_promise_needs_a_what_beyond_the_recipient(
        console: Console, redis: Redis) -> None:
    await say(console, "/habits")
    before = await snapshot(redis)
    out = await say(console, "/promise to @sam")
    assert "Tell me what you promised, not only when or to whom" in out
    assert await snapshot(redis) == before


async def test_a_lone_at_sign_is_not_a_person(console: Console, redis: Redis) -> None:
    await say(console, "/habits")
    before = await snapshot(redis)
    out = await say(console, "/promise send deck to @ by friday")
    assert "'@' on its own isn't anyone" in out and "Nothing tracked yet" in out
    assert await snapshot(redis) == before


async def test_for_someone_is_part_of_what_was_promised(console: Console, ports: Ports) -> None:
    out = await say(console, "/promise bring cake for @lee")
    assert "#1 bring cake for @lee\n" in out + "\n" and "— to @lee" not in out
    (promise,) = await ports.commitments.all_for(SAM)
    assert promise.what == "bring cake for <@lee>" and promise.to == ()


async def test_to_someone_at_the_end_names_the_recipient(console: Console, ports: Ports) -> None:
    out = await say(console, "/promise send the deck by Friday to @priya")
    assert "#1 send the deck — to @priya — due Fri 27 Nov, 17:00" in out
    (promise,) = await ports.commitments.all_for(SAM)
    assert promise.to == ("priya",)


# --- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("words", "due"), [
    ("write the RFC in two weeks", datetime(2026, 12, 8, 17, tzinfo=LONDON)),
    ("write the RFC in 3 days", datetime(2026, 11, 27, 17, tzinfo=LONDON)),
    ("write the RFC this afternoon", datetime(2026, 11, 24, 17, tzinfo=LONDON)),
])
async def test_promise_dates_read_as_detection_reads_them(
        console: Console, ports: Ports, clock: FixedClock, words: str, due: datetime) -> None:
    out = await say(console, f"/promise {words}")
    assert "No date given" not in out and "#1 write the RFC — due" in out
    (promise,) = await ports.commitments.all_for(SAM)
    assert promise.what == "write the RFC" and promise.due == due
    detected = detect(f"I'll {words}", sent_at=clock.now(), tz=LONDON)  # `rapport detect`
    assert detected is not None and detected.due == promise.due


@pytest.mark.parametrize(("line", "seen"), [
    ("/promise send the deck by 31 Feb", "I can't read '31 Feb' as a date; try"),
    ("/promise send the deck by yesterday", "'yesterday' has already passed"),
    ("/promise send the deck by 2026-11-01", "2026-11-01 has already passed"),
    ("/promise send the deck by last Friday", "'last Friday' has already passed"),
    ("/promise send the deck by Monday 25:00", "I can't read '25:00' as a time of day"),
])
async def test_a_date_that_cannot_be_used_is_answered_and_nothing_is_tracked(
        console: Console, redis: Redis, line: str, seen: str) -> None:
    await say(console, "/habits")
    before = await snapshot(redis)
    out = await say(console, line)
    assert seen in out and "Nothing tracked yet" in out and "No date given" not in out
    assert await snapshot(redis) == before


async def test_by_something_that_is_not_a_date_stays_in_the_text(
        console: Console, ports: Ports) -> None:
    out = await say(console, "/promise get the plan signed off by the design team")
    assert "No date given" in out
    (promise,) = await ports.commitments.all_for(SAM)
    assert promise.what == "get the plan signed off by the design team"


async def test_need_more_time_with_an_unreadable_date_says_so(console: Console,
                                                               ports: Ports) -> None:
    await say(console, "/promise send the deck by Friday")
    out = await say(console, "/promise more 1 31 Feb")
    assert "I can't read '31 Feb' as a date" in out and "Set new date" in out
    (promise,) = await ports.commitments.open_for(SAM)
    assert promise.renegotiations == 0


# --- vacation -------------------------------------------------------------------------------

@pytest.fixture
def tuesday_1_dec(clock: FixedClock) -> FixedClock:
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=LONDON))
    return clock


async def _time_off(ports: Ports) -> tuple[TimeOff, ...]:
    return (await ports.people.profile(SAM)).time_off


async def test_vacation_today_today_is_today(console: Console, ports: Ports,
                                             tuesday_1_dec: FixedClock) -> None:
    out = await say(console, "/rapport vacation today today")
    assert "Enjoy the time off: Tue 2026-12-01" in out
    assert await _time_off(ports) == (TimeOff(datetime(2026, 12, 1).date(),
                                              datetime(2026, 12, 1).date()),)


async def test_vacation_one_day_and_two_word_days(console: Console, ports: Ports,
                                                  tuesday_1_dec: FixedClock) -> None:
    out = await say(console, "/rapport vacation next monday")
    assert "Enjoy the time off: Mon 2026-12-07" in out
    out = await say(console, "/rapport vacation next wednesday to next friday")
    assert "2026-12-09 to 2026-12-11" in out
    spans = await _time_off(ports)
    assert [(s.first.isoformat(), s.last.isoformat()) for s in spans] == [
        ("2026-12-07", "2026-12-07"), ("2026-12-09", "2026-12-11")]


async def test_overlapping_vacations_merge(console: Console, ports: Ports,
                                           tuesday_1_dec: FixedClock) -> None:
    await say(console, "/rapport vacation 2026-12-20 to 2026-12-24")
    out = await say(console, "/rapport vacation 2026-12-23 2027-01-02")
    assert "2026-12-20 to 2027-01-02" in out and "joins the time off you already had" in out
    spans = await _time_off(ports)
    assert [(s.first.isoformat(), s.last.isoformat()) for s in spans] == [
        ("2026-12-20", "2027-01-02")]


async def test_vacation_list_and_cancel(console: Console, ports: Ports,
                                        tuesday_1_dec: FixedClock) -> None:
    assert "No time off planned" in await say(console, "/rapport vacation list")
    await say(console, "/rapport vacation 2026-12-20 to 2026-12-24")
    await say(console, "/rapport vacation 2027-02-01")
    out = await say(console, "/rapport vacation list")
    assert "1. 2026-12-20 to 2026-12-24" in out and "2. Mon 2027-02-01" in out
    assert "Which one?" in await say(console, "/rapport vacation cancel")
    out = await say(console, "/rapport vacation cancel 1")
    assert "Cancelled your time off 2026-12-20 to 2026-12-24" in out
    spans = await _time_off(ports)
    assert [(s.first.isoformat(), s.last.isoformat()) for s in spans] == [
        ("2027-02-01", "2027-02-01")]


async def test_a_vacation_in_the_past_is_refused(console: Console, ports: Ports,
                                                 tuesday_1_dec: FixedClock) -> None:
    out = await say(console, "/rapport vacation 2026-11-02 2026-11-06")
    assert "2026-11-02 has already passed" in out
    assert await _time_off(ports) == ()


# --- team and handover ----------------------------------------------------------------------

async def test_team_remove_of_someone_not_in_it_says_so(console: Console, ports: Ports) -> None:
    await say(console, "/team create Small")
    await say(console, "/team add small @ana")
    out = await say(console, "/team remove small @nobody")
    assert "Nothing changed: @nobody is not a member of Small" in out
    (team,) = await ports.teams.of_person(SAM)
    assert team.members == frozenset({"ana"})


async def test_team_create_with_an_emoji_uses_the_words(console: Console, ports: Ports) -> None:
    out = await say(console, "/team create 🚀 Rocket")
    assert "Created team Rocket" in out
    (team,) = await ports.teams.of_person(SAM)
    assert team.name == "Rocket" and team.team_id == "rocket"


async def test_team_leave_exists(console: Console, ports: Ports) -> None:
    await say(console, "/team create Platform")
    await say(console, "/team add platform @lee")
    await say(console, ":as lee")
    out = await say(console, "/team leave")
    assert "You left Platform" in out
    (team,) = await ports.teams.of_person(SAM)
    assert "lee" not in team.members


async def test_team_typo_gets_did_you_mean(console: Console) -> None:
    out = await say(console, "/team ad @ana")
    assert "Did you mean /team add?" in out


@pytest.mark.parametrize(("line", "seen"), [
    ("/handover close", "That isn't quite /handover close"),
    ("/handover lst", "Did you mean /handover list?"),
    ("/handover clsoe 2", "Did you mean /handover close?"),
])
async def test_handover_close_misses_are_named(console: Console, redis: Redis, line: str,
                                               seen: str) -> None:
    await say(console, "/habits")
    before = await snapshot(redis)
    out = await say(console, line)
    assert seen in out and "Mention exactly one person" not in out
    assert await snapshot(redis) == before


# --- kudos ----------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", [
    "you fixed the CI",
    "for unblocking me on the deploy",
    "thanks for the great presentation today",
])
async def test_specific_kudos_are_posted(console: Console, ports: Ports, reason: str) -> None:
    out = await say(console, f"/kudos @lee {reason}")
    assert "#console: 🎉 Kudos from @sam to @lee" in out and "[:1] Undo" in out
    (given,) = await ports.recognitions.given_by(SAM)
    assert given.reason == reason.removeprefix("for ")


async def test_vague_kudos_quote_the_words_written_and_can_be_posted_anyway(
        console: Console, ports: Ports, redis: Redis) -> None:
    await say(console, "/habits")
    before = await snapshot(redis)
    out = await say(console, "/kudos @lee you rock, awesome work as always")
    assert '"you rock, awesome work as always" is kind' in out and "great job" not in out
    assert "[:1] Post anyway" in out
    after = await snapshot(redis)
    after.pop(PersonKeys(SAM).coaching.encode())  # only that the coaching was shown
    assert after == before
    out = await say(console, ":1")
    assert "#console: 🎉 Kudos from @sam to @lee: you rock, awesome work as always" in out
    (given,) = await ports.recognitions.given_by(SAM)
    assert given.reason == "you rock, awesome work as always"


async def test_kudos_undo_takes_them_off_both_records(console: Console, ports: Ports) -> None:
    await say(console, "/kudos @lee your runbook made the failover calm")
    assert await habit_days(ports, SAM, Habit.RECOGNISE) == 1
    out = await say(console, ":1")
    assert "Taken back: the kudos to @lee is off your records" in out
    assert await ports.recognitions.given_by(SAM) == []
    assert await ports.recognitions.received_by(LEE) == []
    assert await habit_days(ports, SAM, Habit.RECOGNISE) == 0


async def test_kudos_list_shows_received_and_given(console: Console) -> None:
    assert "No kudos yet" in await say(console, "/kudos list")
    await say(console, "/kudos @lee your runbook made the failover calm")
    await say(console, ":as lee")
    await say(console, "/kudos @sam the demo script you wrote saved the launch call")
    out = await say(console, "/kudos list")
    assert "Received (1):" in out and "from @sam: your runbook made the failover calm" in out
    assert "Given (1):" in out and "to @sam: the demo script you wrote" in out


# --- typos and help -------------------------------------------------------------------------

async def test_a_typo_gets_did_you_mean_with_that_command_s_usage(console: Console) -> None:
    out = await say(console, "/promis send the deck")
    assert "I don't know /promis. Did you mean /promise?" in out
    assert "Example: /promise send the launch deck" in out
    assert "/kudos" not in out and len(out.splitlines()) < 8


async def test_plain_help_is_a_short_overview(console: Console) -> None:
    out = await say(console, "/help")
    assert "/promise — Track a promise so you keep it" in out
    assert "/rapport help shows each one with an example" in out
    assert len(out.splitlines()) <= 10
