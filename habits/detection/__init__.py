"""Commitment detection: is a chat message a promise by its author, and if so what,
to whom and by when.

Pure functions over text and time (standard library only), so they can run in any
adapter and be tested without I/O. See docs/detection.md for the rules and figures.

The work is done in the modules of this package (habits.detection.promise reads a message),
which setup.py compiles with mypyc; this module only names what the rest of Rapport uses, and
stays plain Python (a compiled package module could not find its submodules).
"""

from __future__ import annotations

from habits.detection.due import DueMatch, parse_due, parse_due_phrase
from habits.detection.markup import clean_markup
from habits.detection.promise import MAX_EXAMINED, QUICK_LENGTH, DetectedPromise, detect

__all__ = [
    "MAX_EXAMINED",
    "QUICK_LENGTH",
    "DetectedPromise",
    "DueMatch",
    "clean_markup",
    "detect",
    "parse_due",
    "parse_due_phrase",
]
