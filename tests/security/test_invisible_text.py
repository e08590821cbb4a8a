"""What people typed is posted as it reads: no bidi overrides, no zero-width characters; and
a promise too long to read is refused with a clear message rather than cut or stored.

Red-team finding (issue 14, item 10): RTL override and zero-width characters were copied into
posts; there was no cap people were told about on what a promise may say.
"""

from __future__ import annotations

import pytest

from bot.core import Rapport
from bot.events import Actor, Command
from bot.replies import Reply
from habits.people import PersonRef

ROOT = Actor(PersonRef("slack", "T1", "root"), "root", is_admin=True)
ANA = Actor(PersonRef("slack", "T1", "ana"), "ana")
# Bidi embeddings, overrides and isolates; zero-width space, (non-)joiner, word joiner, BOM.
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" "\u200b\u200c\u200d\u2060\ufeff"


async def say(core: Rapport, who: Actor, command: str) -> list[Reply]:
    name, _, text = command.partition(" ")
    return await core.handle(Command(who, name, text, "C1"))


def shown(replies: list[Reply]) -> str:
    return "\n".join(r.text + "\n" + "\n".join(s.text for s in r.sections) for r in replies)


@pytest.mark.parametrize("control", list(INVISIBLE))
async def test_no_bidi_or_zero_width_character_reaches_a_post(core: Rapport, control: str) -> None:
    posted = [
        *await say(core, ANA, f"promise pay the invoice{control}fdp.exe by Friday"),
        *await say(core, ANA, "kept"),
        *await say(core, ANA, f"kudos <@ben> the re{control}view caught the rounding bug in billing"),
        *await say(core, ANA, f"handover <@ben> pick the {control}venue for the offsite"),
        *await say(core, ROOT, f"team create Pl{control}atform"),
        *await say(core, ROOT, "team"),
    ]
    everything = shown(posted)
    assert "pay the invoicefdp.exe" in everything      # the text is kept, the control is not
    assert "review caught the rounding bug" in everything
    assert "pick the venue" in everything and "*Platform*" in everything
    assert not any(char in everything for char in INVISIBLE), repr(control)


async def test_a_promise_over_the_cap_is_refused_with_a_clear_message(core: Rapport) -> None:
    long = "prepare the migration plan " * 12  # 324 characters
    answer = shown(await say(core, ANA, f"promise {long} by Friday"))
    assert "A promise can be at most 300 characters; that one has 323, so I didn't track it" in answer
    assert "Tracking" not in answer
    answer = shown(await say(core, ANA, f"kept {long}"))
    assert "A promise can be at most 300 characters" in answer
    assert "You have no open promises" in shown(await say(core, ANA, "kept"))
    exact = "x" * 300
    assert "Tracking your promise" in shown(await say(core, ANA, f"promise {exact} by Friday"))
