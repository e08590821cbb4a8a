"""Turn Slack / Teams / console chat markup into plain text.

Quoted lines and code are *removed* rather than unwrapped: a promise quoted from
somebody else, or an ``I'll`` inside a code sample, is never the author's promise.
Mentions are kept (rendered readably) and their platform ids are collected, so the
intent layer can tell who a promise was made to.

Every step is linear in the length of the text (docs/detection.md, "Cost"): a pattern that
would scan to the end of the text once per opening tag (an unclosed ``<pre>`` repeated) is
only tried where the closing it needs exists, and every whitespace run becomes one
character, so the later stages never backtrack over long runs of spaces.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Callable

__all__ = ["clean_markup", "clean_with_mentions", "is_tidy", "sarcastic"]

# Markers used internally for mentions while the rest of the text is cleaned; they never survive
# into the returned text (and are removed from what people send before cleaning starts). ASCII
# control characters, so that a text whose only non-ASCII characters they would be stays ASCII
# and the emoji step is skipped; no pattern here reads them other than as a non-word character,
# and html.unescape drops them when typed as "&#2;".
_M_OPEN = "\x02"
_M_CLOSE = "\x03"

_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
# Teams sends quotes, replies and code as HTML blocks.
_HTML_DROP = re.compile(
    r"<(blockquote|pre|code|strike|del|s)\b[^>]*>.*?</\1\s*>"
    r"|<div[^>]*itemtype=\"[^\"]*schema\.skype\.com/Reply\"[^>]*>.*?</div>",
    re.S | re.I,
)
_TEAMS_AT = re.compile(r"<at\b[^>]*>(.*?)</at\s*>", re.S | re.I)
_HTML_BREAK = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li|p|div|li)\b[^>]*>", re.I)
# Where those three can start, and what each start needs further on (see _sub_where). On a text
# of at most _SHORT characters the three patterns are used as they are: whatever they do per
# opening tag is then bounded by a small constant, and they are faster there.
_SHORT = 256
_DROP_START = re.compile(r"<(?:(blockquote|pre|code|strike|del|s)\b|div)", re.I)
_DROP_CLOSE = {
    name: re.compile(rf"</{name}\s*>", re.I) for name in ("blockquote", "pre", "code", "strike", "del", "s")
}
# Slack strike-through, "~I'll do it today~ can't, sorry": words taken back, not said.
_STRIKE = re.compile(r"(?<![\w~])~(?=[^\s~])[^~\n]*(?<=[^\s~])~(?![\w~])")
# Tone: an eye-roll or upside-down face makes "sure, I'll do it by yesterday" a joke.
_SARCASM_EMOJI = ("\U0001f644", "\U0001f643", "\U0001f612")
_SARCASM_CODE = re.compile(
    r":(?:roll_?eyes|eye_?roll|face_with_rolling_eyes|upside_down(?:_face)?|unamused):"
)
# "/s" and "sarcasm" as words; apart, and each lookbehind written after its literal, so that each
# scan skips to "/s" or "sarcasm" instead of stopping at every "/" (links) or "s" of the text.
_SARCASM_SLASH = re.compile(r"/s(?<!\w/s)\b")
_SARCASM_WORD = re.compile(r"sarcasm(?<!\wsarcasm)\b")
_DIV_CLOSE = re.compile(r"</div>", re.I)
_REPLY_ATTR = re.compile(r'itemtype="', re.I)
_REPLY_VALUE_END = re.compile(r'schema\.skype\.com/Reply"', re.I)
_AT_START = re.compile(r"<at\b", re.I)
_AT_CLOSE = re.compile(r"</at\s*>", re.I)
_BREAK_START = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li|p|div|li)\b", re.I)
_HTML_TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^<>]*>", re.I)
# Slack "mrkdwn" angle-bracket entities: <@U123|name>, <#C1|general>, <!here>, <url|label>; a
# link is a target with "://" or a mailto:/tel: one. Anything else in angle brackets ("a <b> c"
# typed by someone, a stray HTML tag) is not one and stays as typed. The lookahead reads at most
# to the next bracket, bar or space, so no two of its scans overlap.
_SLACK_ENTITY = re.compile(r"<(?:([@#!])|(?=mailto:|tel:|[^<>|\s]*?://))([^<>|\s]+)(?:\|([^<>]*))?>")
_QUOTE_LINE = re.compile(r"^[ \t]*(?:>|&gt;).*$", re.M)
# Its start, asked once per line (_drop_quote_lines): "^" with re.M is tried at every position.
_QUOTE_START = re.compile(r"[ \t]*(?:>|&gt;)")
# (?<![\w:]) before the colon, written after it (as (?<![\w:]:)) so the scan looks for ":" only.
_SHORTCODE = re.compile(r":(?<![\w:]:)[a-z_+\-][a-z0-9_+\-']*:(?::skin-tone-\d:)?", re.I)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3"
    "\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]+"
)
# _EMOJI only within runs of non-ASCII characters (_drop_emoji): one range to test per character
# is cheaper than _EMOJI's seven, and most characters of a long message are ASCII.
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# (?<![\w.@/]) before the "@", written after it (as (?<![\w.@/]@)) so the scan looks for "@" only.
_CONSOLE_MENTION = re.compile(r"@(?<![\w.@/]@)([A-Za-z0-9][\w.\-]*[\w]|[A-Za-z0-9])")
_BROADCAST = frozenset({"here", "channel", "everyone"})
_MARKED = re.compile(_M_OPEN + "([^" + _M_CLOSE + "]*)" + _M_CLOSE)
# Both in one pass; each alternative starts with a literal, so the scan skips to a marker or "@"
# (with the lookbehind first, the combined pattern was tried at every position).
_ANY_MENTION = re.compile(_MARKED.pattern + "|" + _CONSOLE_MENTION.pattern)
# Every run of whitespace becomes one space, or one line break if it holds one. After _SPACES no
# run without a line break is longer than one character, so _BLANK_LINES never backtracks far.
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
_QUOTE_PAIRS = (("’", "'"), ("‘", "'"), ("´", "'"), ("“", '"'), ("”", '"'))
# Cheap test: only run the markup regexes when a character that can start markup occurs.
_NEEDS_WORK = re.compile(r"[<>&`:@~\u2600-\u27bf\ufe0f\u200d\U0001f000-\U0001faff’‘“”´\u00a0]")


class _Next:
    """The first index of ``char`` at or after a position, remembering the last answer so that
    asking again from anywhere up to it costs nothing (the questions mostly move forward)."""

    __slots__ = ("_asked", "_char", "_found", "_text")

    def __init__(self, text: str, char: str) -> None:
        self._text, self._char, self._asked, self._found = text, char, len(text) + 1, -1

    def at(self, pos: int) -> int:
        """Index of the first ``char`` at or after ``pos``; -1 if there is none."""
        if not (self._asked <= pos and (pos <= self._found or self._found == -1)):
            self._asked, self._found = pos, self._text.find(self._char, pos)
        return self._found


class _Starts:
    """Sorted start offsets of a pattern's matches, built on first use."""

    __slots__ = ("_pattern", "_starts", "_text")

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self._pattern, self._text = pattern, text
        self._starts: list[int] | None = None

    def exists_from(self, pos: int) -> bool:
        starts = self._starts
        if starts is None:
            starts = self._starts = [m.start() for m in self._pattern.finditer(self._text)]
        return bisect_left(starts, pos) < len(starts)


def _sub_where(pattern: re.Pattern[str], text: str, repl: Callable[[re.Match[str]], str],
               start: re.Pattern[str], plausible: Callable[[re.Match[str]], bool]) -> str:
    """``pattern.sub(repl, text)``, trying ``pattern`` only where ``start`` matches and
    ``plausible`` says the rest can be there. ``start`` must match wherever ``pattern`` can,
    and ``plausible`` may only rule out starts where ``pattern`` cannot match, so the result
    is the same; but an opening that is never closed is no longer scanned to the end once
    per occurrence."""
    out: list[str] = []
    done = pos = 0
    while (head := start.search(text, pos)) is not None:
        at = head.start()
        found = pattern.match(text, at) if plausible(head) else None
        if found is None or found.end() == at:
            pos = at + 1
            continue
        out.append(text[done:at])
        out.append(repl(found))
        done = pos = found.end()
    out.append(text[done:])
    return "".join(out)


def _drop_html_blocks(text: str) -> str:
    """``_HTML_DROP.sub("\n", text)`` in time linear in the length of ``text``."""
    if _DROP_START.search(text) is None:
        return text
    gt = _Next(text, ">")
    after_gt = _Next(text, ">")
    quote = _Next(text, '"')
    closes = {name: _Starts(pattern, text) for name, pattern in _DROP_CLOSE.items()}
    div_closes = _Starts(_DIV_CLOSE, text)
    replies: list[int] | None = None

    def reply_attributes() -> list[int]:
        # Where `itemtype="…schema.skype.com/Reply"…>` … `</div>` could be completed.
        found = []
        for m in _REPLY_ATTR.finditer(text):
            q = quote.at(m.end())
            if q - 22 < m.end() or _REPLY_VALUE_END.match(text, q - 22) is None:
                continue
            end = after_gt.at(q + 1)
            if end != -1 and div_closes.exists_from(end + 1):
                found.append(m.start())
        return found

    def plausible(head: re.Match[str]) -> bool:
        nonlocal replies
        name = head.group(1)
        tag_end = gt.at(head.end())
        if name is not None:
            close = closes.get(name.lower())
            return tag_end != -1 and (close is None or close.exists_from(tag_end + 1))
        if replies is None:
            replies = reply_attributes()
        i = bisect_left(replies, head.end())
        return i < len(replies) and (tag_end == -1 or replies[i] < tag_end)

    return _sub_where(_HTML_DROP, text, lambda _m: "\n", _DROP_START, plausible)


def _teams_mentions(text: str) -> str:
    """``_TEAMS_AT.sub(_teams_mention, text)`` in linear time."""
    gt = _Next(text, ">")
    closes = _Starts(_AT_CLOSE, text)

    def plausible(head: re.Match[str]) -> bool:
        tag_end = gt.at(head.end())
        return tag_end != -1 and closes.exists_from(tag_end + 1)

    return _sub_where(_TEAMS_AT, text, _teams_mention, _AT_START, plausible)


def _html_breaks(text: str) -> str:
    """``_HTML_BREAK.sub("\n", text)`` in linear time."""
    if text.rfind(">") > text.rfind("<"):
        # Every "<" has a ">" after it, so each try of the pattern ends at the next ">" (and
        # a match is skipped past as a whole): the plain pattern is linear, and faster.
        return _HTML_BREAK.sub("\n", text)
    gt = _Next(text, ">")
    return _sub_where(_HTML_BREAK, text, lambda _m: "\n", _BREAK_START,
                      lambda head: gt.at(head.end()) != -1)


def _slack_entity(match: re.Match[str]) -> str:
    sigil, target, label = match.group(1), match.group(2), match.group(3)
    if sigil == "@":
        shown = f"@{label}" if label else f"@{target}"
        return f"{_M_OPEN}{target}\x1f{shown}{_M_CLOSE}"
    if sigil == "#":
        return f"#{label or target}"
    if sigil == "!":
        # <!here>, <!subteam^S1|@team>, <!date^...|fallback text>
        if label:
            return label
        return "@" + target.split("^", 1)[0]
    return label if label else target  # a link: what it says, or where it goes


def _teams_mention(match: re.Match[str]) -> str:
    name = html.unescape(_HTML_TAG.sub("", match.group(1))).strip()
    return f"{_M_OPEN}{name}\x1f{name}{_M_CLOSE}" if name else ""


def clean_with_mentions(text: str) -> tuple[str, tuple[str, ...]]:
    """Clean ``text`` and return it with the user mention ids found, in order, deduplicated.

    >>> clean_with_mentions("<@U1|ann> I'll send it to <at>Priya Das</at> :rocket:")
    ("@ann I'll send it to Priya Das", ('U1', 'Priya Das'))
    """
    if not _NEEDS_WORK.search(text):
        return _tidy(text), ()
    if _M_OPEN in text or _M_CLOSE in text:
        text = text.replace(_M_OPEN, "").replace(_M_CLOSE, "")  # ours alone mark mentions
    if "`" in text:
        text = _FENCE.sub("\n", text)
        text = _INLINE_CODE.sub(" ", text)
    if "~" in text:
        text = _STRIKE.sub(" ", text)
    if "<" in text:
        if len(text) <= _SHORT:  # the plain patterns: the same result, and faster when short
            text = _HTML_DROP.sub("\n", text)
            text = _TEAMS_AT.sub(_teams_mention, text)
            text = _HTML_BREAK.sub("\n", text)
        else:
            text = _drop_html_blocks(text)
            text = _teams_mentions(text)
            text = _html_breaks(text)
        text = _SLACK_ENTITY.sub(_slack_entity, text)
        text = _HTML_TAG.sub(" ", text)
    if ">" in text:
        text = _drop_quote_lines(text)
    if "&" in text:
        text = html.unescape(text)
        # "&gt; quoted" only becomes recognisable as a quote after unescaping.
        text = _drop_quote_lines(text)
    for curly, plain in _QUOTE_PAIRS:  # str.replace is far faster than translate on long text
        if curly in text:
            text = text.replace(curly, plain)
    text = _SHORTCODE.sub(" ", text)
    if not text.isascii():
        text = _drop_emoji(text)

    mentions: list[str] = []
    if "@" in text or _M_OPEN in text:

        def collect(m: re.Match[str]) -> str:
            if m.group(1) is not None:
                ident, found, shown = m.group(1).partition("\x1f")
                if not found:  # a mention inside a Teams <at>: no id of its own
                    shown = ident
            else:
                ident = m.group(2)
                shown = m.group(0)
                if ident.lower() in _BROADCAST:
                    return shown
            if ident and ident not in mentions:
                mentions.append(ident)
            return shown

        text = _ANY_MENTION.sub(collect, text)
        if _M_OPEN in text or _M_CLOSE in text:  # left over by a mention inside a mention
            text = text.replace(_M_OPEN, "").replace(_M_CLOSE, "")
    return _tidy(text), tuple(mentions)


def _drop_quote_lines(text: str) -> str:
    """``_QUOTE_LINE.sub("", text)``, a line at a time: a quoted line is emptied, its break kept."""
    quoted = _QUOTE_START.match
    return "\n".join(["" if quoted(line) else line for line in text.split("\n")])


def _drop_emoji(text: str) -> str:
    """``_EMOJI.sub(" ", text)``: every character _EMOJI matches is non-ASCII, so each of its
    matches lies inside one run of non-ASCII characters, and is found there. A run lies inside
    the stretch of consecutive _CHUNK-character pieces that are not all ASCII, so only those
    stretches are scanned (str.isascii runs at memory speed; a regex scan stops at every
    character)."""
    if len(text) <= 2 * _CHUNK:
        return _NON_ASCII.sub(_drop_emoji_run, text)
    out: list[str] = []
    done = 0  # text[:done] is in out
    start = -1  # where the current stretch of non-ASCII pieces starts, if one is open
    for at in range(0, len(text), _CHUNK):
        if text[at : at + _CHUNK].isascii():
            if start != -1:
                out.append(_EMOJI.sub(" ", text[start:at]))
                done, start = at, -1
        elif start == -1:
            out.append(text[done:at])
            start = at
    if start != -1:
        out.append(_EMOJI.sub(" ", text[start:]))
    else:
        out.append(text[done:])
    return "".join(out)


_CHUNK = 64


def _drop_emoji_run(run: re.Match[str]) -> str:
    return _EMOJI.sub(" ", run.group(0))


def sarcastic(text: str) -> bool:
    """Whether ``text`` (raw, as sent) carries an eye-roll emoji or a "/s": read it as a joke.

    >>> sarcastic("sure, I'll have it done by yesterday 🙄"), sarcastic("I'll send it :+1:")
    (True, False)
    """
    if any(e in text for e in _SARCASM_EMOJI):
        return True
    if ":" in text and _SARCASM_CODE.search(text):
        return True
    return ("/s" in text and _SARCASM_SLASH.search(text) is not None) or (
        "sarcasm" in text and _SARCASM_WORD.search(text) is not None)


def _tidy(text: str) -> str:
    """``_BLANK_LINES.sub("\n", _SPACES.sub(" ", text)).strip()``, with str.split (C speed): each
    whitespace run becomes one space, or one line break if it holds one."""
    global _LAST_TIDY
    if "\n" not in text:
        tidy = " ".join(text.split())
    else:
        tidy = "\n".join(filter(None, [" ".join(line.split()) for line in text.split("\n")]))
    _LAST_TIDY = tidy
    return tidy


# The text _tidy returned last (in any thread): every object that was ever here is tidy.
_LAST_TIDY = ""


def is_tidy(text: str) -> bool:
    """Whether ``text`` is known, without reading it, to be what clean_with_mentions returns: its
    only whitespace is " " and "\n", never two together nor at either end. True only for the
    very string clean_with_mentions returned last; False says nothing."""
    return text is _LAST_TIDY


def clean_markup(text: str) -> str:
    """Return ``text`` as plain text: no markup, quotes, code, emoji or HTML entities.

    Mentions are kept in readable form: Slack ``<@U1|ann>`` becomes ``@ann``
    (``<@U1>`` becomes ``@U1``) and Teams ``<at>Priya Das</at>`` becomes ``Priya Das``.

    >>> clean_markup("<p>On it&nbsp;:rocket:</p>> old quote")
    'On it'
    """
    return clean_with_mentions(text)[0]
