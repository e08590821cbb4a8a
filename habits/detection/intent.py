"""Decide whether cleaned chat text contains a first-person commitment, and what it is.

No part-of-speech tagger: chat is too ungrammatical for one to help much, and the
budget is ~0.1 ms a message. Instead we look for commitment *cues* ("I'll", "I will",
"gonna", "let me", "on it", ...) and then vet each cue with small, explicit rules:

* the left context must make the author the subject (no "Sam will", "if I have time",
  "should I", "maybe I'll") and the sentence must not be a question;
* the words after the cue must name an action, not a state ("I'll be out"), an idiom
  ("I'll bet"), a need ("I'll need"), a negation ("I'll not") or a hedge ("I'll probably");
* the rest of the sentence must not make it conditional ("... if I get a chance").

The rules are listed in docs/detection.md with the decisions on borderline phrases.

Vetting is linear in the length of the sentence (docs/detection.md, "Cost"): a rule about the
words before a cue looks at a window that ends at the cue and is as long as the longest thing
it can match, and the rules that could reach anywhere in the sentence ("if" anywhere before the
cue, a condition anywhere after it, a clause start after a run of interjections) are answered
from indexes built once per sentence (_Sentence), not by scanning the sentence again per cue.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from habits.detection.markup import is_tidy
from habits.detection.windows import ends_with as _ends_with
from habits.detection.windows import space_before

__all__ = [
    "PREFILTER",
    "Commitment",
    "Sentences",
    "find_commitment",
    "is_question",
    "reported",
    "split_sentences",
    "tidy_what",
    "without_last_sentence",
]

_I = re.I

# Cheap pre-filter over the *raw* message: without one of these cues there is no
# promise, and ~80% of chat stops here. It must be a superset of the cues below,
# also when written with HTML entities (Teams sends "I&#39;ll").
PREFILTER = re.compile(
    r"(?=[iwglcotIWGLCOT&])\b(?:i\s*(?:'|’|ʼ|&#39;|&#x27;|&rsquo;)?\s*ll|i\s*(?:'|’|&#39;)?\s*l|il|i\s+will|i\s+shall|wil?l|wll"
    r"|gonna|going\s+to|imma|lemme|let\s+me|on\s+it|leave\s+(?:it|this|that)\b|i\s+can|can"
    r"|got\s+this|consider\s+it|taking\s+(?:this|it|that))\b",
    _I,
)

# PREFILTER on lower-cased text, without re.I: the same answer, several times faster to scan.
_PREFILTER_LOWER = re.compile(PREFILTER.pattern)

# A dash only splits where its whitespace run starts ((?<!\s)): the same cuts on cleaned text,
# whose whitespace runs are one character long, and no rescanning of a long run per position.
# Every split starts at whitespace or (the zero-width "end.Next" split) before a capital letter:
# the lookahead lets the scan skip all other positions.
_SENTENCE_SPLIT = re.compile(
    r"(?=[\sA-Z])(?:(?<=[.!?…])\s+|\n+|(?<!\s)\s+[—–]\s+|(?<!\s)\s+-{1,2}\s+|(?<=[.!?])(?=[A-Z]))"
)
# The same cuts in two passes that scan fast (each pattern starts with a character class, so the
# scan skips to the next candidate in C): the whitespace cuts, each lookbehind moved after the
# first whitespace it used to precede, then the zero-width "end.Next" cut inside each piece.
_SPLIT_AT_SPACE = re.compile(
    r"\s(?:(?<=[.!?…]\s)\s*|(?<=\n)\n*|(?<!\s\s)\s*[—–]\s+|(?<!\s\s)\s*-{1,2}\s+)"
)
# On tidy text (only " " and "\n" for whitespace, never two together: what markup.py returns) the
# same whitespace cuts are made with str.replace, which runs in C without stopping at every space:
# a space after [.!?…] and each line break become _CUT, then each dash cut (a space, a dash, and
# the space or line break after it; the space before it is never one already cut) does too.
_CUT = "\x00"  # text that holds one takes the regex
_PUNCT_SPACE = tuple((p + " ", p + _CUT) for p in ".!?…")
_DASH_CUT = re.compile(r" (?:[—–]|--?)[ \n]")
_END_NEXT = re.compile(r"[.!?][A-Z]")
_SPLIT_END_NEXT = re.compile(r"(?<=[.!?])(?=[A-Z])")
_END_NEXT_CUT = re.compile(r"([.!?])(?=[A-Z])")  # the same cut, made in one pass over tidy text
_END_NEXT_REPL = "\\1" + _CUT
_LAST_SPLIT: tuple[str, list[str]] = ("", [])


@dataclass(frozen=True, slots=True)
class Commitment:
    """A cue that passed all vetting rules."""

    what: str  # tidied action, due phrase still included
    sentence: int  # index into split_sentences(text)
    strong: bool  # a verb phrase ("send the deck"), not just "on it" / "will do"
    start: int  # offset of the action in its sentence (the action runs to its end)


def split_sentences(text: str) -> list[str]:
    """Split on sentence punctuation, new lines and dashes (chat rarely has full stops).

    ``text`` is cleaned text (habits.detection.markup), where no whitespace run is longer than
    one character."""
    global _LAST_SPLIT
    last = _LAST_SPLIT  # the chat rules ask for the same text's sentences more than once
    if last[0] == text and text:
        return list(last[1])
    found = Sentences(text).all()
    _LAST_SPLIT = (text, found)
    return list(found)


# A long tidy text is cut a block at a time: about this many characters, ended at a sentence end.
_BLOCK = 240
# Where a block may end: a space after sentence punctuation (that space is a cut, and the piece
# after it starts a new one in any case), or a line break no dash stands before (" -\n" is a dash
# cut that takes the break with it). No cut of the whole text crosses such a place, so the
# blocks' cuts are the text's.
_BLOCK_END = re.compile(r"[.!?…] |(?<![-—–])\n")


class Sentences:
    """``split_sentences(text)``, cut only as far as it is read: a caller that stops at the
    sentence with the promise does not pay for the sentences after it (a long message mostly
    says its promise early). One object per caller: it is not shared between threads."""

    __slots__ = ("_done", "_found", "_text", "_tidy")

    def __init__(self, text: str) -> None:
        self._text = text
        self._found: list[str] = []
        self._tidy = _CUT not in text and is_tidy(text)
        self._done = 0 if text else -1  # where the uncut rest starts; -1 once all is cut
        if len(text) <= 2 * _BLOCK:
            self._more()  # one block in any case

    def __iter__(self) -> Iterator[str]:
        return self.after(-1)

    def after(self, index: int) -> Iterator[str]:
        """The sentences after the one at ``index``, cut as they are asked for."""
        if self._done < 0:
            return iter(self._found[index + 1 :])
        return self._after(index)

    def _after(self, index: int) -> Iterator[str]:
        i = index + 1
        found = self._found
        while True:
            while i >= len(found):
                if not self._more():
                    return  # (a block may hold no sentence: only whitespace)
            yield found[i]
            i += 1

    def __getitem__(self, index: int) -> str:
        found = self._found
        while index >= len(found) and self._more():
            pass
        return found[index]

    def all(self) -> list[str]:
        while self._more():
            pass
        return self._found

    def _more(self) -> bool:
        """Cut the next block; False when nothing is left to cut."""
        done, text = self._done, self._text
        if done < 0:
            return False
        if not self._tidy:
            pieces = [s.strip() for s in _SPLIT_AT_SPACE.split(text)]
            stop = len(text)
            if _END_NEXT.search(text):
                pieces = [cut for piece in pieces for cut in _SPLIT_END_NEXT.split(piece)]
        else:
            end = _BLOCK_END.search(text, done + _BLOCK) if len(text) - done > 2 * _BLOCK else None
            stop = len(text) if end is None else end.end()
            # Tidy pieces have no whitespace at either end (a cut takes the space or break it falls
            # on), and no cut touches an "end.Next" pair: its cut goes in before the others.
            pieces = _split_tidy(_END_NEXT_CUT.sub(_END_NEXT_REPL, text[done:stop]))
        self._found.extend(filter(None, pieces))
        self._done = stop if stop < len(text) else -1
        return True


def _split_tidy(text: str) -> list[str]:
    """``_SPLIT_AT_SPACE.split(text)`` for tidy text (markup.is_tidy), or a block of it."""
    for punct_space, cut in _PUNCT_SPACE:
        text = text.replace(punct_space, cut)  # one scan; text itself back when there is none
    if " -" in text or " —" in text or " –" in text:
        text = _DASH_CUT.sub(_CUT, text)
    return text.replace("\n", _CUT).split(_CUT)


def without_last_sentence(text: str) -> str:
    """``text`` without its last sentence and the break before it; all of it if it is one."""
    last = deque(_SENTENCE_SPLIT.finditer(text), maxlen=1)
    return text[: last[0].start()] if last else text


# --- cues -----------------------------------------------------------------------

# Every cue starts with one of these letters: the lookahead lets the scan skip other positions.
_CUE = re.compile(
    r"(?=[iwglcoIWGLCO])(?:(?P<ill>\bi\s?'\s?ll\b|\bi\s+will\b|\bi\s+shall\b|\bill\b|\bil\b|\bi'l\b)"
    r"|(?P<goingto>\b(?:i'?m|i\s+am|im)\s+(?:going\s+to|gonna)\b|\bimma\b)"
    r"|(?P<bare_will>\bwil?l\b|\bwll\b)"
    r"|(?P<bare_gonna>\bgonna\b|\bgoing\s+to\b)"
    r"|(?P<letme>\blet\s+me\b|\blemme\b)"
    r"|(?P<ican>\bi\s+can\b(?!'t|not|t\b))"
    r"|(?P<onit>\b(?:(?:i'?m|im|i\s+am)\s+)?on\s+it\b)"
    r"|(?P<leave>\bleave\s+(?:it|this|that)(?:\s+one)?\s+with\s+me\b|\bconsider\s+it\s+done\b"
    r"|\b(?:i(?:'ve|\s+have)?\s+)?got\s+this\b|\bcan\s+do\b"
    r"|\b(?:i'?m|im)\s+taking\s+(?:this|it|that)(?:\s+one)?\b)"
    r"|(?P<bare_can>\bcan\b(?!'t|not)))",
    _I,
)

# Words that may stand before a clause-initial cue without becoming its subject.
_INTERJECTION = (
    r"(?:ok(?:ay)?|kk?|sure(?:\s+thing)?|yes|yep|yup|yeah|ya|ye|np|no\s+problem|no\s+worries"
    r"|noted|got\s+it|gotcha|cool|great|thanks?|thank\s+you|thx|ty|alright|all\s+right"
    r"|absolutely|definitely|of\s+course|fine|sounds\s+good|good\s+call|roger|ack|will\s+do"
    r"|on\s+it|ah|oh|hey|hi|hello|morning|right|perfect|awesome|nice|understood|ugh|hmm+|so"
    r"|and|then|also|anyway|yes\s+please|for\s+sure|happy\s+to|can\s+do|done|sorry"
    r"|not\s+a\s+problem|haha|lol|no\s+prob|aye|certainly|right\s+away|from\s+my\s+(?:end|side)"
    r"|no\s+dramas|no\s+issues|copy|10-4|tbh|honestly|btw)"
)
_CLAUSE_START = re.compile(rf"(?:^|[,;:(]|\.\.\.)\s*(?:{_INTERJECTION}\b[\s,!.]*)*$", _I)
# The same, one interjection or one gap at a time (_Sentence.clause_start_at).
_INTERJECTION_WORDS = re.compile(_INTERJECTION, _I)
_INTERJECTION_MAX_WORDS = 3  # "not a problem"
_SEPARATORS = re.compile(r"[\s,!.]*")
_TOKEN = re.compile(r"\w+")
_FIRST_PERSON_START = re.compile(r"^\W*(?:i|i'm|im|i've|ive|i'd|i\s+am|i\s+was)\b", _I)
_AND_BEFORE = re.compile(r"\b(?:and|but|so|then|&)\s*$", _I)

# Left-context blockers.
_HEDGE_BEFORE = re.compile(
    r"\b(?:maybe|perhaps|probably|prob|prolly|possibly|hopefully|i\s+think|i\s+guess"
    r"|i\s+suppose|i\s+reckon|not\s+sure(?:\s+if|\s+whether)?|don'?t\s+think|doubt|wonder(?:ing)?"
    r"|unlikely|think|guess|if|whether|hope)\s*,?\s*(?:\w+\s+){0,1}$",
    _I,
)
_CONDITION_BEFORE = re.compile(
    r"(?=[iwapusIWAPUS])\b(?:if|whether|in\s+case|assuming|provided|as\s+long\s+as|unless|should\s+you)\b", _I
)
_POLITE_IF = re.compile(
    r"\bif\s+(?:(?:that|this|it)(?:'s|\s+is)\s+(?:ok(?:ay)?|alright|all\s+right|fine|cool)"
    r"|(?:that|this|it)\s+works(?:\s+for\s+(?:you|everyone|u))?|you\s+don'?t\s+mind"
    r"|(?:that|it)\s+helps|nobody\s+objects|no\s+one\s+objects)",
    _I,
)
_QUESTION_START = re.compile(
    r"^\W*(?:should|shall|can|could|would|will|do|does|did|am|may|must|might|is|are)\s+i\b", _I
)
_NEGATION_BEFORE = re.compile(r"(?:\bnot|\bnever|n't|\bno)\s*$", _I)
_PAST_BEFORE = re.compile(r"\b(?:was|were|had|been)\s*$", _I)
_TAG_QUESTION = re.compile(
    r",?\s*(?<!\w)(?:ok(?:ay)?|k|right|yeah|yes|alright|all\s+right|cool|sounds?\s+good|good"
    r"|does\s+that\s+work(?:\s+for\s+(?:you|u))?|(?:that|this)\s+work(?:s)?(?:\s+for\s+(?:you|u))?"
    r"|works\s+for\s+(?:you|u)|if\s+that'?s\s+(?:ok(?:ay)?|alright|fine)"
    r"|is\s+that\s+(?:ok(?:ay)?|alright|fine)|fair|no)\s*\?+\s*$",
    _I,
)
_GLOBAL_HEDGE = re.compile(
    r"(?=[ncdw])\b(?:no\s+promises|can'?t\s+promise|cannot\s+promise|don'?t\s+hold\s+me\s+to"
    r"|no\s+guarantees?|not\s+promising|won'?t\s+promise)\b"
)  # searched in lower-cased text (faster than re.I)

# Right-context: fillers between the cue and the verb, kept out of "what".
_FILLER = re.compile(
    r"(?:(?:just|quickly|definitely|def|defo|certainly|also|then|now|first|totally"
    r"|absolutely|happily|gladly|personally|still|finally|actually|really|surely|again|all"
    r"|go\s+ahead\s+and|for\s+sure)\b[\s,]*)+",
    _I,
)
_HEDGE_AFTER = re.compile(
    r"(?:probably|prob|prolly|maybe|likely|possibly|hopefully|perhaps|might|may|try\s+and\s+maybe"
    r"|not|never|no\s+longer|n't)\b",
    _I,
)
_BE_OK = (
    r"sure|done|ready|ic|incident\s+commander|the\s+(?:ic|scribe|point\s+person)|on\s+point|sending|sharing|reviewing|posting|updating|deploying|releasing|publishing|emailing"
    r"|finishing|fixing|preparing|writing|submitting|delivering|drafting|uploading|merging"
    r"|pushing|following\s+up|reaching\s+out|in\s+touch|back\s+(?:to\s+you|with)"
)
# Verb phrases that are states, needs, idioms or immediate speech acts, not promises.
_NOT_AN_ACTION = re.compile(
    rf"(?:be\b(?!\s+(?:{_BE_OK})\b)|bet|admit|say|guess|assume|suppose|need|want|like|love|hate"
    r"|miss|pass|wait|stay|survive|live|believe|allow|grant|pretend|regret|owe|forget"
    r"|understand|die|cry|sleep|wonder|expect|probably|hope|see\b(?!\s+to\b)|think"
    r"|keep\s+(?:that|it|this)\s+in\s+mind|take\s+(?:your|ur|their|his|her)\s+word"
    r"|take\s+(?:that|it|this)\s+as\b|give\s+you\s+that|tell\s+you\s+what|have\s+to\b"
    r"|have\s+what\b|leave\s+(?:it|that|this)\s+(?:to|up\s+to|there|at\s+that|with\s+you)\b"
    r"|leave\s+(?:early|now|at|for|the\s+office|work|soon)\b|let\s+you\s+know\s+if\b"
    r"|let\s+you\s+(?:get|go)\b|let\s+it\s+(?:slide|go)\b|hold\s+off|head\s+(?:out|off|home)"
    r"|go\s+(?:home|to|for|back|out|with)\b|get\s+used\s+to|need\s+to|have\s+(?:a\s+)?think"
    r"|shut\s+up|stop\s+there|leave\s+you\s+to|let\s+(?:that|this)\s+(?:go|slide)"
    # idioms and errands: nothing a colleague is owed
    r"|drink\s+to|cheers\s+to|hold\s+my\s+breath|let\s+(?:that|this|it)\s+one\s+(?:go|slide)|chalk"
    r"|take\s+a\s+rain\s*-?check|play\s+devil|spare\s+you|give\s+it\s+a\s+miss"
    r"|give\s+(?:it|you|them|him|her)\s+that\b|hold\s+you\s+to|keep\s+my\s+eyes|pick\s+(?:you|u)\s+up"
    r"|pick\s+up\s+(?:some|the\s+kids|milk|groceries|dinner|food)|get\s+back\s+to\s+(?:my|work\b)"
    r"|chase\s+(?:you|u)\b|take\s+the\s+(?:\w+\s+)?(?:flight|train|bus|seat|stairs|lift|elevator|blame)"
    r"|take\s+the\s+blame|have\s+(?:a|the|some|an)\s+(?:salmon|sandwich|coffee|tea|beer|burger|pizza"
    r"|salad|steak|chicken|soup|pasta|usual|fish|veggie|drink|glass|pint)"
    r"|grab\s+(?:some\s+|a\s+|an\s+)?(?:lunch|coffee|food|bite|drink|beer|snack|tea)"
    r"|(?:finish|leave|head\s+off|log\s+off|sign\s+off)\s+early|always\b|remember\b|join\s+late"
    r"|defer\s+to|eat\s+my\s+hat|fight\s+you|let\s+you\s+(?:two|guys|all)\b"
    r"|let\s+(?:everyone|the\s+team|them|people|folks)\s+know\s+(?:you|he|she|they)(?:'re|\s+are|'s|\s+is)"
    r"|try\s+to\s+make\s+it|work\s+all\s+(?:weekend|night|day)|see\s+(?:you|u|ya)\b"
    r"|cancel\s+my\s+(?:weekend|holiday|vacation|plans|life)|pass\b|sit\s+this\s+one\s+out"
    r"|let\s+(?-i:[A-Z])\w*\s+(?!know\b)\w|take\s+it\s+under|wing\s+it|cross\s+my\s+fingers"
    r"|keep\s+(?:you|u)\s+in\s+my|count\s+myself|shut\s+my|catch\s+(?:you|u|ya)\b|catch\s+the\s+next"
    r"|talk\s+(?:to\s+)?(?:you|u|ya)\s+later|(?:hop|jump|log|sign|bow|duck)\s+(?:off|out)\b(?!\s+on)|go\s+grab"
    r"|get\s+my\s+coat|get\s+going|leave\s+(?:it|this|that)\s+(?:for\s+another|here)|quietly"
    r"|try\s+not\s+to|put\s+that\s+on\s+my|frame\s+this|take\s+the\s+(?:l|w|win|loss|hint)\b"
    r"|stick\s+(?:with|to)\b|vote\s+for|second\s+that|have\s+you\s+know"
    r"|grab\s+(?:a\s+|some\s+)?(?:water|snack|seat|bite))",
    _I,
)
# After "let me": requests for information and speech acts happening in the message itself.
_LET_ME_NOT = re.compile(
    r"(?:know|guess|be\b|see\b|think|explain|clarify|rephrase|tell\s+you|say|just\s+say"
    r"|ask\s+you|remind|introduce|correct|repeat|quote|reiterate|get\s+back\s+to\s+(?:it|work)"
    r"|in\b|go\b|out\b|down\b|summari[sz]e|share\s+my\s+screen|be\s+clear|add\s+that|just\s+add"
    r"|point\s+out|also\s+say|start\s+by|put\s+it\s+this\s+way|play\s+devil)",
    _I,
)
# "I'll think about it and get back to you": the second verb phrase, which runs to the end.
_RESCUE = re.compile(
    r"\band\s+(?:then\s+)?(?:i'?ll\s+|will\s+)?(?P<verb>(?:get\s+back|let\s+you\s+know|send|report"
    r"\s+back|follow\s+up|circle\s+back|update|share|revert|ping|confirm|come\s+back|reply)\b)",
    _I,
)
_CONDITION_AFTER = re.compile(
    r"(?=[ipadoIPADO])\b(?:if|provided|assuming|depending\s+on|or\s+not|as\s+long\s+as)\b", _I
)
_WORD = re.compile(r"[A-Za-z][\w'-]*")
# Words after a bare "will" that show it is a name or a question, not "(I) will <verb>".
_NOT_AFTER_BARE_WILL = frozenset(
    "is was has had said says and from thinks wants you it that this there they we he she i the a "
    "an someone anyone be be, u ya y'all everyone anybody somebody".split()
)
# "I can" is an offer to own something only with these verbs ("I can take this").
_ICAN_VERB = re.compile(
    r"(?:take|handle|grab|pick\s+(?:it|this|that)?\s*up|own|cover|do|look\s+into"
    r"|take\s+a\s+look|look\s+at|sort|deal\s+with|jump\s+on|review|check|fix|chase|draft|write\s+up"
    r"|(?:get|have|finish|send)\s+(?:it|this|that|them|you|(?:a|the|my)\s+(?!lunch|coffee|break|drink"
    r"|beer|look\b|chat\b|call\b|question)))\b",
    _I,
)
_BE_DONE = re.compile(r"\s+(?:done|ready|finished|back\s+with|sending|sharing|pushing|merging)\b", _I)
_GOT_THIS_AFTER = re.compile(
    r"\s*(?:one|covered|handled|sorted|now|today|thanks|thx|boss|mate|,)", _I
)
_HAVE_A_GO = re.compile(r"have\s+a\s+(?:go|look|stab|crack|bash)\b", _I)
# "I think I can take this", "I reckon I'll have it by Thursday": a soft hedge right before the
# cue does not undo a real offer (an "I can" offer, or an "I'll" with a deadline).
_SOFT_HEDGE = re.compile(r"(?:\bi\s+|^\W*)(?:think|reckon)\s*,?\s*$", _I)
_DEADLINE_WORD = re.compile(
    r"\b(?:by|before|tomorrow|tmrw|today|tonight|eod|cob|mon|monday|tue|tues|tuesday|wed|wednesday"
    r"|thu|thur|thurs|thursday|fri|friday|sat|saturday|sun|sunday|next\s+week|this\s+week)\b",
    _I,
)
# "Lee: I'll send the notes Friday", "per Raj: will do": someone else's words, reported.
_REPORTED = re.compile(
    r"^\W*(?:(?:per|quoting|from|via)\s+)?(?P<name>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)\s*(?::|-\s*\")\s"
)
_NOT_NAMES = frozenset(
    "update updates status note notes fyi eta edit ps btw todo ai ais action actions next owners "
    "owner summary tldr plan q a re me i reminder heads context done result results decision "
    "outcome agenda answer comms fix mitigation impact cause issue problem ask request sure ok "
    "okay yes no also and but so then today tomorrow eod cob monday tuesday wednesday thursday "
    "friday saturday sunday good bad quick question proposal step steps timeline blocker "
    "blockers important urgent reply response hi hey morning thanks update: incident ic".split()
)
_NOT_AFTER_GOING_TO = frozenset(
    "the a an my our your his her their lunch bed work sleep be have need go miss school "
    "church home town".split()
)
# "ill" without an apostrophe is usually "I'll", unless it is about being unwell.
_ILL_BEFORE_SICK = re.compile(
    r"\b(?:i'?m|am|was|is|are|be|been|being|feel|feeling|felt|fell|falling|got|get|getting|very"
    r"|so|too|quite|really|seriously|critically|terminally|mentally|chronically|looks?|looked"
    r"|seems?|seemed|sounds?|the|an|a|of|become|became|bit|little)\s*$",
    _I,
)
_ILL_AFTER_SICK = re.compile(
    r"(?:-|\s*(?:health|advised|effects?|at|with|today|tonight|and|in|since|lately|all|for|from"
    r"|again|yesterday|this|last|over|but|or|,|\.|!|$))",
    _I,
)
_RELATIVE_BEFORE = re.compile(
    r"\b(?:what|whatever|how|all|if|where|when|anything|something|everything|which|whether)"
    r"\s*$",
    _I,
)
_RELATIVE_DO = frozenset({"do", "do next", "do about it", "need", "say", "do then"})
_DOUBLE_QUOTED = re.compile(r'"[^"\n]*"')
# Trailing words and punctuation that are not part of the action: a run of these characters
# and words (a word only where a word starts) at the end of "what" is cut off. The run is found
# by matching the reversed words against the reversed text from its start: the same cut as
# (?:[chars]|\b(?:words))*$ searched forwards, in one pass instead of one per position.
_TRAILING_CHARS = r"[\s,;:.!?~\-)(]"
_TRAILING_WORDS = (
    "then", "thanks", "thx", "ty", "ok", "okay", "lol", "too", "as well", "pls", "please", "btw",
    "and", "so", "but", "by", "on", "at", "before", "until", "till", "in", "within", "for",
    "around", "no later than", "from", "of", "sometime", "some time", "latest", "the latest",
    "tops", "max",
)  # fmt: skip
_TRAILING_JUNK_REVERSED = re.compile(
    rf"(?:{_TRAILING_CHARS}|(?:"
    + "|".join(w[::-1].replace(" ", r"\s+") for w in sorted(_TRAILING_WORDS, key=len, reverse=True))
    + r")\b)*",
    _I,
)
_AND_I_WILL = re.compile(r"\band\s+(?:i\s?'\s?ll|i\s+will|will)\s+", _I)
_TAGS = (
    r"(?:ok|okay|k|right|yeah|alright|cool|sound\s+good|sounds\s+good|does\s+that\s+work"
    r"|if\s+that'?s\s+(?:ok|okay|alright|fine)|is\s+that\s+ok|if\s+that\s+works)\b"
)
_TAIL_CLAUSE = re.compile(rf"(?<!\s)\s*(?:,\s*{_TAGS}.*+$)", _I)
_TAIL_COMMA = re.compile(rf",\s*{_TAGS}", _I)  # where _TAIL_CLAUSE can start, in a sentence
_SPACE = re.compile(r"\s*")
_SPACE_COMMA = re.compile(r"[ ,]*")
_ONLY_PUNCTUATION = re.compile(r"[ .!,]*")
_WILL_DO = re.compile(r"\s*do\b\s*(?:[,.!:;)~-]|$)", _I)
_WORD_AHEAD = re.compile(r"\s*\w")
_ON_IT_AFTER = re.compile(r"\s*(?:now|already|boss|asap|right\s+away|today|thanks?|then|too|and|,)", _I)
# Longest match of each "…\s*$" rule before a cue, whitespace not counted (windows.ends_with).
_NEGATION_WIDTH, _PAST_WIDTH, _AND_WIDTH, _SICK_WIDTH, _RELATIVE_WIDTH = 5, 4, 4, 11, 10
_HEDGE_WINDOW = 40  # _HEDGE_BEFORE reads the 40 characters before the cue
_SHORT_PREFIX = 256  # up to here, _CLAUSE_START itself is cheaper than the index


def _strip_trailing_junk(what: str) -> str:
    return what[: len(what) - _TRAILING_JUNK_REVERSED.match(what[::-1]).end()]  # type: ignore[union-attr]


class _Sentence:
    """A sentence whose cues are being vetted, with the indexes the rules need, each built the
    first time a cue needs it."""

    __slots__ = (
        "_after",
        "_and_will",
        "_before",
        "_clause",
        "_empty",
        "_first_person",
        "_newline",
        "_rescue_starts",
        "_rescues",
        "_tails",
        "masked",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.masked = _DOUBLE_QUOTED.sub(lambda q: "\0" * len(q.group(0)), text)
        self._before: tuple[list[int], list[int]] | None = None
        self._after: int | None = None
        self._clause: dict[int, bool] | None = None
        self._first_person: bool | None = None
        self._rescues: list[re.Match[str]] = []
        self._rescue_starts: list[int] | None = None
        self._newline = "\n" in text
        self._tails: list[int] | None = None
        self._empty: tuple[int, int] | None = None
        self._and_will: tuple[list[int], list[int]] | None = None

    def condition_before(self, cue: int) -> bool:
        """Whether a condition ("if", "unless", ...) that is not a politeness "if" ends before
        ``cue``: ``_CONDITION_BEFORE.finditer(prefix)`` vetted by ``_POLITE_IF`` on the prefix.

        Each condition blocks the cues from its end on; a politeness "if" only until it is
        complete ("if that's ok" needs its last word before the cue to be polite)."""
        if self._before is None:
            text = self.text
            spans: list[tuple[int, int]] = []
            for m in _CONDITION_BEFORE.finditer(text):
                polite = _POLITE_IF.match(text, m.start())
                if polite is None:
                    spans.append((m.end(), len(text) + 1))
                    continue
                # the shortest prefix of the sentence in which the polite reading holds
                lo, hi = m.end(), polite.end()
                while lo < hi:
                    mid = (lo + hi) // 2
                    if _POLITE_IF.match(text, m.start(), mid) is None:
                        lo = mid + 1
                    else:
                        hi = mid
                spans.append((m.end(), lo))
            until, longest = [], 0
            for _start, end in spans:
                longest = max(longest, end)
                until.append(longest)
            self._before = ([start for start, _end in spans], until)
        starts, until = self._before
        i = bisect_right(starts, cue) - 1
        return i >= 0 and until[i] > cue

    def condition_after(self, end: int) -> bool:
        """Whether a condition ("if", "depending on", ...) that is not a politeness "if" starts
        after the cue: ``_CONDITION_AFTER.finditer(rest)`` vetted by ``_POLITE_IF``."""
        if self._after is None:
            text = self.text
            self._after = max((m.start() for m in _CONDITION_AFTER.finditer(text)
                               if not _POLITE_IF.match(text, m.start())), default=-1)
        return self._after >= end

    def clause_initial(self, cue: int) -> bool:
        """True when nothing but interjections precede the cue in its clause."""
        text = self.text
        if cue <= _SHORT_PREFIX:
            if _CLAUSE_START.search(text, 0, cue):
                return True
        elif self.clause_start_at(cue):
            return True
        # "I'm swamped but will send it later": the subject of the first clause is "I".
        if not _ends_with(_AND_BEFORE, text, cue, _AND_WIDTH):
            return False
        if self._first_person is None:
            self._first_person = _FIRST_PERSON_START.search(text) is not None
        return self._first_person

    def clause_start_at(self, cue: int) -> bool:
        r"""``_CLAUSE_START.search(sentence[:cue])`` for a cue at the start of a word, from one
        pass over the sentence's words: a word starts a clause when an anchor (the start, one of
        ",;:(" or "...") and whitespace precede it, or when an interjection that itself started
        in such a place ends before it with only [\s,!.] between."""
        if self._clause is None:
            text = self.text
            words = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
            good: list[bool] = []
            self._clause = {}
            gap_start = 0
            for k, (start, end) in enumerate(words):
                w = space_before(text, start)  # stops at gap_start: a word is not whitespace
                ok = w == 0 or text[w - 1] in ",;:(" or text[max(0, w - 3) : w] == "..."
                if not ok and _SEPARATORS.fullmatch(text, gap_start, start):
                    for j in range(k - 1, max(-1, k - 1 - _INTERJECTION_MAX_WORDS), -1):
                        if good[j] and _INTERJECTION_WORDS.fullmatch(text, words[j][0], gap_start):
                            ok = True
                            break
                good.append(ok)
                self._clause[start] = ok
                gap_start = end
        found = self._clause.get(cue)
        if found is None:  # not at the start of a word: cannot happen for a cue; ask the pattern
            return _CLAUSE_START.search(self.text, 0, cue) is not None
        return found

    def rescue(self, pos: int) -> tuple[int, int] | None:
        """The span of ``_RESCUE.search(sentence[pos:])``'s verb phrase (to the end of the line)."""
        if self._rescue_starts is None:
            self._rescues = list(_RESCUE.finditer(self.text))
            self._rescue_starts = [m.start() for m in self._rescues]
        i = bisect_left(self._rescue_starts, pos)
        if i == len(self._rescues):
            return None
        start = self._rescues[i].start("verb")
        end = self.text.find("\n", start)
        return start, len(self.text) if end == -1 else end

    def tidy(self, start: int, end: int) -> str:
        """``tidy_what(sentence[start:end])`` for an action that runs to the end of the sentence.

        tidy_what cuts at the first tag clause (", ok?"), so only the text up to the first
        possible one is tidied. When that is all filler ("and I'll and I'll ..."), the actions
        of the later cues inside it are filler too, and are not tidied again; except one that
        starts inside an "and I'll" (tidy_what drops the "I'll" only after its "and": "and
        I'll ok" is all filler, "I'll ok" is not), which is tidied on its own."""
        text = self.text
        if end != len(text) or self._newline:
            return tidy_what(text[start:end])
        if self._tails is None:
            self._tails = [m.start() for m in _TAIL_COMMA.finditer(text)]
        i = bisect_left(self._tails, start)
        cut = self._tails[i] if i < len(self._tails) else end
        if self._inside_and_will(start):
            return tidy_what(text[start:cut])
        if self._empty is not None and self._empty[0] < start and self._empty[1] == cut:
            return ""
        what = tidy_what(text[start:cut])
        if not what:
            self._empty = (start, cut)
        return what

    def _inside_and_will(self, pos: int) -> bool:
        """Whether ``pos`` falls strictly inside one of the sentence's ``_AND_I_WILL`` matches."""
        if self._and_will is None:
            spans = [m.span() for m in _AND_I_WILL.finditer(self.text)]
            self._and_will = ([a for a, _ in spans], [b for _, b in spans])
        starts, ends = self._and_will
        i = bisect_left(starts, pos) - 1
        return i >= 0 and ends[i] > pos


def _after_fillers(text: str, pos: int, space: re.Pattern[str]) -> int:
    """Where ``_FILLER.sub("", text[pos:].lstrip(...))`` starts; ``space`` is what is stripped."""
    pos = space.match(text, pos).end()  # type: ignore[union-attr]
    filler = _FILLER.match(text, pos)
    return pos if filler is None else filler.end()


def is_question(sentence: str) -> bool:
    """Whether ``sentence`` asks rather than says (a tag question such as ", ok?" still says)."""
    return _is_question(sentence)


def _is_question(sentence: str) -> bool:
    s = sentence.rstrip()
    if s.endswith("?") and not _TAG_QUESTION.search(s):
        return True
    return bool(_QUESTION_START.search(s))


def _vet_action(s: _Sentence, end: int) -> tuple[int, int] | None:
    """The span of the promised action (verb phrase) after a cue ending at ``end``, or None
    when it is not an action."""
    text = s.text
    start = _after_fillers(text, end, _SPACE_COMMA)
    if start == len(text) or _HEDGE_AFTER.match(text, start):
        return None
    if _NOT_AN_ACTION.match(text, start):
        return s.rescue(start)
    return start, len(text)


def _blocked_before(s: _Sentence, cue: int, kind: str | None = None) -> bool:
    text = s.text
    if _ends_with(_NEGATION_BEFORE, text, cue, _NEGATION_WIDTH) or _ends_with(
        _PAST_BEFORE, text, cue, _PAST_WIDTH
    ):
        return True
    if s.condition_before(cue):
        return True
    window = text[max(0, cue - _HEDGE_WINDOW) : cue]
    if not _HEDGE_BEFORE.search(window):
        return False
    soft = _SOFT_HEDGE.search(window)
    if soft is None or kind not in ("ican", "ill"):
        return True
    if kind == "ill" and not _DEADLINE_WORD.search(text, cue):
        return True
    return bool(_HEDGE_BEFORE.search(window[: soft.start()]))


def reported(sentence: str) -> bool:
    """Whether ``sentence`` opens with someone's name and a colon: their words, not the author's."""
    m = _REPORTED.match(sentence)
    return m is not None and m.group("name").lower().rstrip(".") not in _NOT_NAMES


def tidy_what(what: str) -> str:
    """Strip tag questions, trailing prepositions, fillers and punctuation from an action."""
    what = _AND_I_WILL.sub("and ", what)  # "talk to finance and I'll get back to you"
    what = _TAIL_CLAUSE.sub("", what)
    what = _strip_trailing_junk(what)
    return " ".join(what.split())


def _vet_cue(m: re.Match[str], s: _Sentence) -> tuple[str, bool, int] | None:
    """Vet one cue match; return (what, strong, start of the action) or None."""
    kind = m.lastgroup
    text = s.text
    cue, end = m.start(), m.end()
    if s.masked[cue] == "\0":
        return None  # inside "double quotes": somebody else's words
    if _blocked_before(s, cue, kind):
        return None
    if kind == "ill":
        said = m.group(0).lower()
        if said != "ill" and _ONLY_PUNCTUATION.fullmatch(text, end) and s.clause_initial(cue):
            return ("will do", False, cue)  # "Will you send it?" "ok, I will."
        if said == "ill" and (
            _ends_with(_ILL_BEFORE_SICK, text, cue, _SICK_WIDTH)
            or _ILL_AFTER_SICK.match(text, end)
            or m.group(0) == "ILL"
        ):
            return None
    elif kind in ("bare_will", "bare_gonna"):
        if not s.clause_initial(cue):
            return None
        nxt = _WORD.match(text, _SPACE.match(text, end).end())  # type: ignore[union-attr]
        if kind == "bare_will":
            if nxt is None:
                return None
            word = nxt.group(0).lower()
            if word == "be" and _BE_DONE.match(text, nxt.end()):
                pass  # "will be done in 10"
            elif word in _NOT_AFTER_BARE_WILL or word.endswith("'s"):
                return None
            if word == "do" and _WILL_DO.match(text, end):
                return ("will do", False, cue)  # "Will do, I'll send it later"
    elif kind == "goingto":
        pass
    elif kind == "letme":
        if not s.clause_initial(cue):
            return None
        if _LET_ME_NOT.match(text, _after_fillers(text, end, _SPACE_COMMA)):
            return None
    elif kind == "ican":
        if _ends_with(_RELATIVE_BEFORE, text, cue, _RELATIVE_WIDTH):
            return None  # "I'll see what I can do": a relative clause, not an offer
        if not _ICAN_VERB.match(text, _after_fillers(text, end, _SPACE)):
            return None
    elif kind == "bare_can":
        if not s.clause_initial(cue) or not _ICAN_VERB.match(text, _after_fillers(text, end, _SPACE)):
            return None
    elif kind == "onit":
        if not m.group(0).lower().startswith(("i", "im")) and not s.clause_initial(cue):
            return None
        if _WORD_AHEAD.match(text, end) and not _ON_IT_AFTER.match(text, end):
            return None  # "on it" inside a longer phrase ("spend time on it before ...")
        return (" ".join(m.group(0).lower().split()), False, cue)
    elif kind == "leave":
        said = m.group(0).lower()
        if "got this" in said or said == "can do":
            if not s.clause_initial(cue) and not _FIRST_PERSON_START.search(m.group(0)):
                return None
            if said == "can do" and _WORD_AHEAD.match(text, end):
                return None
            if "got this" in said and _WORD_AHEAD.match(text, end) and not _GOT_THIS_AFTER.match(text, end):
                return None  # "I've got this weird bug"
        return (" ".join(said.split()), False, cue)

    if s.condition_after(end):
        return None
    action = _vet_action(s, end)
    if action is None:
        return None
    start, stop = action
    if kind == "goingto" or kind == "bare_gonna":
        # "going to the office", "gonna be late": a place or a state
        first = _WORD.match(text, start, stop)
        if first is None or (
            first.group(0).lower() in _NOT_AFTER_GOING_TO and not _HAVE_A_GO.match(text, start)
        ):
            return None
        if first.group(0)[0].isupper():
            return None  # "going to Paris": a proper noun, so a place
    what = s.tidy(start, stop)
    if not what:
        return None
    relative = _ends_with(_RELATIVE_BEFORE, text, cue, _RELATIVE_WIDTH)
    if kind == "ill" and relative and what.lower() in _RELATIVE_DO:
        return None  # "see the plan for what I'll do": a relative clause, not a promise
    return what, True, len(text) - (stop - start)


def find_commitment(text: str, sentences: Sentences | None = None) -> Commitment | None:
    """Find the author's first commitment in cleaned ``text``; ``sentences``, if given, is
    ``Sentences(text)`` (the caller reads on from where this stopped).

    >>> find_commitment("Thanks! I'll send the deck tomorrow")
    Commitment(what='send the deck tomorrow', sentence=1, strong=True, start=5)
    """
    low = text.lower()
    if ("promis" in low or "guarantee" in low or "hold me" in low) and _GLOBAL_HEDGE.search(low):
        return None
    weak: Commitment | None = None
    for index, sentence in enumerate(Sentences(text) if sentences is None else sentences):
        if not _PREFILTER_LOWER.search(sentence.lower()) or _is_question(sentence) or reported(sentence):
            continue
        vetted = _Sentence(sentence)
        for m in _CUE.finditer(sentence):
            got = _vet_cue(m, vetted)
            if got is None:
                continue
            what, strong, start = got
            if strong:
                return Commitment(what, index, True, start)
            if weak is None:
                weak = Commitment(what, index, False, start)
    return weak
