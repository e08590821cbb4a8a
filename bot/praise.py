"""Is praise specific? Judged by what was said: a concrete action or result names it.

"you fixed the CI", "for unblocking me on the deploy" and "thanks for the great presentation
today" each name something done; "great job!", "thanks, you rock" and "awesome work as
always" name nothing the person could repeat.
"""

from __future__ import annotations

import re

from bot.done_text import is_past

_WORD = re.compile(r"[a-z][a-z'’]*", re.IGNORECASE)
# Words that say how the giver feels, not what was done.
_EMPTY = frozenset("""
    great good nice awesome amazing excellent fantastic brilliant superb super cool wonderful
    terrific stellar outstanding incredible solid perfect lovely top legend legendary rockstar
    hero star champ job work stuff effort one thing things it that this all everything today
    thanks thank thx ty cheers kudos props shoutout shout out well done way to go as always
    really very so much lot lots a an the for your you all of on and to with keep up again
    man mate guys team folks everyone buddy dude bro sis yay wow woo hooray congrats
    congratulations appreciate appreciated it's its is was were be being been just you're
    you've rock rocks rocked best help helping helpful hard working doing being ever such
    truly totally absolutely always me my our us we i i'm i've what who how lately recently
    yesterday week this that those these here there now tonight crushing crushed killing nailed
    nailing it smashing smashed
""".split())
MIN_THING = 4  # a word this long that is not empty praise names a thing ("demo", "deploy")


def is_specific(reason: str) -> bool:
    """True when the praise names a concrete action or result.

    >>> is_specific("you fixed the CI"), is_specific("for unblocking me on the deploy")
    (True, True)
    >>> is_specific("thanks for the great presentation today"), is_specific("great job!")
    (True, False)
    >>> is_specific("awesome work as always, you rock")
    False
    """
    words = [word.lower().strip("'’") for word in _WORD.findall(reason)]
    content = [word for word in words if word not in _EMPTY]
    for index, word in enumerate(content):
        acted = is_past(word) or (word.endswith("ing") and len(word) > 5)
        if acted and (index + 1 < len(content) or _has_object(words, word)):
            return True  # "fixed the CI": an action with something it was done to
        if len(word) >= MIN_THING:
            return True  # "the presentation", "your runbook": a thing they made or did
    return False


def _has_object(words: list[str], verb: str) -> bool:
    """Whether any word (even a short one such as "CI") follows the action."""
    return words.index(verb) + 1 < len(words)


def vague_words(reason: str) -> str:
    """The person's own words, tidied for quoting back ("Great job!!" stays as written)."""
    return " ".join(reason.split())[:80] or "that"
