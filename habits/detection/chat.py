"""Promises chat makes without an "I'll": thread replies, progressive "now", team and "you'll"
promises, incident updates and action-item lists.

``intent.find_commitment`` reads the cues that start with the author ("I'll", "let me", "on it");
this module reads the forms it does not, each with a closed pattern anchored at the start of a
sentence (or a line, for lists), so every rule costs time linear in the sentence:

* a bare acceptance as the whole reply: "mine", "sure, mine", "dibs", "I got it", "taking this
  one", "I'm IC", "ack";
* a progressive work verb at the start of a clause with "now", a deadline or nothing after it:
  "deploying the hotfix now", "reviewing it this morning", "checking";
* "glad/happy/keen to take …";
* a delivery told from the other side or by the team, with a deadline: "you'll get the draft
  before lunch", "we'll have the fix out by Tuesday", "the summary will come from me tomorrow",
  "expect it from me by tmrw";
* a deadline with a pledge and nothing else: "EOD latest from my end", "Fri EOD, you have my word";
* incident talk: "next update in 30 min", "ETA 20 mins", "back with an update in an hour";
* "<thing> is on me" for a piece of work ("the release is on me", not "the drinks are on me");
* action items assigned to the author: "- me: the pricing slide by Thu", "AI: me to follow up",
  "comms: me".

Each rule says what was promised; the due date is found by the caller (habits.detection).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from habits.detection.intent import Sentences, is_question, reported, split_sentences

__all__ = ["CHAT_PREFILTER", "ChatPromise", "chat_cue", "find_chat_promise"]

_I = re.I

_LEAD = (
    r"(?:(?:ok(?:ay)?|kk?|sure(?:\s+thing)?|yes|yep|yup|yeah|ya|np|no\s+worries|no\s+dramas|no\s+probs?"
    r"|cool|alright|got\s+it|gotcha|ack|roger(?:\s+that)?|copy(?:\s+that)?|noted|fine|will\s+do"
    r"|one\s+sec|sec|gimme\s+(?:a\s+)?(?:sec|min|\d+)|give\s+me\s+(?:a\s+)?(?:sec|min|\d+)(?:\s+mins?)?"
    r"|hang\s+(?:on|tight)|on\s+it|done|thanks|thx|ty|oh|ah|hey|hi|so|right|perfect|great|nice"
    r"|from\s+my\s+(?:end|side))[\s,!.:]+)"
)
_TRAIL = r"[\s,.!:;)~]*(?:thanks|thx|ty|cheers|boss|all)?[\s,.!~]*$"

# Whole-reply acceptances. "ack" and "10-4" only alone: "ack, thanks" acknowledges a message.
_ACCEPT = re.compile(
    rf"^{_LEAD}*(?P<what>mine|me|dibs(?:\s+on\s+(?:this|it|that)(?:\s+one)?)?"
    r"|i(?:'ve|\s+have)?\s+got\s+(?:it|this|that)(?:\s+one)?|got\s+(?:this|that)\s+one"
    r"|(?:i'?m\s+|im\s+|i\s+am\s+)?(?:taking|grabbing|owning|handling|picking\s+up|jumping\s+on"
    r"|looking\s+into|on)\s+(?:it|this|that)(?:\s+one)?"
    r"|(?:i'?m\s+|im\s+|i\s+am\s+)?picking\s+(?:it|this|that)(?:\s+one)?\s+up"
    r"|(?:i'?m\s+|im\s+|i\s+am\s+)?taking\s+(?:notes|comms|ic|point|the\s+ticket|the\s+action)"
    r"|(?:i'?m\s+|im\s+|i\s+am\s+)(?:the\s+)?(?:ic|incident\s+commander|scribe|on\s+comms)"
    r"|(?:checking|looking|investigating|digging\s+in)(?:\s+(?:now|it|this|that))?)" + _TRAIL,
    _I,
)
_ALONE = re.compile(r"^(?P<what>ack|10-4)[\s.!]*$", _I)

_ING = (
    r"deploying|writing|sending|uploading|restarting|kicking\s+off|running|looking|checking|fixing"
    r"|reverting|rebasing|drafting|jumping\s+on|merging|approving|paging|escalating|failing\s+over"
    r"|draining|testing|sharing|updating|preparing|submitting|finishing|pushing|shipping"
    r"|rolling\s+(?:back|out)|reaching\s+out|wrapping\s+up|doing|reviewing|picking|taking"
    r"|investigating|calling|ringing|emailing|posting|publishing|releasing|building|patching"
    r"|restoring|rotating|cleaning\s+up|setting\s+up|spinning\s+up|triaging|digging\s+into"
    r"|digging|following\s+up|replying|responding|filing|raising|opening|closing|booking|scheduling"
    r"|sorting|handling|chasing|putting\s+together|bumping|retrying|rerunning|redeploying|rebooting"
)
# Over the raw message: without one of these words (or a word ending in -ing, see chat_cue)
# none of the rules below can match.
CHAT_PREFILTER = re.compile(
    r"(?=[mdga1hkwpsyefluiMDGAHKWPSYEFLUI])\b(?:mine|me|dibs|got|ack|10-4|glad|happy|keen|willing|pleased"
    r"|stoked|delighted|you'?ll|you\s+will|you&#39;ll|expect|we|from\s+(?:me|my)|latest|promised?|word"
    r"|swear|guaranteed|update|eta|ic|for\s+sure|myself|will\s+(?:be|come))\b",
    _I,
)
_ING_END = re.compile(r"ing\b", _I)


def chat_cue(text: str) -> bool:
    """Whether one of this module's rules could match ``text`` (a cheap test, raw text)."""
    return _ING_END.search(text) is not None or CHAT_PREFILTER.search(text) is not None
_PROGRESSIVE = re.compile(
    rf"^{_LEAD}*(?:(?:i'?m|im|i\s+am|am|currently|just|now)\s+)*(?P<what>(?:{_ING})\b.*)$", _I
)
# Not work in progress: "running late", "doing great", "taking a break", "grabbing lunch".
_NOT_PROGRESS = re.compile(
    r"(?:running\s+late|running\s+behind|doing\s+(?:great|good|well|ok|okay|fine|alright|better|nothing)"
    r"|taking\s+(?:a\s+break|a\s+day|the\s+day|time|off|pto|leave|lunch|a\s+walk|a\s+call|a\s+sec)"
    r"|looking\s+(?:forward|good|great|fine|ok|okay|at\s+(?:you|flights|houses))"
    r"|calling\s+it|closing\s+(?:my|the)\s+laptop|booking\s+(?:my|a)\s+(?:holiday|flight|vacation)"
    r"|testing\s*(?:,|$|1|123|please)|building\s+(?:a\s+)?(?:house|lego))",
    _I,
)
# "merging is blocked by CI": the -ing word is the subject, nobody is doing anything.
_GERUND_SUBJECT = re.compile(
    rf"(?:{_ING})(?:\s+(?:it|this|that|the\s+\w+))?\s+(?:is|was|has|isn't|wasn't|'s|are|will|would"
    r"|should|can|seems|looks|takes|took|makes|sounds)\b",
    _I,
)
_NOW_WORD = re.compile(r"\b(?:now|rn|right\s+now|atm|as\s+we\s+speak|asap)\b", _I)
# A deadline word, for the forms that are only promises with one ("we'll ship it Friday").
_DUE_WORD = re.compile(
    r"\b(?:by|before|until|till|tomorrow|tmrw|tmr|tomorow|tomoz|today|tonight|eod|cob|eow|asap"
    r"|this\s+(?:morning|afternoon|arvo|evening|week)|next\s+week|end\s+of|after\s+lunch|later\s+today"
    r"|in\s+(?:\d+|an?|one|two|three|a\s+few|a\s+couple)\s+(?:mins?|minutes?|hours?|hrs?|days?|weeks?)"
    r"|in\s+\d+|mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|sat"
    r"|saturday|sun|sunday|\d{1,2}(?::\d\d)?\s*(?:am|pm)|\d{1,2}[./]\d{1,2})\b",
    _I,
)
_STANDALONE_ING = re.compile(
    r"^(?:checking|looking|fixing|investigating|sending|on\s+it|digging\s+in)\b", _I
)
_WORK_OBJECT_START = re.compile(r"\s*(?:$|[,.!]|(?:it|this|that|them|now|rn)\b)", _I)

_GLAD = re.compile(
    rf"^{_LEAD}*(?:(?:i'?m|i\s+am|i'?d\s+be|i\s+would\s+be|more\s+than|really|very|super|totally)\s+)*"
    r"(?:glad|happy|keen|willing|pleased|stoked|delighted)\s+to\s+(?P<what>(?:take|pick|own|grab|handle"
    r"|lead|drive|run|do|cover|look\s+into|jump\s+on|review|write|draft|chase|sort|tackle|step\s+in)\b.*)$",
    _I,
)

# "you'll get the draft before lunch": what arrives, by when; "from me" or a deadline needed.
_YOU_GET = re.compile(
    r"(?:^|[,;]\s*|\b(?:and|so|tomorrow|tmrw|today|tonight)\s+)(?:you(?:'ll|\s+will)\s+(?:get|have|receive)|you\s+can\s+expect|expect)"
    r"\s+(?P<what>(?:it|this|that|them|my|the|our|a\s+(?:draft|first|copy|version|fix|patch|reply"
    r"|response|answer|summary|proposal|quote|update|review|report))\b)",
    _I,
)
_OTHER_SENDER = re.compile(r"\bfrom\s+(?!me\b|my\b|us\b|our\b)\w+", _I)
_FROM_ME = re.compile(r"\bfrom\s+(?:me|my\s+(?:end|side))\b", _I)

_WE = re.compile(
    r"(?:^|[,;]\s*)(?:tomorrow\s+|today\s+|tonight\s+)?we(?:'ll|\s+will|'re\s+going\s+to|\s+are\s+going\s+to"
    r"|\s+shall|'re|\s+are)\s+(?P<what>(?:(?:have|get)\s+(?:it|this|that|them|the|a|an|our)\b[^,;]{0,60}?"
    r"\b(?:out|ready|done|fixed|deployed|over|across|sorted|live|up|to\s+you|in|shipped|merged)\b"
    r"|ship|release|deploy|deliver|send|share|push|roll\s+out|launch|publish|finish|complete|submit"
    r"|provide|patch|fix|shipping|releasing|deploying|delivering|sending|pushing|launching|rolling\s+out"
    r"|sharing|fixing)\b)",
    _I,
)
_PENDING = re.compile(
    r"\b(?:pending|if|unless|assuming|depending|hopefully|probably|maybe|might|may|once|should|tbc"
    r"|tentatively|fingers\s+crossed|apparently|supposedly|i\s+heard|rumou?r|nobody\s+told)\b",
    _I,
)

_FROM_ME_WILL = re.compile(
    r"^(?:the|my|your|our|a|an)\b[^,;]{0,60}?\bwill\s+(?:come|be\s+coming)\s+from\s+me\b"
    r"|^(?:the|my|your|our)\b[^,;]{0,60}?\bwill\s+be\s+(?:with\s+you|in\s+your\s+inbox|on\s+your\s+desk"
    r"|over\s+to\s+you|your\s+way)\b",
    _I,
)

# "EOD latest from my end", "by mon latest", "Fri EOD, you have my word".
_DEADLINE_TOKEN = (
    r"(?:eod|cob|eob|eow|today|tonight|tomorrow|tmrw|tmr|tomorow|tomoz|mon|monday|tue|tues|tuesday"
    r"|wed|wednesday|thu|thur|thurs|thursday|fri|friday|next\s+week|this\s+week|end\s+of\s+(?:day|week)"
    r"|first\s+thing|morning|am|noon|\d{1,2}(?::\d\d)?\s*(?:am|pm)?)"
)
_PLEDGE = re.compile(
    rf"^(?:by\s+)?{_DEADLINE_TOKEN}(?:[\s,]+(?:by\s+|the\s+)?{_DEADLINE_TOKEN}){{0,3}}[\s,]*"
    r"(?:(?:latest|at\s+the\s+latest|max|tops)[\s,]*)?"
    r"(?P<pledge>from\s+(?:my\s+(?:side|end)|me)|promise[ds]?|for\s+sure|you\s+have\s+my\s+word"
    r"|pinky\s+swear|guaranteed|latest|at\s+the\s+latest)[\s.!]*$",
    _I,
)

_UPDATE = re.compile(
    r"(?:^|[,;:]\s*)(?P<what>(?:next\s+update|update|back\s+with\s+(?:an\s+)?update|eta:?)"
    r"\s+(?:in|at|by|within|around|~|\d))",
    _I,
)

_ON_ME = re.compile(
    r"^(?:the\s+|this\s+|that\s+)?(?P<what>deploy(?:ment)?|release|rollout|roll-out|fix|migration"
    r"|review|comms|demo|write-?up|postmortem|post-mortem|retro|handover|rollback|patch|follow-?up"
    r"|invite|agenda|notes|recap|rca|hotfix|upgrade|cutover)(?:\s+\w+)?\s+(?:is|'s)\s+on\s+me\b",
    _I,
)

# Action items, read line by line.
_ITEM_ME = re.compile(
    r"^\W*(?:\d+[.)]\s*)?(?:@?me|myself)\s*(?::|[-–—])\s*(?:to\s+)?(?P<what>\w.*)$"
    r"|^\W*(?:ai|action\s+items?|todo|to-?do|next\s+step)s?\s*:\s*(?:@?me|myself)\s+to\s+(?P<w2>\w.*)$"
    r"|^\W*(?:ai|action\s+items?|todo)s?\s+for\s+me\s*:\s*(?P<w3>\w.*)$",
    _I,
)
_LIST_MARK = re.compile(r"^\s*(?:[-*•–]|\d+[.)])", _I)
_ROLE_ME = re.compile(r"^\W*(?P<role>[A-Za-z][\w /&-]{0,30}?)\s*:\s*(?:@?me|myself)[\s.!]*$", _I)


@dataclass(frozen=True, slots=True)
class ChatPromise:
    """A promise found by one of this module's rules."""

    what: str  # what was promised, as said ("deploying the hotfix now", "mine")
    sentence: str  # the sentence (or list line) it was said in: its due phrase is there
    later: tuple[str, ...]  # the sentences after it ("On it. ETA 20 mins")
    strong: bool  # a verb phrase, not a bare acceptance


def _progressive(sentence: str) -> str | None:
    m = _PROGRESSIVE.match(sentence)
    if m is None:
        return None
    what = m.group("what")
    if _NOT_PROGRESS.match(what) or _GERUND_SUBJECT.match(what):
        return None
    verb_end = re.match(rf"(?:{_ING})\b", what, _I)
    rest = what[verb_end.end() :] if verb_end else what
    if _NOW_WORD.search(what) or _DUE_WORD.search(what):
        return what
    if _STANDALONE_ING.match(what) and _WORK_OBJECT_START.match(rest):
        return what
    return None


def _sentence_rule(sentence: str) -> tuple[str, bool] | None:
    if (m := _ACCEPT.match(sentence)) or (m := _ALONE.match(sentence)):
        return m.group("what"), False
    if (what := _progressive(sentence)) is not None:
        return what, True
    if m := _GLAD.match(sentence):
        return m.group("what"), True
    low = sentence.lower()
    m = _YOU_GET.search(sentence) if "you" in low or "expect" in low else None
    if (
        m is not None
        and not _OTHER_SENDER.search(sentence, m.start("what"))
        and (_FROM_ME.search(sentence) or _DUE_WORD.search(sentence))
    ):
        return sentence[m.start("what") :], True
    if "we" in low and (m := _WE.search(sentence)) and _DUE_WORD.search(sentence) and not _PENDING.search(
        sentence
    ):
        return sentence[m.start("what") :], True
    if _FROM_ME_WILL.match(sentence):
        return sentence, True
    if _PLEDGE.match(sentence):
        return sentence, False
    if ("update" in low or "eta" in low) and (m := _UPDATE.search(sentence)):
        return sentence[m.start("what") :], True
    if m := _ON_ME.match(sentence):
        return m.group("what"), True
    return None


def find_chat_promise(text: str, cut: Sentences | None = None) -> ChatPromise | None:
    """The author's first promise in cleaned ``text`` by this module's rules, or None; ``cut``,
    if given, is ``Sentences(text)``, as far as another reader has cut it.

    >>> find_chat_promise("deploying the hotfix now").what
    'deploying the hotfix now'
    >>> find_chat_promise("Action items:\\n- Sam: runbook\\n- me: the pricing slide by Thu").what
    'the pricing slide by Thu'
    """
    lines = text.split("\n")
    for line in lines:
        if "me" not in line.lower():
            continue
        if (m := _ITEM_ME.match(line)) is not None:
            what = m.group("what") or m.group("w2") or m.group("w3")
            # "me: confused" is a mood; an item is in a list, or says what is to be done
            if len(lines) > 1 or _LIST_MARK.match(line) or " " in what.strip():
                return ChatPromise(what, line, (), True)
        if (m := _ROLE_ME.match(line)) is not None and not reported(line):
            return ChatPromise(m.group("role"), line, (), True)
    sentences = split_sentences(text) if cut is None else cut.all()
    for index, sentence in enumerate(sentences):
        if not chat_cue(sentence) or is_question(sentence) or reported(sentence):
            continue
        found = _sentence_rule(sentence)
        if found is not None:
            return ChatPromise(found[0], sentence, tuple(sentences[index + 1 :]), found[1])
    return None
