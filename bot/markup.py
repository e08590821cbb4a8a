"""Rapport markup helpers: escape user text, write mentions, find mentioned people."""

from __future__ import annotations

import re

_MENTION = re.compile(r"<@([^>|\s]+)(?:\|[^>]*)?>")


def escape(user_text: str) -> str:
    """Make user text inert: no mentions, links or broadcasts can come out of it.

    >>> escape("<!channel> & <@U1>")
    '&lt;!channel&gt; &amp; &lt;@U1&gt;'
    """
    return user_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def user_text(text: str) -> str:
    """Escape user text but keep its mentions of people (never broadcasts or links).

    >>> user_text("thanks <@U1|sam> for <!here> <https://x|y>")
    'thanks <@U1> for &lt;!here&gt; &lt;https://x|y&gt;'
    """
    out: list[str] = []
    last = 0
    for match in _MENTION.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(mention(match.group(1)))
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mention(user: str) -> str:
    return f"<@{user}>"


def mentioned(text: str) -> list[str]:
    """User ids mentioned in `text`, in order, without repeats.

    >>> mentioned("thanks <@U1|sam> and <@U2> and <@U1>")
    ['U1', 'U2']
    """
    seen: list[str] = []
    for match in _MENTION.finditer(text):
        if match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


def strip_mentions(text: str) -> str:
    """`text` without its mentions and with tidy spaces."""
    return " ".join(_MENTION.sub(" ", text).split())


def plain(text: str) -> str:
    """Rapport markup as plain text, with mentions as @id (the console, logs, notifications)."""
    return unescape(_MENTION.sub(lambda m: f"@{m.group(1)}", text)).replace("*", "")
