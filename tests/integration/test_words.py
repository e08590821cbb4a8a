"""Every reply kind, for a promise with and without a recipient, a date and a time: the words
read as sentences (issue 17, Words). Each check names what once went wrong."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import followup
from bot.clock import FixedClock
from bot.core import Rapport
from bot.events import Action, Actor, Command
from bot.ports import Job, Ports
from bot.replies import Reply
from habits.people import PersonRef

LONDON = ZoneInfo("Europe/London")
SAM = PersonRef("slack", "T1", "sam")
ME = Actor(SAM, "sam", is_admin=True)

# (what is typed after /promise, whether it names a person)
PROMISES = [
    ("write the notes", False),
    ("send the figures to <@mgr>", True),
    ("send the figures by Friday", False),
    ("send the figures to <@mgr> by Friday 3pm", True),
    ("send the figures to <@mgr> by today 17:00", True),
]

PROBLEMS = [
    (re.compile(r"\b(\w{2,}) \1\b", re.IGNORECASE), "a doubled word"),
    (re.compile(r"\bdue\b[^.\n]*\bis due\b"), "due ... is due"),
    (re.compile(r"e\.g\.\s*(?:$|\n)"), "a dangling e.g."),
    (re.compile(r"\(s\)"), "an (s) plural"),
    (re.compile(r"9999"), "the end of time as a date"),
    (re.compile(r"— to\s*(?:$|—|\.|,)|\bto @(?:\s|$)|\bto\s*—"), "an empty 'to'"),
    (re.compile(r"\{\w*\}|\bNone\b"), "a placeholder left in"),
    (re.compile(r" [.,;:](?:\s|$)|\.\.(?!\.)|[^\S\n]{2,}(?=\S)(?<!^  )"), "stray punctuation"),
    (re.compile(r"is not too late|That is integrity|people notice|careers remember"),
     "an old line"),
]
NOBODY_WAITING = re.compile(r"person waiting|people waiting|\bTell @|\bLet @|note to\b")


def texts(replies: list[Reply]) -> list[str]:
    return [part for reply in replies for part in (reply.text, *(s.text for s in reply.sections))
            if part]


def problems(text: str, *, nobody: bool) -> list[str]:
    found = [f"{name}: {text!r}" for pattern, name in PROBLEMS
             if any(pattern.search(line) for line in text.split("\n"))]
    if nobody and NOBODY_WAITING.search(text):
        found.append(f"someone waiting, on a promise to nobody: {text!r}")
    return found


async def command(core: Rapport, line: str) -> list[Reply]:
    name, _, text = line.lstrip("/").partition(" ")
    return await core.handle(Command(ME, name, text, "C1"))


async def press(core: Rapport, action: str, value: str, **values: str) -> list[Reply]:
    return await core.handle(Action(ME, action, value, "C1", values))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 2, 9, 0, tzinfo=LONDON))  # a Wednesday morning


@pytest.mark.parametrize(("typed", "named"), PROMISES)
async def test_every_reply_kind_reads_as_a_sentence(
        core: Rapport, ports: Ports, clock: FixedClock, typed: str, named: bool) -> None:
    seen: list[str] = []
    await command(core, "/rapport settings tz Europe/London")
    seen += texts(await command(core, f"/promise {typed}"))               # tracked
    seen += texts(await command(core, "/kept"))                            # the list
    seen += texts(await press(core, "promise.kept", "1"))                  # kept
    seen += texts(await press(core, "promise.undo", "1"))                  # undo
    seen += texts(await press(core, "promise.more_time", "1"))             # more time: when?
    seen += texts(await press(core, "promise.more_time", "1", date="2026-12-07"))  # more time
    seen += texts(await command(core, "/rapport vacation 2026-12-07"))    # due while away
    seen += texts(await command(core, "/rapport vacation list"))
    seen += texts(await command(core, "/rapport vacation cancel"))
    seen += texts(await press(core, "promise.drop", "1"))                  # dropped
    seen += texts(await press(core, "promise.undo", "1"))
    # The follow-up ask on the day it is due, then a late keep.
    await press(core, "promise.more_time", "1", date="2026-12-02")
    promise = await ports.commitments.get(SAM, 1)
    assert promise is not None and promise.due is not None
    ask_at = max(promise.due, datetime(2026, 12, 2, 12, tzinfo=LONDON))
    clock.set(ask_at)
    asked = await followup.run(ports, Job(followup.FOLLOW_UP, SAM, "2026-12-02", ask_at), ask_at)
    seen += texts(asked)
    clock.set(promise.due + timedelta(hours=1, minutes=30))
    seen += texts(await press(core, "promise.kept", "1"))                  # kept late
    seen += texts(await command(core, "/kept sent the slides to <@mgr>" if named else
                                "/kept sent the slides"))              # logged as kept
    # Settings, pausing, teams, handovers and kudos, twice each (long words, then short).
    for _ in range(2):
        seen += texts(await command(core, "/rapport settings"))
        seen += texts(await command(core, "/rapport settings nudges off"))
        seen += texts(await command(core, "/rapport settings nudges on"))
        seen += texts(await command(core, "/rapport pause"))
        seen += texts(await command(core, "/rapport settings"))
        seen += texts(await command(core, "/rapport pause until 2026-12-24"))
        seen += texts(await command(core, "/rapport settings"))
        seen += texts(await command(core, "/rapport resume"))
        seen += texts(await command(core, "/handover <@priya> pick the retro format"))
        seen += texts(await command(core, "/handover list"))
        seen += texts(await command(core, "/kudos <@lee> great job"))
        seen += texts(await command(core, "/kudos <@lee> your runbook made the failover calm"))
    seen += texts(await command(core, "/team create Platform"))
    seen += texts(await command(core, "/team add <@ana>"))
    seen += texts(await command(core, "/team add <@ben> <@cy> <@dee> <@eve>"))
    seen += texts(await command(core, "/team remove <@eve>"))
    seen += texts(await command(core, "/team junior <@ana>"))
    seen += texts(await command(core, "/team senior <@ana>"))
    seen += texts(await command(core, "/team"))
    shown = "\n".join(seen)
    for kind in ("Tracking your promise", "Kept on time", "Undone", "When can you do #1",
                 "New date for #1", "falls due while you're away", "Your time off", "Dropped #1",
                 "Did you keep it?", "Kept: *#1*", "Logged as kept", "Your settings",
                 "Morning nudge: off", "Morning nudge: paused until you say",
                 "paused through", "Handed over", "Your handovers", "doesn't say what exactly",
                 "Posted, and sent", "Created team", "Added <@ana> to", "Removed <@eve> from",
                 "Marked <@ana> as junior", "no longer marked junior", "Teams"):
        assert kind in shown, kind
    found = [problem for text in seen for problem in problems(text, nobody=not named)]
    assert found == []


async def test_the_checks_catch_what_went_wrong_before() -> None:
    old = [
        "*#1* send the figures — to <@mgr> — was due Wed 2 Dec, 17:00 is due now. How did it go?",
        "*/rapport settings* — see your settings; change one with e.g.",
        "Daily nudge: 08:00 local, on (paused until 9999-12-31)",
        "Team *Platform*: add <@ana>. It has 5 member(s).",
        "send the deck — to",
        "New date for #1 (Fri 4 Dec, 00:30 is not too late)",
    ]
    assert all(problems(line, nobody=False) for line in old)
    assert problems("Tell the person waiting on it now.", nobody=True)
