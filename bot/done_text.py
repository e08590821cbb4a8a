"""Does a line read as something already done? (`/kept <what>` logs only such lines.)

A done promise names a completed action and what it was done to: "reviewed Sam's pull
request", "sent the deck to Priya", "finished the Q3 figures". Numbers, single words and
commands ("2 3", "-1", "undo", "3 slides for the review") are not.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+")
# Words that may come before the verb: "I finally sent ...", "have shipped ...".
_LEAD = frozenset("i i've ive we we've just finally already have has had also today".split())
# Irregular past forms people log work with (regular ones end in -ed).
_IRREGULAR = frozenset("""
    built bought brought caught chose did drew drove fed found fought gave got held hid hung
    kept knew laid led left lent let lit made met paid put quit ran rang read rode rewrote
    sent set shook shot showed shown sold spent split spoke spun stood struck swept taught
    told thought threw took tore undid understood won wore wrote done overcame oversaw
    proofread reran rebuilt redid remade resent reset sat saw sang sought upheld withdrew
""".split())
# Words ending in -ed that are not past tenses.
_NOT_PAST = frozenset("""
    need needs bed red shed wed feed seed speed bleed breed proceed succeed exceed heed weed
    deed reed indeed embed hundred sacred naked wicked ragged rugged kindred bred sled
""".split())


def is_past(word: str) -> bool:
    word = word.lower()
    if word in _IRREGULAR:
        return True
    return len(word) > 3 and word.endswith("ed") and word not in _NOT_PAST


def reads_as_done(text: str) -> bool:
    """True when `text` starts with a completed action and names what it was done to.

    >>> reads_as_done("reviewed Sam's pull request"), reads_as_done("I sent the deck")
    (True, True)
    >>> reads_as_done("3 slides for the review"), reads_as_done("undo"), reads_as_done("fixed")
    (False, False, False)
    """
    words = _WORD.findall(text)
    while words and words[0].lower() in _LEAD:
        words = words[1:]
    if len(words) < 2 or not is_past(words[0]):
        return False
    return any(not word.isdigit() for word in words[1:])
