"""docs/commands.md tells the truth about the command registry and the buttons."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.registry import CHAT_COMMANDS
from bot.core import ACTIONS

DOC = (Path(__file__).resolve().parents[1] / "docs" / "commands.md").read_text()


@pytest.mark.parametrize("word", sorted(CHAT_COMMANDS.words()))
def test_every_command_word_has_its_section(word: str) -> None:
    assert f"\n## /{word}\n" in DOC


@pytest.mark.parametrize(("command", "verb"), [
    (command.name, verb) for command in CHAT_COMMANDS
    for sub in command.subcommands for verb in sub.verbs if verb.isalpha() or "-" in verb
    if verb not in {"forgetme", "forget"}  # spellings of forget-me
])
def test_every_sub_command_verb_is_shown_with_its_command(command: str, verb: str) -> None:
    assert f"`/{command} {verb}" in DOC


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_button_action_is_listed(action: str) -> None:
    assert f"`{action}`" in DOC


def test_every_sub_command_has_a_usage_with_its_verb() -> None:
    for command in CHAT_COMMANDS:
        for sub in command.subcommands:
            assert f"*/{command.name} {sub.verbs[0]}" in sub.usage, (command.name, sub.verbs)
            assert "Example" in sub.usage or "." in sub.usage
