"""Rapport markup helpers: escape user text, write mentions, find mentioned people.

Every piece of user text Rapport posts goes through `escape` (directly, or via `user_text`):
that one place makes it inert markup and strips the invisible controls that could make it
display other than it reads (habits.text.strip_controls).
"""

from __future__ import annotations

import re

from habits.text import strip_controls

_MENTION = re.compile(r"<@([^>|\s]+)(?:\|[^>]*)?>")


_BARE_AMP = re.compile(r"&(?!(?:lt|gt|amp);)")


def escape(user_text: str) -> str:
    """Make user text inert: no mentions, links or broadcasts can come out of it.

    Text that is already escaped (Slack sends what people type as `&lt;` `&gt;` `&amp;`)
    stays as it is, so it is shown as typed rather than escaped twice. Bidi overrides and
    zero-width characters are dropped.

    >>> escape("<!channel> & <@U1> &lt;b&gt;")
    '&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;b&gt;'
    >>> escape("invoice\u202efdp.exe")
    'invoicefdp.exe'
    """
    inert = _BARE_AMP.sub("&amp;", strip_controls(user_text))
    return inert.replace("<", "&lt;").replace(">", "&gt;")


def defuse(text: str) -> str:
    """Plain text whose mention syntax is spelled out, never live: "<@U1|sam>" -> "@sam".

    For text whose mentions the platform did not vouch for (what detection read out of a
    message, where a typed `&lt;@U9&gt;` has turned back into `<@U9>`).
    """
    return _MENTION.sub(lambda m: "@" + (m.group(0)[2:-1].partition("|")[2] or m.group(1)), text)


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


FORGOTTEN = "~forgotten"
"""The user id left in colleagues' records (a promise made *to* someone) in place of a person
who asked Rapport to forget them: no platform's user id looks like it."""


def mention(user: str) -> str:
    """A live mention of `user`; plain words for someone Rapport has forgotten.

    >>> mention("U1"), mention(FORGOTTEN)
    ('<@U1>', 'a colleague')
    """
    return "a colleague" if user == FORGOTTEN else f"<@{user}>"


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
