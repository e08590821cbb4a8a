"""Recognition: specific, sincere praise, the kind that builds trust."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from habits.people import PersonRef

# Words that carry no information about what was good. Praise made only of these (plus
# names, emoji and punctuation) is vague: the receiver cannot tell what to repeat.
_EMPTY_PRAISE = frozenset(
    """
    great good nice awesome amazing excellent fantastic brilliant superb super cool wonderful
    terrific stellar outstanding incredible solid perfect lovely top legend legendary rockstar
    hero star champ job work stuff effort one thing things it that this all everything today
    thanks thank thx ty cheers kudos props shoutout shout out well done way to go as always
    really very so much lot lots a an the for your you all of on and to with keep up again
    man mate guys team folks everyone buddy dude bro sis yay wow woo hooray congrats
    congratulations appreciate appreciated it's its is was were be being been just
    """.split()
)
_WORD = re.compile(r"[a-z][a-z']*")
MIN_SPECIFIC_WORDS = 3


@dataclass(frozen=True, slots=True)
class Recognition:
    """Kudos from one person to another for something specific they did."""

    giver: PersonRef
    receiver: PersonRef
    reason: str
    given_at: datetime
    junior: bool = False
    channel: str | None = None


def is_vague(reason: str) -> bool:
    """True when praise does not say what exactly was good.

    >>> is_vague("great job!")
    True
    >>> is_vague("your migration plan split the risky steps into small reversible ones")
    False
    """
    words = _WORD.findall(reason.lower())
    specific = [word for word in words if word.strip("'") not in _EMPTY_PRAISE and len(word) > 2]
    return len(specific) < MIN_SPECIFIC_WORDS
