"""Every chat command Rapport understands, declared once.

Each `ChatCommand` names its word and aliases, its handler and sub-commands, its usage text
(with an example) and one-line summary, and the surfaces that list it. The core routes from
this registry, `bot.usage` renders help from it, both translators recognise commands from it,
the Teams package lists them from it, and tests hold the Slack manifest and the README to it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from bot.commands import account, handovers, kudos, promises, team
from bot.commands.habits_view import habits
from bot.context import Context
from bot.replies import Reply

CommandHandler = Callable[[Context, str], Awaitable[list[Reply]]]


class Surface(StrEnum):
    """Where a command is listed for people to find (every command works everywhere)."""

    SLACK = "slack"  # a slash command in slack/manifest.yml
    TEAMS = "teams"  # the bot's command list in the Teams app package
    CONSOLE = "console"  # `:help` in `rapport console`


EVERYWHERE = frozenset(Surface)
NOTHING_MORE = re.compile("")  # a sub-command that takes no words after its verb


@dataclass(frozen=True, slots=True)
class SubCommand:
    """A verb after the command's word with its own handler, which gets the words after it.

    `arguments`, when given, must match those words in full; otherwise the command's own
    handler gets the whole text, as if there were no sub-command.
    """

    verbs: tuple[str, ...]
    handler: CommandHandler
    arguments: re.Pattern[str] | None = None

    def takes(self, verb: str, rest: str) -> bool:
        return verb.lower() in self.verbs and (
            self.arguments is None or self.arguments.fullmatch(rest) is not None)


@dataclass(frozen=True, slots=True)
class ChatCommand:
    """One chat command: `/name` on Slack, `name` on Teams, `/name` in the console."""

    name: str
    summary: str  # one line, for the manifests' command lists
    usage: str  # shown by `help`; empty for a command that is not in the full help
    handler: CommandHandler
    subcommands: tuple[SubCommand, ...] = ()
    aliases: tuple[str, ...] = ()
    hint: str = ""  # what follows the word, as Slack shows it while typing
    shown_on: frozenset[Surface] = EVERYWHERE

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def route(self, text: str) -> tuple[CommandHandler, str]:
        """The handler for `text`, and the text it gets.

        >>> async def main(ctx, text): return []
        >>> async def more(ctx, text): return []
        >>> promise = ChatCommand("promise", "", "", main, (SubCommand(("more",), more),))
        >>> promise.route("More 3 friday") == (more, "3 friday")
        True
        >>> promise.route("send the deck") == (main, "send the deck")
        True
        """
        words = text.split(maxsplit=1)
        verb = words[0] if words else ""
        rest = words[1].strip() if len(words) > 1 else ""
        for sub in self.subcommands:
            if sub.takes(verb, rest):
                return sub.handler, rest
        return self.handler, text

    async def run(self, ctx: Context, text: str) -> list[Reply]:
        handler, argument = self.route(text)
        return await handler(ctx, argument)


class CommandRegistry:
    """The chat commands in the order help lists them; every word names one command."""

    def __init__(self, *commands: ChatCommand) -> None:
        self._commands = commands
        self._by_word: dict[str, ChatCommand] = {}
        for command in commands:
            for word in command.words:
                if word != word.lower() or not word.isidentifier():
                    raise ValueError(f"a command word is lower-case letters: {word!r}")
                if word in self._by_word:
                    raise ValueError(f"two commands answer to {word!r}")
                self._by_word[word] = command

    def __iter__(self) -> Iterator[ChatCommand]:
        return iter(self._commands)

    def __getitem__(self, name: str) -> ChatCommand:
        return self._by_word[name]

    def find(self, word: str) -> ChatCommand | None:
        """The command a typed word names (any case, with or without its slash), if any."""
        return self._by_word.get(word.strip().lstrip("/").lower())

    def words(self) -> frozenset[str]:
        """Every name and alias: what a translator treats as a command rather than chat."""
        return frozenset(self._by_word)

    def shown_on(self, surface: Surface) -> tuple[ChatCommand, ...]:
        return tuple(command for command in self._commands if surface in command.shown_on)

    def handlers(self) -> dict[str, CommandHandler]:
        """Each word with the handler that routes its text, sub-commands included."""
        return {word: command.run for word, command in self._by_word.items()}


async def _list_promises(ctx: Context, text: str) -> list[Reply]:
    return await promises.list_open(ctx)


async def _list_handovers(ctx: Context, text: str) -> list[Reply]:
    return await handovers.list_handovers(ctx)


async def _close_handover(ctx: Context, number: str) -> list[Reply]:
    return await handovers.close_handover(ctx, int(number.removeprefix("#")))


async def _every_command(ctx: Context, text: str) -> list[Reply]:
    return await account.rapport(ctx, "help")


CHAT_COMMANDS = CommandRegistry(
    ChatCommand(
        "promise", "Track a promise so you keep it",
        "*/promise* <what> [by <when>] [to @someone]\n"
        "Track a promise so you keep it, or tell them early if it slips.\n"
        "Example: `/promise send the launch deck to @priya by Friday 3pm`",
        promises.promise,
        subcommands=(SubCommand(("more",), promises.promise_more),
                     SubCommand(("list",), _list_promises)),
        hint="send the deck to @priya by Friday 3pm",
    ),
    ChatCommand(
        "kept", "List your open promises, or mark one kept",
        "*/kept* lists your open promises with buttons.\n"
        "*/kept* <number> marks one kept, e.g. `/kept 3`.\n"
        "*/kept* <what> logs a promise you kept elsewhere, e.g. `/kept reviewed Sam's pull request`",
        promises.kept,
        hint="[number | what you kept]",
    ),
    ChatCommand(
        "kudos", "Recognise someone for something specific",
        "*/kudos* @someone <what exactly they did, and why it mattered>\n"
        "Specific praise is the kind people remember.\n"
        "Example: `/kudos @sam your test plan caught the billing bug before release`",
        kudos.kudos,
        hint="@sam your test plan caught the billing bug",
    ),
    ChatCommand(
        "handover", "Hand a decision over to someone",
        "*/handover* @someone <the decision you are giving them>\n"
        "Handing over a decision gives people control, and earns their trust.\n"
        "Example: `/handover @lee choose the venue for the team offsite`\n"
        "*/handover list* shows your handovers; *handover close <number>* closes one.",
        handovers.handover,
        subcommands=(SubCommand(("list",), _list_handovers, NOTHING_MORE),
                     SubCommand(("close", "done"), _close_handover, re.compile(r"#?\d{1,9}"))),
        hint="@lee choose the venue for the offsite",
    ),
    ChatCommand(
        "habits", "Your streaks and this week's progress",
        "*/habits* shows your streaks, your best runs and this week's progress.\n"
        "Example: `/habits`",
        habits,
    ),
    ChatCommand(
        "team", "Your teams' habit summary (aggregates only)",
        "*/team* shows the teams you manage (aggregates only) and what managers see about you.\n"
        "Managers: */team add* [team] @a @b · */team remove* [team] @a · "
        "*/team junior* [team] @a (and */team senior* @a to undo) · "
        "*/team export* [team] (CSV of weekly aggregates)\n"
        "Workspace admins: */team create* <name> [@manager] · */team managers add* [team] @m "
        "(or *remove*) · */team privacy* [team] <minimum size> · */team delete* [team]\n"
        "Members: */team leave* [team]\n"
        "Example: `/team create Platform @lee`, then `/team add platform @ana @ben`",
        team.team,
        hint="[create | add | junior | managers | export | privacy] ...",
    ),
    ChatCommand(
        "rapport", "Help, settings, pause, vacation, export, forget-me",
        "*/rapport help* — every command\n"
        "*/rapport settings* — see your settings; change one with e.g.\n"
        "    `/rapport settings nudge 09:30` · `hours 08:30-17:30` · `tz Europe/Berlin` · "
        "`days sun-thu` · "
        "`nudges off` · `detection off` · `autotrack on` · `share on`\n"
        "*/rapport pause* [until <date>] — no nudges until then; *resume* to restart\n"
        "*/rapport vacation* <first day> <last day> — streaks wait while you are away\n"
        "*/rapport export* — all your data as a JSON file\n"
        "*/rapport forget-me* — delete everything Rapport knows about you (asks first)",
        account.rapport,
        hint="[help | settings | pause | resume | vacation | export | forget-me]",
    ),
    ChatCommand(
        "help", "Every command, with an example", "", _every_command,
        shown_on=frozenset({Surface.TEAMS, Surface.CONSOLE}),  # Slack's is `/rapport help`
    ),
)
