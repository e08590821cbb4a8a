"""The morning nudge's words: a junior label is never revealed to the teammates who are asked
to recognise that colleague, and a slip without a recipient names nobody."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot import nudges
from habits.commitments import Commitment
from habits.nudges import Agenda, NudgeKind, NudgePlan
from habits.people import PersonRef, Profile

ME = PersonRef("console", "local", "sam")
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # a Monday


def words(plan: NudgePlan, day: date) -> str:
    reply = nudges._words(plan, Profile(ME, enrolled=True), day, NOW)
    return "\n".join([reply.text, *(s.text for s in reply.sections)]).lower()


def test_the_recognition_suggestion_never_says_the_colleague_is_junior() -> None:
    for offset in range(40):  # every variant, for many days
        text = words(NudgePlan(NudgeKind.RECOGNISE, junior="UEVE"),
                     NOW.date() + timedelta(days=offset))
        assert "<@ueve>" in text
        for telling in ("junior", "early in their career", "may not hear"):
            assert telling not in text


def test_a_slip_with_nobody_waiting_names_nobody() -> None:
    slipped = Commitment(ME, 3, "tidy the backlog", created_at=NOW - timedelta(days=5),
                         due=NOW - timedelta(days=2))
    text = words(NudgePlan(NudgeKind.TIP, Agenda(lapsed=(slipped,))), NOW.date())
    assert "slipped" in text and "a new date, set now" in text
    assert "the person counting on it" not in text and "a short note to" not in text
