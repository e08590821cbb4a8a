"""Turn Slack / Teams / console chat markup into plain text.

Quoted lines and code are *removed* rather than unwrapped: a promise quoted from
somebody else, or an ``I'll`` inside a code sample, is never the author's promise.
Mentions are kept (rendered readably) and their platform ids are collected, so the
intent layer can tell who a promise was made to.
"""

from __future__ import annotations

import html
import re

__all__ = ["clean_markup", "clean_with_mentions"]

# Markers used internally for mentions while the rest of the text is cleaned; they
# are private-use code points that never survive into the returned text.
_M_OPEN = "\ue000"
_M_CLOSE = "\ue001"

_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
# Teams sends quotes, replies and code as HTML blocks.
_HTML_DROP = re.compile(
    r"<(blockquote|pre|code)\b[^>]*>.*?</\1\s*>"
    r"|<div[^>]*itemtype=\"[^\"]*schema\.skype\.com/Reply\"[^>]*>.*?</div>",
    re.S | re.I,
)
_TEAMS_AT = re.compile(r"<at\b[^>]*>(.*?)</at\s*>", re.S | re.I)
_HTML_BREAK = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li|p|div|li)\b[^>]*>", re.I)
_HTML_TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^<>]*>", re.I)
# Slack "mrkdwn" angle-bracket entities: <@U123|name>, <#C1|general>, <!here>, <url|label>.
_SLACK_ENTITY = re.compile(r"<([@#!]?)([^<>|\s]+)(?:\|([^<>]*))?>")
_QUOTE_LINE = re.compile(r"^[ \t]*(?:>|&gt;).*$", re.M)
_SHORTCODE = re.compile(r"(?<![\w:]):[a-z_+\-][a-z0-9_+\-']*:(?::skin-tone-\d:)?", re.I)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3"
    "\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]+"
)
_CONSOLE_MENTION = re.compile(r"(?<![\w.@/])@([A-Za-z0-9][\w.\-]*[\w]|[A-Za-z0-9])")
_BROADCAST = frozenset({"here", "channel", "everyone"})
_MARKED = re.compile(_M_OPEN + "([^" + _M_CLOSE + "]*)" + _M_CLOSE)
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "´": "'", "“": '"', "”": '"'})
# Cheap test: only run the markup regexes when a character that can start markup occurs.
_NEEDS_WORK = re.compile(r"[<>&`:@\u2600-\u27bf\ufe0f\u200d\U0001f000-\U0001faff’‘“”´\u00a0]")


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
    if target.startswith(("http://", "https://", "mailto:", "tel:")) or "://" in target:
        return label if label else target
    # Not a Slack entity (e.g. "a <b> c" typed by someone): keep it as typed.
    return match.group(0)


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
    if "`" in text:
        text = _FENCE.sub("\n", text)
        text = _INLINE_CODE.sub(" ", text)
    if "<" in text:
        text = _HTML_DROP.sub("\n", text)
        text = _TEAMS_AT.sub(_teams_mention, text)
        text = _HTML_BREAK.sub("\n", text)
        text = _SLACK_ENTITY.sub(_slack_entity, text)
        text = _HTML_TAG.sub(" ", text)
    if ">" in text:
        text = _QUOTE_LINE.sub("", text)
    if "&" in text:
        text = html.unescape(text)
        # "&gt; quoted" only becomes recognisable as a quote after unescaping.
        text = _QUOTE_LINE.sub("", text)
    text = text.translate(_QUOTES)
    text = _SHORTCODE.sub(" ", text)
    text = _EMOJI.sub(" ", text)

    mentions: list[str] = []
    if "@" in text or _M_OPEN in text:

        def collect(m: re.Match[str]) -> str:
            if m.group(1) is not None:
                ident, shown = m.group(1).split("\x1f", 1)
            else:
                ident = m.group(2)
                shown = m.group(0)
                if ident.lower() in _BROADCAST:
                    return shown
            if ident and ident not in mentions:
                mentions.append(ident)
            return shown

        text = re.sub(
            _M_OPEN + "([^" + _M_CLOSE + "]*)" + _M_CLOSE + "|" + _CONSOLE_MENTION.pattern,
            collect,
            text,
        )
    return _tidy(text), tuple(mentions)


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _BLANK_LINES.sub("\n", text)
    return text.strip()


def clean_markup(text: str) -> str:
    """Return ``text`` as plain text: no markup, quotes, code, emoji or HTML entities.

    Mentions are kept in readable form: Slack ``<@U1|ann>`` becomes ``@ann``
    (``<@U1>`` becomes ``@U1``) and Teams ``<at>Priya Das</at>`` becomes ``Priya Das``.

    >>> clean_markup("<p>On it&nbsp;:rocket:</p>> old quote")
    'On it'
    """
    return clean_with_mentions(text)[0]
