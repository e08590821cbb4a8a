"""Reading one chat message: is it a promise by its author, and if so what, to whom and by when
(habits.detection names these for the rest of Rapport).

Only the first MAX_EXAMINED characters of a message are read, and every stage is linear in
the length of what it reads, so one long message costs about a millisecond, never seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from habits.detection.chat import chat_cue, find_chat_promise
from habits.detection.due import DueMatch, find_due
from habits.detection.intent import (
    PREFILTER,
    Sentences,
    find_commitment,
    tidy_what,
    without_last_sentence,
)
from habits.detection.markup import clean_with_mentions, sarcastic

__all__ = ["MAX_EXAMINED", "QUICK_LENGTH", "DetectedPromise", "detect"]

# How much of a message detection reads: the first 4,000 characters as sent (markup included),
# the length Slack asks message text to stay within. Chat makes its promises in the opening
# lines; past that it is a paste (logs, notes, a document), and reading it all would only let
# one message cost more. See docs/detection.md, "Cost".
MAX_EXAMINED = 4_000
# Up to this many characters detect() takes a few milliseconds at worst (adversarial text, about
# 3.5 µs a character; ordinary chat about 15 µs a message). On an event loop, run it in place up
# to here and in a worker thread beyond, so that no one message holds up the others' acks.
QUICK_LENGTH = 1_000
# Appended where a message is cut, so that a quote or code block still open at the cut stays
# hidden (it would otherwise be read as the author's own words): markup.py drops a block up to
# its closing tag, a fence without a closing fence to the end, and strays without trace.
_CLOSE_AT_CUT = "`</blockquote></pre></code></div>"

# A due phrase is cut out of "what" only where it ends a phrase: "send it by Friday" ->
# "send it", "push it tonight after dinner" -> "push it after dinner"; but "send the agenda
# ahead of Thursday's meeting" keeps its object intact.
_CUTTABLE_AFTER = re.compile(
    r"\s*(?:$|[,.;!?)]|(?:@[\w.\-]+\s*)+$|(?:to|so|and|for|with|because|as|since|then|but|once|when|after|before"
    r"|if|unless|at|on|in)\b)",
    re.I,
)


# Trailing mentions, "(?:\s+(?:to\s+|for\s+)?@[\w.\-]+)+\s*$", matched on the reversed text from
# its start: the same cut in one pass (searched forwards it is tried at every space).
_TRAILING_MENTIONS_REVERSED = re.compile(r"\s*(?:[\w.\-]+@(?:\s+ot|\s+rof)?\s+)+")


def _strip_trailing_mentions(what: str) -> str:
    found = _TRAILING_MENTIONS_REVERSED.match(what[::-1])
    return what if found is None else what[: len(what) - found.end()]


@dataclass(frozen=True, slots=True)
class DetectedPromise:
    """A promise found in a message."""

    what: str  # what was promised, cleaned, e.g. "send the deck to Priya"
    to: tuple[str, ...]  # mention ids as found ("U123", "Priya Das", "priya"); may be empty
    due: datetime | None  # aware, in the author's tz; None if no due date was said


def detect(text: str, *, sent_at: datetime, tz: ZoneInfo) -> DetectedPromise | None:
    """Return the promise the author makes in ``text``, or None if it is not a commitment.

    ``sent_at`` must be aware (any offset); relative phrases ("tomorrow", "by 3pm") are
    read in the author's time zone ``tz``, and ``due`` is returned in ``tz``.

    >>> from zoneinfo import ZoneInfo
    >>> tz = ZoneInfo("Europe/London")
    >>> p = detect("<@U1|priya> ill send the deck tmrw :+1:",
    ...            sent_at=datetime(2026, 11, 24, 10, tzinfo=tz), tz=tz)
    >>> p.what, p.to, p.due.isoformat()
    ('send the deck', ('U1',), '2026-11-25T17:00:00+00:00')
    """
    if sent_at.tzinfo is None:
        raise ValueError("sent_at must be timezone-aware")
    cut = len(text) > MAX_EXAMINED
    if cut:
        text = text[:MAX_EXAMINED] + _CLOSE_AT_CUT
    # Fast path: most messages carry no commitment cue at all.
    cue = PREFILTER.search(text) is not None
    if not cue and not chat_cue(text):
        return None
    if sarcastic(text):
        return None  # "sure, I'll have it done by yesterday 🙄"
    clean, mentions = clean_with_mentions(text)
    if cut:
        # The sentence the cut falls in is not read: its end might have undone it ("... if").
        clean = without_last_sentence(clean)
    sentences = Sentences(clean)  # cut as far as they are read
    found = find_commitment(clean, sentences) if cue else None
    if found is None:
        return _chat_promise(clean, mentions, sent_at, tz, sentences)
    sentence = sentences[found.sentence]
    what = found.what
    # The due phrase that belongs to the promise follows its cue ("Can't do today, but I'll
    # do it tomorrow"); only fall back to the start of the sentence ("Tomorrow I'll ...").
    due_match = find_due(sentence[found.start :], sent_at, tz)
    if due_match is not None:
        due_match = DueMatch(due_match.due, due_match.start + found.start, due_match.end + found.start)
    else:
        due_match = find_due(sentence, sent_at, tz)
    if found.strong:
        action = sentence[found.start :]
        if (
            due_match is not None
            and due_match.end > found.start
            and _CUTTABLE_AFTER.match(sentence, due_match.end)
        ):
            # Cut the due phrase out of the action: "send it by Friday 3pm" -> "send it"
            cut_from = max(due_match.start - found.start, 0)
            left = tidy_what(action[:cut_from])  # drops the dangling "by" / "on" too
            action = left + " " + action[due_match.end - found.start :]
        what = tidy_what(action) or found.what
    if due_match is None:
        # "On it. ETA 20 mins" / "I'll send it. Should be done by Friday."
        for later in sentences.after(found.sentence):
            due_match = find_due(later, sent_at, tz)
            if due_match is not None:
                break
    if due_match is not None and due_match.past:
        return None  # "I'll have it done by yesterday": a joke, not a deadline
    # A trailing mention names who it is for ("send it tmrw @sam"): that is `to`, not `what`.
    what = _strip_trailing_mentions(what) or what
    return DetectedPromise(what, mentions, due_match.due if due_match else None)


def _chat_promise(
    clean: str, mentions: tuple[str, ...], sent_at: datetime, tz: ZoneInfo, sentences: Sentences
) -> DetectedPromise | None:
    """The forms without an "I'll" (habits.detection.chat), with their due date."""
    found = find_chat_promise(clean, sentences)
    if found is None:
        return None
    due_match = find_due(found.sentence, sent_at, tz)
    if due_match is None:
        for later in found.later:
            due_match = find_due(later, sent_at, tz)
            if due_match is not None:
                break
    if due_match is not None and due_match.past:
        return None
    what = found.what
    if found.strong and due_match is not None:
        at = found.sentence.find(what)
        if at != -1 and at <= due_match.start and due_match.end <= at + len(what):
            left = what[: due_match.start - at]
            right = what[due_match.end - at :]
            what = tidy_what(left + " " + right) or what
    what = _strip_trailing_mentions(tidy_what(what) or what) or what
    return DetectedPromise(what, mentions, due_match.due if due_match else None)
