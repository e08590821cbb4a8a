"""How each command is used, with an example: shown by `help` and after any text we can't read.

The texts live with each command in `bot.commands.registry`; this module renders them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.commands.registry import CommandRegistry

INTRO = (
    "Rapport helps you build trust at work, one small habit a day: keep the promises you make, "
    "follow up early, recognise people (junior colleagues especially) for something specific, "
    "and hand decisions to others."
)


def _registry() -> CommandRegistry:
    # The registry names the handlers and the handlers ask here for their usage, so the registry
    # is read when help is rendered, never while the handlers' modules are being imported.
    from bot.commands.registry import CHAT_COMMANDS

    return CHAT_COMMANDS


def _markup(text: str) -> str:
    # Placeholders such as <what> are text, not markup: Slack would read "<what>" as a link.
    return text.replace("<", "&lt;").replace(">", "&gt;")


def usage(command: str, problem: str | None = None) -> str:
    """The usage text of `command`, after a short line saying what was wrong, if anything.

    >>> usage("habits", "`/habits` takes no options.").splitlines()[0]
    '`/habits` takes no options.'
    """
    text = _markup(_registry()[command].usage)
    return f"{problem}\n{text}" if problem else text


def full_help() -> str:
    """The introduction, then the usage of every command in the registry's order."""
    return INTRO + "\n\n" + "\n\n".join(
        _markup(command.usage) for command in _registry() if command.usage)
