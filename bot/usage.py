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


def markup(text: str) -> str:
    # Placeholders such as <what> are text, not markup: Slack would read "<what>" as a link.
    return text.replace("<", "&lt;").replace(">", "&gt;")


def usage(command: str, problem: str | None = None) -> str:
    """The usage text of `command`, after a short line saying what was wrong, if anything.

    >>> usage("habits", "`/habits` takes no options.").splitlines()[0]
    '`/habits` takes no options.'
    """
    text = markup(_registry()[command].usage)
    return f"{problem}\n{text}" if problem else text


def full_help() -> str:
    """The introduction, then the usage of every command in the registry's order."""
    return INTRO + "\n\n" + "\n\n".join(
        markup(command.usage) for command in _registry() if command.usage)


def overview() -> str:
    """A short answer to `help`: one line per command, and where the details are."""
    lines = [f"/{command.name} — {command.summary}" for command in _registry() if command.usage]
    return ("Rapport helps you keep promises, recognise people and hand over decisions; "
            "`/rapport help` shows each one with an example.\n" + "\n".join(lines))


def did_you_mean(word: str) -> str:
    """The answer to a command word Rapport doesn't know: the close one's usage, or help.

    >>> did_you_mean("promis").splitlines()[0]
    "I don't know `/promis`. Did you mean `/promise`?"
    """
    from bot.markup import escape
    from bot.suggest import closest

    shown = escape(word)
    guess = closest(word, _registry().words())
    if guess is None:
        return f"I don't know `/{shown}`.\n{overview()}"
    return f"I don't know `/{shown}`. Did you mean `/{guess}`?\n{usage(_registry()[guess].name)}"


def sub_command_miss(command: str, verb: str) -> str:
    """The answer to `/team frobnicate`: a close verb's usage, or the command's."""
    from bot.markup import escape
    from bot.suggest import closest

    chosen = _registry()[command]
    guess = closest(verb, chosen.verbs())
    if guess is None:
        return usage(command, f"I don't know `/{command} {escape(verb)}`.")
    sub = next(sub for sub in chosen.subcommands if guess in sub.verbs)
    return f"I don't know `/{command} {escape(verb)}`. Did you mean `/{command} {guess}`?\n" \
        + markup(sub.usage or chosen.usage)
