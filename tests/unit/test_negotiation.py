"""The negotiation prep's rules: each feedback rule fires on its answers, and not otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from habits.negotiation import (
    KEYS,
    QUESTIONS,
    Concession,
    Prep,
    Rule,
    Side,
    concessions,
    feedback,
    side_of,
)
from habits.people import PersonRef

ME = PersonRef("console", "local", "ana")
TODAY = date(2026, 12, 7)  # a Monday

COMPLETE = {
    "want": "two engineers for Q1", "walk_away": "one engineer",
    "alternative": "a contractor for three months", "strengthen": "get the quote this week",
    "their_wants": "hit the hiring freeze target; look good to the VP",
    "their_loss": "the launch date", "most_to_lose": "them: the launch is theirs",
    "offer": "my team's on-call cover", "principle": "they said customers come first",
    "allies": "Kim from finance", "concessions": "start in February -> keep both roles",
    "opening": "three engineers, because the launch doubled in scope",
}


def prep(meeting: date | None = date(2026, 12, 10), **answers: str) -> Prep:
    return Prep(ME, 1, "the Q1 headcount", "lee", meeting, answers)


def rules(p: Prep, allies: tuple[str, ...] = ()) -> list[Rule]:
    return [tip.rule for tip in feedback(p, TODAY, allies)]


def test_a_complete_prep_gets_no_warnings() -> None:
    assert rules(prep(**COMPLETE)) == []


def test_no_alternative_says_develop_one_first_and_only_then() -> None:
    without = {**COMPLETE, "alternative": "  "}
    tips = feedback(prep(**without), TODAY)
    assert [t.rule for t in tips] == [Rule.NO_ALTERNATIVE]
    assert "Develop an alternative first" in tips[0].text
    assert Rule.NO_ALTERNATIVE not in rules(prep(**COMPLETE))


def test_a_concession_with_nothing_asked_back_is_to_be_traded() -> None:
    given = {**COMPLETE, "concessions": "start in February -> keep both roles\nadd a reviewer"}
    tips = feedback(prep(**given), TODAY)
    assert [(t.rule, t.about) for t in tips] == [(Rule.UNTRADED_CONCESSION, "add a reviewer")]
    assert "Trade it, don't give it" in tips[0].text
    traded = {**COMPLETE, "concessions": "add a reviewer in return for a fixed date\n"
                                         "drop the dashboard → keep the API"}
    assert rules(prep(**traded)) == []


@pytest.mark.parametrize("meeting, fires", [
    (date(2026, 12, 7), True), (date(2026, 12, 10), True),  # today, three days away
    (date(2026, 12, 11), False), (None, False), (date(2026, 12, 1), False),
])
def test_most_to_lose_myself_and_a_near_date_suggests_less_urgency(
        meeting: date | None, fires: bool) -> None:
    mine = {**COMPLETE, "most_to_lose": "Me, my launch slips without them"}
    assert (Rule.URGENT_AND_NEAR in rules(prep(meeting, **mine))) is fires
    assert Rule.URGENT_AND_NEAR not in rules(prep(meeting, **COMPLETE))  # "them"
    both = {**COMPLETE, "most_to_lose": "both of us"}
    assert Rule.URGENT_AND_NEAR not in rules(prep(meeting, **both))


def test_no_allies_suggests_the_first_colleague_offered() -> None:
    alone = {**COMPLETE, "allies": ""}
    tips = feedback(prep(**alone), TODAY, ["kim", "sam"])
    assert [(t.rule, t.about) for t in tips] == [(Rule.NO_ALLIES, "kim")]
    assert feedback(prep(**alone), TODAY)[0].about == ""   # nobody to suggest: still the tip
    assert rules(prep(**COMPLETE), ("kim",)) == []


def test_side_and_concessions_read_the_answers() -> None:
    assert side_of("they do") is Side.THEM and side_of("I do") is Side.ME
    assert side_of("") is None and side_of("meh") is None
    assert concessions("- a week later => full scope\n\n* a demo") == (
        Concession("a week later", "full scope"), Concession("a demo"))


def test_the_guided_conversation_walks_the_questions_and_skips_answered_ones() -> None:
    p = prep()
    assert p.current == QUESTIONS[0]
    p = p.answered("want", "two engineers").advanced()
    assert p.current is not None and p.current.key == "walk_away"
    p = p.with_answers({"alternative": "contractor", "walk_away": ""}).advanced()
    assert p.current is not None and p.current.key == "strengthen"  # alternative answered
    assert p.restarted().current is not None and p.restarted().current.key == "walk_away"
    done = prep(**COMPLETE).restarted()
    assert done.current is None and done.filled == len(KEYS)
    assert prep(**COMPLETE).blanked().answers == {} and prep().blanked().what == ""


def test_every_question_is_optional_and_answers_are_bounded() -> None:
    p = prep().answered("opening", "x" * 5000)
    assert len(p.answer("opening")) == 1000
    with pytest.raises(KeyError):
        p.answered("salary", "no such question")
