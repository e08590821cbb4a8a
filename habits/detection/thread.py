"""Thread context: a bare acceptance ("mine", "on it", "will do") answering a request.

A request asks someone else to take a piece of work ("can someone update the runbook by
Friday?", "who can take the release notes?"); ``find_request`` says what it asks for and by
when. A reply in its thread that only accepts ("sure, mine", "I got this one", "on it, today")
is a promise of that work: ``answered`` combines the two, what from the request and the due
date from the reply or else the request.

Every rule is a closed pattern anchored at the start of a sentence (or, for the acceptance, a
full match over the few words detection already cut out), so the cost is linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from habits.detection.due import find_due
from habits.detection.intent import split_sentences, tidy_what
from habits.detection.markup import clean_with_mentions

__all__ = ["Request", "answered", "bare_acceptance", "find_request"]

_I = re.I

# Only the opening of a message is read for a request: a request is asked up front.
MAX_REQUEST_READ = 1_000
MAX_REQUEST_WHAT = 200

_LEAD = (
    r"(?:(?:@[\w.\-]+|hey|hi|hello|ok(?:ay)?|so|quick\s+(?:one|q|question)|folks|all|team|everyone|guys|y'?all"
    r"|friends|people|random\s+q|q|also|and|btw|sorry|urgent|fyi|reminder|heads\s+up)[\s,!:.-]+)"
)
_WHO = r"(?:someone|somebody|anyone|anybody|any\s+one|one\s+of\s+(?:you|us)|some\s+kind\s+soul)"
_ABLE = (
    r"(?:can|could|would|will|wanna|want\s+to|is\s+able\s+to|able\s+to|has\s+time\s+to|have\s+time\s+to"
    r"|got\s+time\s+to|free\s+to|around\s+to|available\s+to|willing\s+to|up\s+for|keen\s+to|mind)"
)
_PLEASE = r"(?:(?:please|pls|plz|pretty\s+please|kindly)\s+)?"
_REQUEST = re.compile(
    rf"^\W*{_LEAD}*{_PLEASE}(?:"
    rf"(?:can|could|would|will)\s+(?:{_WHO}|you(?:\s+guys|\s+all)?|u|y'?all)\s+{_PLEASE}(?P<a>\w.*)"
    rf"|who(?:'s|\s+is|\s+else)?\s+{_ABLE}\s+{_PLEASE}(?P<b>\w.*)"
    r"|who(?:'s|\s+is|s)\s+(?:taking|doing|handling|owning|grabbing|picking\s+up|on)\s+(?P<c>\w.*)"
    rf"|{_WHO}\s+{_ABLE}\s+{_PLEASE}(?P<d>\w.*)"
    r"|(?:we\s+)?(?:need|needs|looking\s+for)\s+(?:someone|somebody|a\s+volunteer|an?\s+owner|a\s+taker)"
    r"\s+(?:to|for)\s+(?P<e>\w.*)"
    r"|any\s+(?:takers|volunteers)\s+(?:for|to)\s+(?P<f>\w.*)"
    rf"|{_WHO}\s+(?:please\s+)?(?:needs\s+to|should|has\s+to|must|gotta)\s+(?P<g>\w.*)"
    r")$",
    _I,
)
# Asked, but not a piece of work to take: "can you believe it", "anyone know why ...".
_NOT_WORK = re.compile(
    r"(?:believe|imagine|hear\s+me|see\s+(?:my|the)\s+screen|guess|think|remember\s+(?:when|what|why|how)"
    r"|tell\s+(?:me\s+)?(?:if|whether|what|why|how|when|where|who)|know|recall|stop|calm|relax"
    r"|not\b|please\s+not|just\s+not|be\s+(?:quiet|patient))\b",
    _I,
)
# A request without a question mark says so: "need someone to ...", "someone should ...".
_ASKED_PLAINLY = re.compile(
    r"\b(?:need|needs|looking|takers|volunteers|should|has\s+to|must|gotta|please|pls)\b", _I
)
_TRAILING = re.compile(r"[\s?!.,:;)~]*$")
_TAIL_WORDS = re.compile(
    r"(?:\s*[,]?\s*(?:please|pls|plz|for\s+me|for\s+us|thanks|thx|ty|cheers|anyone|someone|today\?)"
    r"[\s?!.,]*)+$",
    _I,
)


@dataclass(frozen=True, slots=True)
class Request:
    """A piece of work a message asks someone to take."""

    what: str  # what is asked for, e.g. "update the runbook"
    due: datetime | None  # aware, in the asker's time zone; None when no date was said


def _cut_tail(what: str) -> str:
    """ "update the runbook for us please?" -> "update the runbook" """
    found = _TAIL_WORDS.search(what)
    if found is not None and found.start() > 0:
        what = what[: found.start()]
    trailing = _TRAILING.search(what)
    return what[: trailing.start()] if trailing is not None else what


def find_request(text: str, *, sent_at: datetime, tz: ZoneInfo) -> Request | None:
    """The work ``text`` asks someone to take, or None if it asks for none.

    >>> from zoneinfo import ZoneInfo
    >>> tz = ZoneInfo("Europe/London")
    >>> r = find_request("can someone update the runbook by Friday?",
    ...                  sent_at=datetime(2026, 11, 24, 10, tzinfo=tz), tz=tz)
    >>> r.what, r.due.isoformat()
    ('update the runbook', '2026-11-27T17:00:00+00:00')
    >>> find_request("can you believe this weather?", sent_at=datetime(2026, 11, 24, 10, tzinfo=tz),
    ...              tz=tz) is None
    True
    """
    if sent_at.tzinfo is None:
        raise ValueError("sent_at must be timezone-aware")
    clean, _ = clean_with_mentions(text[:MAX_REQUEST_READ])
    for sentence in split_sentences(clean):
        if "?" not in sentence and not _ASKED_PLAINLY.search(sentence):
            continue  # asked without a question mark only in the forms that say so
        m = _REQUEST.match(sentence)
        if m is None:
            continue
        start = next(m.start(g) for g in "abcdefg" if m.group(g) is not None)
        action = sentence[start:]
        if _NOT_WORK.match(action):
            continue
        due_match = find_due(action, sent_at, tz)
        if due_match is not None and due_match.past:
            due_match = None
        if due_match is not None:
            action = action[: due_match.start] + " " + action[due_match.end :]
        what = tidy_what(_cut_tail(action.strip())) or _cut_tail(action.strip())
        what = " ".join(what.split())[:MAX_REQUEST_WHAT]
        if not what:
            continue
        return Request(what, due_match.due if due_match is not None else None)
    return None


# What detection cut out of a reply that only accepts: it names no work of its own.
_BARE = re.compile(
    r"(?:mine|me|dibs(?:\s+on\s+(?:this|it|that)(?:\s+one)?)?|ack|will\s+do|do|on\s+it|it|this|that"
    r"|(?:i\s+)?(?:'ve\s+|have\s+)?got\s+(?:it|this|that)(?:\s+one)?"
    r"|(?:i'?m\s+|im\s+|i\s+am\s+)?(?:taking|grabbing|owning|handling|picking\s+up|jumping\s+on|on)"
    r"\s+(?:it|this|that)(?:\s+one)?"
    r"|(?:take|do|have|handle|grab|own|pick\s+up|cover|sort)\s+(?:it|this|that|them)(?:\s+one)?"
    r"|(?:pick|sort)\s+(?:it|this|that)(?:\s+one)?\s+(?:up|out))",
    _I,
)


def bare_acceptance(what: str) -> bool:
    """Whether a detected promise's ``what`` only accepts ("mine", "on it", "take it").

    >>> bare_acceptance("i got this"), bare_acceptance("send the deck")
    (True, False)
    """
    return len(what) <= 40 and _BARE.fullmatch(what.strip(" .!,")) is not None


def answered(reply_what: str, reply_due: datetime | None, parent: Request) -> Request | None:
    """The promise a thread reply makes when it only accepts ``parent``: the request's what,
    and the reply's due date or else the request's. None when the reply names its own work.

    >>> r = answered("mine", None, Request("update the runbook", None))
    >>> r.what
    'update the runbook'
    >>> answered("send the deck", None, Request("update the runbook", None)) is None
    True
    """
    if not bare_acceptance(reply_what):
        return None
    return Request(parent.what, reply_due if reply_due is not None else parent.due)
