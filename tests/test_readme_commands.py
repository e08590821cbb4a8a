"""The README's commands table tells the truth about the command registry."""

from __future__ import annotations

import re
from pathlib import Path

from bot.commands.registry import CHAT_COMMANDS

README = Path(__file__).resolve().parents[1] / "README.md"


def _rows() -> list[str]:
    """The rows of the table under `## Commands` that describe a command."""
    section = README.read_text().split("\n## Commands\n", 1)[1].split("\n#", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `/")]


def test_the_readme_table_has_a_row_for_every_command_in_help_and_no_other() -> None:
    named = {word for row in _rows() for word in re.findall(r"`/([a-z]+)", row.split("|")[1])}
    assert named == {command.name for command in CHAT_COMMANDS if command.usage}


def test_the_readme_table_shows_every_sub_command() -> None:
    table = "\n".join(_rows())
    for command in CHAT_COMMANDS:
        for sub in command.subcommands:
            assert f"`/{command.name} {sub.verbs[0]}" in table, (command.name, sub.verbs[0])
