"""Thread context (habits.detection.thread): requests, bare acceptances and the two combined."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from habits.detection import detect
from habits.detection.thread import Request, answered, bare_acceptance, find_request

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 10, tzinfo=TZ)  # a Tuesday


@pytest.mark.parametrize(("text", "what", "day"), [
    ("can someone update the runbook by Friday?", "update the runbook", 27),
    ("who can take the release notes?", "take the release notes", None),
    ("Hey team, could anyone please review PR 412 before lunch?", "review PR 412", 24),
    ("anyone free to cover the on-call tomorrow?", "cover the on-call", 25),
    ("need someone to write up the postmortem by Thursday", "write up the postmortem", 26),
    ("any takers for the demo on Friday?", "the demo", 27),
    ("who's taking the release notes?", "the release notes", None),
    ("<@U2> can you send the invoice today please?", "send the invoice", 24),
    ("someone should fix the flaky test", "fix the flaky test", None),
    ("can someone update the runbook for us please?", "update the runbook", None),
])
def test_requests_say_what_they_ask_for_and_by_when(text: str, what: str, day: int | None) -> None:
    found = find_request(text, sent_at=NOW, tz=TZ)
    assert found is not None
    assert found.what == what
    assert (found.due.day if found.due else None) == day


@pytest.mark.parametrize("text", [
    "I will update the runbook by Friday",
    "can you believe it?",
    "anyone know why CI is red?",
    "lunch at 12?",
    "who is coming to lunch?",
    "is the deploy done?",
    "the runbook needs love",
    "thanks all, great demo",
])
def test_other_messages_are_not_requests(text: str) -> None:
    assert find_request(text, sent_at=NOW, tz=TZ) is None


@pytest.mark.parametrize("reply", ["mine", "on it", "will do", "taking this", "I got this one",
                                   "sure, mine", "on it, today", "dibs", "taking this one"])
def test_bare_acceptances_take_on_the_request(reply: str) -> None:
    found = detect(reply, sent_at=NOW, tz=TZ)
    assert found is not None and bare_acceptance(found.what)
    taken = answered(found.what, found.due, Request("update the runbook", None))
    assert taken is not None and taken.what == "update the runbook"


def test_the_due_date_comes_from_the_reply_or_else_the_request() -> None:
    request = find_request("can someone update the runbook by Friday?", sent_at=NOW, tz=TZ)
    assert request is not None
    reply = detect("on it, today", sent_at=NOW, tz=TZ)
    assert reply is not None
    taken = answered(reply.what, reply.due, request)
    assert taken is not None and taken.due is not None and taken.due.day == 24
    mine = detect("mine", sent_at=NOW, tz=TZ)
    assert mine is not None
    taken = answered(mine.what, mine.due, request)
    assert taken is not None and taken.due == request.due


@pytest.mark.parametrize("reply", ["I'll send the deck to Priya", "deploying the hotfix now",
                                   "I'll write the summary tomorrow"])
def test_a_reply_naming_its_own_work_keeps_it(reply: str) -> None:
    found = detect(reply, sent_at=NOW, tz=TZ)
    assert found is not None and not bare_acceptance(found.what)
    assert answered(found.what, found.due, Request("update the runbook", None)) is None


def test_a_question_is_no_acceptance() -> None:
    assert detect("mine?", sent_at=NOW, tz=TZ) is None


def test_request_reading_is_linear_in_the_text() -> None:
    def cost(n: int) -> float:
        text = "can someone " + "update the runbook and " * n + "?"
        start = time.perf_counter()
        for _ in range(20):
            find_request(text, sent_at=NOW, tz=TZ)
        return time.perf_counter() - start
    cost(5)
    assert cost(40) < 40 * max(cost(4), 1e-4)
