"""Negotiation prep: leverage, prepared in private before the conversation.

A prep is one person's notes for one negotiation ("the Q1 headcount, with Lee, on Thursday"):
what they want and the least they would accept, their best alternative if there is no deal,
what the other side wants and stands to lose, who has most to lose, what they can offer, the
principle the other side stands for that supports their case, allies, the concessions they
could make (each traded for something), and their opening offer. Every answer is optional.

The feedback rules read the answers and say, briefly, where the leverage is thin. They are
pure: the people to suggest as allies and today's date come from the caller.

>>> from habits.people import PersonRef
>>> me = PersonRef("console", "local", "ana")
>>> prep = Prep(me, 1, "the Q1 headcount", "lee", date(2026, 12, 10))
>>> [tip.rule for tip in feedback(prep, date(2026, 12, 8))]
[<Rule.NO_ALTERNATIVE: 'no_alternative'>, <Rule.NO_ALLIES: 'no_allies'>]
>>> prep = prep.answered("alternative", "hire a contractor for Q1").answered("allies", "Kim")
>>> feedback(prep, date(2026, 12, 8))
()
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from habits.people import PersonRef

MAX_ANSWER = 1000   # characters kept of one answer
MAX_WHAT = 200      # characters kept of what the negotiation is about
NEAR_DAYS = 3       # a meeting this many days away or fewer is "near"


@dataclass(frozen=True, slots=True)
class Question:
    """One question of the prep: its key (stable, stored), its words, and a short hint."""

    key: str
    ask: str
    hint: str = ""


QUESTIONS: tuple[Question, ...] = (
    Question("want", "What do you want out of it?",
             "Be concrete: a number, a date, a scope."),
    Question("walk_away", "Where is your walk-away point?",
             "The least you would accept. Decide it now, not at the table."),
    Question("alternative", "If there is no deal, what is your best alternative?",
             "What you will do anyway if they say no."),
    Question("strengthen", "One step that would make that alternative stronger",
             "Something you can do before the meeting."),
    Question("their_wants", "What do they want, for the business and for themselves?",
             "Their goals, their constraints, what they will be judged on."),
    Question("their_loss", "What do they lose if there is no deal?"),
    Question("most_to_lose", "Who has most to lose with no deal: me, them or both? Why?",
             "Start with me, them or both."),
    Question("offer", "What can you offer that they would value?",
             "Positive leverage: help, time, visibility, a resource."),
    Question("principle", "Which principle of theirs supports your case?",
             "Something they have said or stand for: holding them to it is fair."),
    Question("allies", "Who could back you, or help you prepare?"),
    Question("concessions", "Concessions you could make, and what you want for each",
             "One a line, as give -> get: 'move the date a week -> keep the full scope'."),
    Question("opening", "Your opening offer",
             "Ambitious and reasoned: say why it is fair."),
)
KEYS: tuple[str, ...] = tuple(question.key for question in QUESTIONS)
BY_KEY: Mapping[str, Question] = {question.key: question for question in QUESTIONS}


class Side(StrEnum):
    ME = "me"
    THEM = "them"
    BOTH = "both"


_SIDE = re.compile(r"\s*(me|i|us|we|mine|them|they|theirs|both)\b", re.IGNORECASE)
_SIDES = {"me": Side.ME, "i": Side.ME, "us": Side.ME, "we": Side.ME, "mine": Side.ME,
          "them": Side.THEM, "they": Side.THEM, "theirs": Side.THEM, "both": Side.BOTH}


def side_of(answer: str) -> Side | None:
    """Who has most to lose, as the answer starts ("me: ...", "Both, because ...").

    >>> side_of("me - the launch slips"), side_of("Both, really"), side_of("hard to say")
    (<Side.ME: 'me'>, <Side.BOTH: 'both'>, None)
    """
    found = _SIDE.match(answer)
    return _SIDES[found.group(1).lower()] if found else None


# "give -> get", "give => get", "give → get", "give for get", "give in return for get"
_TRADE = re.compile(r"\s*(?:->|=>|→|⇒|\bin (?:return|exchange) for\b|\bfor\b|\bif\b|"
                    r"\bprovided\b|\bas long as\b|\bin return\b)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Concession:
    give: str
    get: str = ""


def concessions(answer: str) -> tuple[Concession, ...]:
    """The concessions written one a line, each with what is asked in return (if anything).

    >>> concessions("move the date a week -> keep the full scope\\nadd a reviewer")
    (Concession(give='move the date a week', get='keep the full scope'), \
Concession(give='add a reviewer', get=''))
    """
    found = []
    for line in answer.splitlines():
        line = line.strip(" -*•\t")
        if not line:
            continue
        parts = _TRADE.split(line, maxsplit=1)
        give = parts[0].strip(" .,;:")
        get = parts[1].strip(" .,;:") if len(parts) > 1 else ""
        if give:
            found.append(Concession(give, get))
        elif get:
            found.append(Concession(get))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Debrief:
    """How it went, written after the meeting."""

    outcome: str = ""
    given: str = ""           # concessions I made
    received: str = ""        # concessions I got
    learned: str = ""         # what I learned about them
    relationship: str = ""    # is the door still open?
    at: datetime | None = None


DEBRIEF_QUESTIONS: tuple[Question, ...] = (
    Question("outcome", "How did it go?", "Agreed, partly, no deal, or to be continued."),
    Question("given", "What did you concede?"),
    Question("received", "What did you get in return?"),
    Question("learned", "What did you learn about them?",
             "What mattered to them more, or less, than you thought."),
    Question("relationship", "Is the relationship intact? Is the door still open?"),
)
DEBRIEF_KEYS: tuple[str, ...] = tuple(question.key for question in DEBRIEF_QUESTIONS)


@dataclass(frozen=True, slots=True)
class Prep:
    """One person's private preparation for one negotiation.

    `counterpart` is the other party's user id in the workspace (or bot.markup's FORGOTTEN),
    `meeting` the local day it happens (None: not set), `answers` what was written so far, and
    `step` the next question the guided conversation asks.
    """

    owner: PersonRef
    number: int
    what: str
    counterpart: str
    meeting: date | None = None
    answers: Mapping[str, str] = field(default_factory=dict)
    step: int = 0
    created_at: datetime | None = None
    debrief: Debrief | None = None

    def answer(self, key: str) -> str:
        return self.answers.get(key, "").strip()

    def answered(self, key: str, text: str) -> Prep:
        """The prep with `key` answered (an empty text clears it)."""
        if key not in BY_KEY:
            raise KeyError(key)
        answers = {k: v for k, v in self.answers.items() if k != key}
        if text.strip():
            answers[key] = text.strip()[:MAX_ANSWER]
        return dataclasses.replace(self, answers=answers)

    def with_answers(self, texts: Mapping[str, str]) -> Prep:
        """Every answer a form sent at once (a key it did not send stays as it was)."""
        prep = self
        for key in KEYS:
            if key in texts:
                prep = prep.answered(key, texts[key])
        return prep

    @property
    def current(self) -> Question | None:
        """The question the guided conversation asks now; None when all were asked."""
        return QUESTIONS[self.step] if self.step < len(QUESTIONS) else None

    def advanced(self) -> Prep:
        """Past the current question, to the next one not answered yet."""
        step = self.step + 1
        while step < len(QUESTIONS) and self.answer(QUESTIONS[step].key):
            step += 1
        return dataclasses.replace(self, step=step)

    def restarted(self) -> Prep:
        """Back to the first question not answered yet (all asked: stays done)."""
        for step, question in enumerate(QUESTIONS):
            if not self.answer(question.key):
                return dataclasses.replace(self, step=step)
        return dataclasses.replace(self, step=len(QUESTIONS))

    @property
    def filled(self) -> int:
        return sum(1 for key in KEYS if self.answer(key))

    def with_debrief(self, texts: Mapping[str, str], at: datetime) -> Prep:
        before = self.debrief or Debrief()
        values = {key: texts[key].strip()[:MAX_ANSWER] if key in texts else getattr(before, key)
                  for key in DEBRIEF_KEYS}
        return dataclasses.replace(self, debrief=Debrief(**values, at=at))

    def blanked(self) -> Prep:
        """The prep with every text gone (retention): the numbers and dates stay."""
        debrief = dataclasses.replace(Debrief(), at=self.debrief.at) if self.debrief else None
        return dataclasses.replace(self, what="", answers={}, debrief=debrief)


class Rule(StrEnum):
    NO_ALTERNATIVE = "no_alternative"
    UNTRADED_CONCESSION = "untraded_concession"
    URGENT_AND_NEAR = "urgent_and_near"
    NO_ALLIES = "no_allies"


@dataclass(frozen=True, slots=True)
class Tip:
    """One piece of feedback: which rule gave it, and what to say (plain words; the caller
    escapes and formats)."""

    rule: Rule
    text: str
    about: str = ""   # the answer it is about (a concession), or the ally suggested


def feedback(prep: Prep, today: date, allies: Sequence[str] = ()) -> tuple[Tip, ...]:
    """Short, specific feedback on the answers so far, most important first.

    `allies` are user ids the person could talk to first (colleagues from their teams, the
    counterpart left out by the caller); the first one is suggested when no ally is written.

    >>> from habits.people import PersonRef
    >>> me = PersonRef("console", "local", "ana")
    >>> prep = Prep(me, 1, "scope", "lee", date(2026, 12, 9), {
    ...     "alternative": "ship the smaller scope", "allies": "Kim",
    ...     "most_to_lose": "me: my launch slips", "concessions": "an extra week"})
    >>> [tip.rule.value for tip in feedback(prep, date(2026, 12, 8))]
    ['untraded_concession', 'urgent_and_near']
    """
    tips: list[Tip] = []
    if not prep.answer("alternative"):
        tips.append(Tip(Rule.NO_ALTERNATIVE,
                        "Develop an alternative first: it is the strongest leverage you can "
                        "build. What will you do if they say no?"))
    for concession in concessions(prep.answer("concessions")):
        if not concession.get:
            tips.append(Tip(Rule.UNTRADED_CONCESSION,
                            "Trade it, don't give it: decide what you want back for this one.",
                            concession.give))
    near = prep.meeting is not None and 0 <= (prep.meeting - today).days <= NEAR_DAYS
    if side_of(prep.answer("most_to_lose")) is Side.ME and near:
        tips.append(Tip(Rule.URGENT_AND_NEAR,
                        "You have most to lose and the meeting is close. Lower your urgency "
                        "(strengthen your alternative, prepare a plan B), or ask to move the "
                        "date."))
    if not prep.answer("allies"):
        suggestion = next(iter(allies), "")
        tips.append(Tip(Rule.NO_ALLIES,
                        "No allies yet. Talk to someone before the meeting: they may know what "
                        "the other side needs, and back you.", suggestion))
    return tuple(tips)


def debrief_due(prep: Prep) -> bool:
    """The meeting day has a date and no debrief was written yet."""
    return prep.meeting is not None and (prep.debrief is None or not prep.debrief.outcome)
