r"""Rules about the words just before a position, asked without rescanning the text before it.

A rule such as ``\b(?:not|never)\s*$`` searched in ``text[:end]`` is tried at every position
of that prefix; asked once per cue or per date word in a long message, that is quadratic.
Such a match is a bounded word followed by whitespace, so it can only start in a small window
before ``end``: searching that window (``pattern.search(text, start, end)``, which still sees
the characters before ``start`` for ``\b``) gives the same answer in constant time.
"""

from __future__ import annotations

import re

__all__ = ["ends_with", "space_before"]


def space_before(text: str, end: int) -> int:
    """The start of the run of whitespace that ends at ``end`` (``end`` itself if there is none)."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def ends_with(pattern: re.Pattern[str], text: str, end: int, width: int) -> bool:
    r"""``pattern.search(text[:end]) is not None`` for a ``pattern`` that matches at most
    ``width`` characters and then whitespace up to the end (``...\s*$`` or ``...\s+$``)."""
    return pattern.search(text, max(0, space_before(text, end) - width), end) is not None
