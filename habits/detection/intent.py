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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PREFILTER", "Commitment", "find_commitment", "split_sentences", "tidy_what"]

_I = re.I

# Cheap pre-filter over the *raw* message: without one of these cues there is no
# promise, and ~80% of chat stops here. It must be a superset of the cues below,
# also when written with HTML entities (Teams sends "I&#39;ll").
PREFILTER = re.compile(
    r"\b(?:i\s*(?:'|’|ʼ|&#39;|&#x27;|&rsquo;)?\s*ll|i\s+will|i\s+shall|will|gonna|going\s+to"
    r"|imma|lemme|let\s+me|on\s+it|leave\s+it\s+with|i\s+can|can\s+do|got\s+this"
    r"|consider\s+it|taking\s+(?:this|it|that))\b",
    _I,
)

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+|\n+|\s+[—–]\s+|\s+-{1,2}\s+|(?<=[.!?])(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class Commitment:
    """A cue that passed all vetting rules."""

    what: str  # tidied action, due phrase still included
    sentence: int  # index into split_sentences(text)
    strong: bool  # a verb phrase ("send the deck"), not just "on it" / "will do"
    start: int  # offset of the action in its sentence (the action runs to its end)


def split_sentences(text: str) -> list[str]:
    """Split on sentence punctuation, new lines and dashes (chat rarely has full stops)."""
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]


# --- cues -----------------------------------------------------------------------

_CUE = re.compile(
    r"(?P<ill>\bi\s?'\s?ll\b|\bi\s+will\b|\bi\s+shall\b|\bill\b)"
    r"|(?P<goingto>\b(?:i'?m|i\s+am|im)\s+(?:going\s+to|gonna)\b|\bimma\b)"
    r"|(?P<bare_will>\bwill\b)"
    r"|(?P<bare_gonna>\bgonna\b|\bgoing\s+to\b)"
    r"|(?P<letme>\blet\s+me\b|\blemme\b)"
    r"|(?P<ican>\bi\s+can\b(?!'t|not|t\b))"
    r"|(?P<onit>\b(?:(?:i'?m|im|i\s+am)\s+)?on\s+it\b)"
    r"|(?P<leave>\bleave\s+it\s+with\s+me\b|\bconsider\s+it\s+done\b"
    r"|\b(?:i(?:'ve|\s+have)?\s+)?got\s+this\b|\bcan\s+do\b"
    r"|\b(?:i'?m|im)\s+taking\s+(?:this|it|that)(?:\s+one)?\b)",
    _I,
)

# Words that may stand before a clause-initial cue without becoming its subject.
_INTERJECTION = (
    r"(?:ok(?:ay)?|kk?|sure(?:\s+thing)?|yes|yep|yup|yeah|ya|ye|np|no\s+problem|no\s+worries"
    r"|noted|got\s+it|gotcha|cool|great|thanks?|thank\s+you|thx|ty|alright|all\s+right"
    r"|absolutely|definitely|of\s+course|fine|sounds\s+good|good\s+call|roger|ack|will\s+do"
    r"|on\s+it|ah|oh|hey|hi|hello|morning|right|perfect|awesome|nice|understood|ugh|hmm+|so"
    r"|and|then|also|anyway|yes\s+please|for\s+sure|happy\s+to|can\s+do|done|sorry"
    r"|not\s+a\s+problem|haha|lol|no\s+prob|aye|certainly|right\s+away)"
)
_CLAUSE_START = re.compile(rf"(?:^|[,;:(]|\.\.\.)\s*(?:{_INTERJECTION}\b[\s,!.]*)*$", _I)
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
    r"\b(?:if|whether|in\s+case|assuming|provided|as\s+long\s+as|unless|should\s+you)\b", _I
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
    r",?\s*(?:ok(?:ay)?|k|right|yeah|yes|alright|all\s+right|cool|sounds?\s+good|good"
    r"|does\s+that\s+work(?:\s+for\s+(?:you|u))?|(?:that|this)\s+work(?:s)?(?:\s+for\s+(?:you|u))?"
    r"|works\s+for\s+(?:you|u)|if\s+that'?s\s+(?:ok(?:ay)?|alright|fine)"
    r"|is\s+that\s+(?:ok(?:ay)?|alright|fine)|fair|no)\s*\?+\s*$",
    _I,
)
_GLOBAL_HEDGE = re.compile(
    r"\b(?:no\s+promises|can'?t\s+promise|cannot\s+promise|don'?t\s+hold\s+me\s+to"
    r"|no\s+guarantees?|not\s+promising|won'?t\s+promise)\b",
    _I,
)

# Right-context: fillers between the cue and the verb, kept out of "what".
_FILLER = re.compile(
    r"^(?:(?:just|quickly|definitely|def|defo|certainly|also|then|now|first|totally"
    r"|absolutely|happily|gladly|personally|still|finally|actually|really|surely|again|all"
    r"|go\s+ahead\s+and|for\s+sure)\b[\s,]*)+",
    _I,
)
_HEDGE_AFTER = re.compile(
    r"^(?:probably|prob|prolly|maybe|likely|possibly|hopefully|perhaps|might|may|try\s+and\s+maybe"
    r"|not|never|no\s+longer|n't)\b",
    _I,
)
_BE_OK = (
    r"sure|sending|sharing|reviewing|posting|updating|deploying|releasing|publishing|emailing"
    r"|finishing|fixing|preparing|writing|submitting|delivering|drafting|uploading|merging"
    r"|pushing|following\s+up|reaching\s+out|in\s+touch|back\s+(?:to\s+you|with)"
)
# Verb phrases that are states, needs, idioms or immediate speech acts, not promises.
_NOT_AN_ACTION = re.compile(
    rf"^(?:be\b(?!\s+(?:{_BE_OK})\b)|bet|admit|say|guess|assume|suppose|need|want|like|love|hate"
    r"|miss|pass|wait|stay|survive|live|believe|allow|grant|pretend|regret|owe|forget"
    r"|understand|die|cry|sleep|wonder|expect|probably|hope|see\b(?!\s+to\b)|think"
    r"|keep\s+(?:that|it|this)\s+in\s+mind|take\s+(?:your|ur|their|his|her)\s+word"
    r"|take\s+(?:that|it|this)\s+as\b|give\s+you\s+that|tell\s+you\s+what|have\s+to\b"
    r"|have\s+what\b|leave\s+(?:it|that|this)\s+(?:to|up\s+to|there|at\s+that|with\s+you)\b"
    r"|leave\s+(?:early|now|at|for|the\s+office|work|soon)\b|let\s+you\s+know\s+if\b"
    r"|let\s+you\s+(?:get|go)\b|let\s+it\s+(?:slide|go)\b|hold\s+off|head\s+(?:out|off|home)"
    r"|go\s+(?:home|to|for|back|out|with)\b|get\s+used\s+to|need\s+to|have\s+(?:a\s+)?think"
    r"|shut\s+up|stop\s+there|leave\s+you\s+to|let\s+(?:that|this)\s+(?:go|slide))",
    _I,
)
# After "let me": requests for information and speech acts happening in the message itself.
_LET_ME_NOT = re.compile(
    r"^(?:know|guess|be\b|see\b|think|explain|clarify|rephrase|tell\s+you|say|just\s+say"
    r"|ask\s+you|remind|introduce|correct|repeat|quote|reiterate|get\s+back\s+to\s+(?:it|work)"
    r"|in\b|go\b|out\b|down\b|summari[sz]e|share\s+my\s+screen|be\s+clear|add\s+that|just\s+add"
    r"|point\s+out|also\s+say|start\s+by|put\s+it\s+this\s+way|play\s+devil)",
    _I,
)
_RESCUE = re.compile(
    r"\band\s+(?:then\s+)?(?:i'?ll\s+|will\s+)?(?P<verb>(?:get\s+back|let\s+you\s+know|send|report"
    r"\s+back|follow\s+up|circle\s+back|update|share|revert|ping|confirm|come\s+back|reply)\b.*)",
    _I,
)
_CONDITION_AFTER = re.compile(r"\b(?:if|provided|assuming|depending\s+on|or\s+not|as\s+long\s+as)\b", _I)
_WORD = re.compile(r"[A-Za-z][\w'-]*")
# Words after a bare "will" that show it is a name or a question, not "(I) will <verb>".
_NOT_AFTER_BARE_WILL = frozenset(
    "is was has had said says and from thinks wants you it that this there they we he she i the a "
    "an someone anyone be be, u ya y'all everyone anybody somebody".split()
)
# "I can" is an offer to own something only with these verbs ("I can take this").
_ICAN_VERB = re.compile(
    r"(?:take|handle|grab|pick\s+(?:it|this|that)?\s*up|own|cover|do|look\s+into"
    r"|take\s+a\s+look|look\s+at|sort|deal\s+with|jump\s+on)\b",
    _I,
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
    r"^(?:-|\s*(?:health|advised|effects?|at|with|today|tonight|and|in|since|lately|all|for|from"
    r"|again|yesterday|this|last|over|but|or|,|\.|!|$))",
    _I,
)
_RELATIVE_BEFORE = re.compile(
    r"\b(?:what|whatever|how|all|if|where|when|anything|something|everything|which|whether)"
    r"\s*$",
    _I,
)
_DOUBLE_QUOTED = re.compile(r'"[^"\n]*"')
_TRAILING_JUNK = re.compile(
    r"(?:[\s,;:.!?~\-)(]|\b(?:then|thanks|thx|ty|ok|okay|lol|too|as\s+well|pls|please|btw"
    r"|and|so|but|by|on|at|before|until|till|in|within|for|around|no\s+later\s+than|from|of"
    r"|sometime|some\s+time|latest|the\s+latest|tops|max))*$",
    _I,
)
_AND_I_WILL = re.compile(r"\band\s+(?:i\s?'\s?ll|i\s+will|will)\s+", _I)
_TAIL_CLAUSE = re.compile(
    r"\s*(?:,\s*(?:ok|okay|k|right|yeah|alright|cool|sound\s+good|sounds\s+good|does\s+that\s+work"
    r"|if\s+that'?s\s+(?:ok|okay|alright|fine)|is\s+that\s+ok|if\s+that\s+works)\b.*$)",
    _I,
)


def _clause_initial(prefix: str, sentence: str) -> bool:
    """True when nothing but interjections precede the cue in its clause."""
    if _CLAUSE_START.search(prefix):
        return True
    # "I'm swamped but will send it later": the subject of the first clause is "I".
    return bool(_AND_BEFORE.search(prefix) and _FIRST_PERSON_START.search(sentence))


def _is_question(sentence: str) -> bool:
    s = sentence.rstrip()
    if s.endswith("?") and not _TAG_QUESTION.search(s):
        return True
    return bool(_QUESTION_START.search(s))


def _vet_action(rest: str) -> str | None:
    """Return the promised action (verb phrase) or None when it is not an action."""
    rest = _FILLER.sub("", rest.lstrip(" ,"))
    if not rest or _HEDGE_AFTER.search(rest):
        return None
    if _NOT_AN_ACTION.search(rest):
        rescued = _RESCUE.search(rest)
        return rescued.group("verb") if rescued else None
    return rest


def _condition_after(rest: str) -> bool:
    return any(not _POLITE_IF.match(rest, m.start()) for m in _CONDITION_AFTER.finditer(rest))


def _blocked_before(prefix: str) -> bool:
    if _NEGATION_BEFORE.search(prefix) or _PAST_BEFORE.search(prefix):
        return True
    for m in _CONDITION_BEFORE.finditer(prefix):
        if not _POLITE_IF.match(prefix, m.start()):
            return True
    tail = prefix[-40:]
    return bool(_HEDGE_BEFORE.search(tail))


def tidy_what(what: str) -> str:
    """Strip tag questions, trailing prepositions, fillers and punctuation from an action."""
    what = _AND_I_WILL.sub("and ", what)  # "talk to finance and I'll get back to you"
    what = _TAIL_CLAUSE.sub("", what)
    what = _TRAILING_JUNK.sub("", what)
    return " ".join(what.split())


def _vet_cue(m: re.Match[str], sentence: str, masked: str) -> tuple[str, bool, int] | None:
    """Vet one cue match; return (what, strong, start of the action) or None."""
    kind = m.lastgroup
    prefix = sentence[: m.start()]
    rest = sentence[m.end() :]
    if masked[m.start()] == "\0":
        return None  # inside "double quotes": somebody else's words
    if _blocked_before(prefix):
        return None
    if kind == "ill":
        cue = m.group(0).lower()
        if not rest.strip(" .!,") and cue != "ill" and _clause_initial(prefix, sentence):
            return ("will do", False, m.start())  # "Will you send it?" "ok, I will."
        if cue == "ill" and (
            _ILL_BEFORE_SICK.search(prefix) or _ILL_AFTER_SICK.search(rest) or m.group(0) == "ILL"
        ):
            return None
    elif kind in ("bare_will", "bare_gonna"):
        if not _clause_initial(prefix, sentence):
            return None
        nxt = _WORD.match(rest.lstrip())
        if kind == "bare_will":
            if nxt is None:
                return None
            word = nxt.group(0).lower()
            if word in _NOT_AFTER_BARE_WILL or word.endswith("'s"):
                return None
            if word == "do" and re.match(r"\s*do\b\s*(?:[,.!:;)~-]|$)", rest, _I):
                return ("will do", False, m.start())  # "Will do, I'll send it later"
    elif kind == "goingto":
        pass
    elif kind == "letme":
        if not _clause_initial(prefix, sentence):
            return None
        if _LET_ME_NOT.search(_FILLER.sub("", rest.lstrip(" ,"))):
            return None
    elif kind == "ican":
        if _RELATIVE_BEFORE.search(prefix):
            return None  # "I'll see what I can do": a relative clause, not an offer
        if not _ICAN_VERB.match(_FILLER.sub("", rest.lstrip())):
            return None
    elif kind == "onit":
        if not m.group(0).lower().startswith(("i", "im")) and not _clause_initial(prefix, sentence):
            return None
        if re.match(r"\s*\w", rest) and not re.match(
            r"\s*(?:now|already|boss|asap|right\s+away|today|thanks?|then|too|and|,)", rest, _I
        ):
            return None  # "on it" inside a longer phrase ("spend time on it before ...")
        return (" ".join(m.group(0).lower().split()), False, m.start())
    elif kind == "leave":
        if "got this" in m.group(0).lower() or m.group(0).lower() == "can do":
            if not _clause_initial(prefix, sentence) and not _FIRST_PERSON_START.search(m.group(0)):
                return None
            if m.group(0).lower() == "can do" and re.match(r"\s*\w", rest):
                return None
        return (" ".join(m.group(0).lower().split()), False, m.start())

    if _condition_after(rest):
        return None
    action = _vet_action(rest)
    if action is None:
        return None
    if kind == "goingto" or kind == "bare_gonna":
        # "going to the office", "gonna be late": a place or a state
        first = _WORD.match(action)
        if first is None or first.group(0).lower() in _NOT_AFTER_GOING_TO:
            return None
        if first.group(0)[0].isupper():
            return None  # "going to Paris": a proper noun, so a place
    what = tidy_what(action)
    if not what:
        return None
    return what, True, len(sentence) - len(action)


def find_commitment(text: str) -> Commitment | None:
    """Find the author's first commitment in cleaned ``text``.

    >>> find_commitment("Thanks! I'll send the deck tomorrow")
    Commitment(what='send the deck tomorrow', sentence=1, strong=True, start=5)
    """
    if _GLOBAL_HEDGE.search(text):
        return None
    weak: Commitment | None = None
    for index, sentence in enumerate(split_sentences(text)):
        if not PREFILTER.search(sentence) or _is_question(sentence):
            continue
        masked = _DOUBLE_QUOTED.sub(lambda q: "\0" * len(q.group(0)), sentence)
        for m in _CUE.finditer(sentence):
            got = _vet_cue(m, sentence, masked)
            if got is None:
                continue
            what, strong, start = got
            if strong:
                return Commitment(what, index, True, start)
            if weak is None:
                weak = Commitment(what, index, False, start)
    return weak
