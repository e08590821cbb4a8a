"""Close misses: "did you mean /promise?" for `/promis`, "handover list" for `handover lst`."""

from __future__ import annotations

from collections.abc import Iterable


def distance(a: str, b: str) -> int:
    """Edits (insert, delete, change, swap two neighbours) turning `a` into `b`.

    >>> distance("promis", "promise"), distance("lsit", "list"), distance("team", "kudos")
    (1, 1, 5)
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` is a typo of (one edit for short words, two for longer), if any.

    >>> closest("promis", ["promise", "kept"]), closest("xyz", ["promise"])
    ('promise', None)
    """
    word = word.lower()
    if not word:
        return None
    allowed = 1 if len(word) <= 4 else 2
    scored = sorted((distance(word, choice), choice) for choice in choices if choice != word)
    if scored and scored[0][0] <= allowed:
        return scored[0][1]
    return None
