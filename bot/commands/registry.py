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

from bot.commands import account, handovers, kudos, prep, promises, team, thanks
from bot.commands.habits_view import habits
from bot.context import Context
from bot.replies import Reply, say
from bot.suggest import closest
from bot.usage import full_help, markup, overview

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
    handler gets the whole text, as if there were no sub-command. Words that `claims` matches
    are meant for the sub-command even when they don't fit (`/promise drop` with no number):
    they get the sub-command's `usage`, never the command's own handler (which would, say,
    track "drop" as a new promise).
    """

    verbs: tuple[str, ...]
    handler: CommandHandler
    arguments: re.Pattern[str] | None = None
    claims: re.Pattern[str] | None = None
    usage: str = ""  # "*/promise drop* <number>", with an example; listed in docs/commands.md

    def takes(self, verb: str, rest: str) -> bool:
        return verb.lower() in self.verbs and (
            self.arguments is None or self.arguments.fullmatch(rest) is not None)

    def claimed(self, verb: str, rest: str) -> bool:
        return (verb.lower() in self.verbs and self.claims is not None
                and self.claims.fullmatch(rest) is not None)

    def fits(self, rest: str) -> bool:
        """Whether `rest` would do for this sub-command (for "did you mean" on a typo'd verb)."""
        pattern = self.arguments or self.claims
        return pattern is None or pattern.fullmatch(rest) is not None


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
    # Verbs the command's own handler understands (`/team add`): never taken for typos.
    verbs_of_handler: tuple[str, ...] = ()

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
        for sub in self.subcommands:
            if sub.claimed(verb, rest):
                return _explain(self, sub, f"That isn't quite `/{self.name} {verb.lower()}`."), rest
        guess = closest(verb, (v for sub in self.subcommands for v in sub.verbs
                               if sub.fits(rest)))
        if guess is not None and verb.lower() not in self.known_words:
            sub = next(sub for sub in self.subcommands if guess in sub.verbs)
            return _explain(self, sub, f"Did you mean `/{self.name} {guess}`?"), rest
        return self.handler, text

    @property
    def known_words(self) -> frozenset[str]:
        """Verbs the command's own handler reads (a typo of a sub-command is not one)."""
        return frozenset(self.verbs_of_handler)

    def verbs(self) -> tuple[str, ...]:
        """Every sub-command verb, in the order declared."""
        return tuple(verb for sub in self.subcommands for verb in sub.verbs)

    async def run(self, ctx: Context, text: str) -> list[Reply]:
        handler, argument = self.route(text)
        return await handler(ctx, argument)


def _explain(command: ChatCommand, sub: SubCommand, problem: str) -> CommandHandler:
    async def explain(ctx: Context, text: str) -> list[Reply]:
        return [say(f"{problem}\n{markup(sub.usage or command.usage)}")]
    return explain


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


async def _overview(ctx: Context, text: str) -> list[Reply]:
    return [say(overview())]


def _team_change(verb: str) -> CommandHandler:
    async def change(ctx: Context, text: str) -> list[Reply]:
        return await team.change(ctx, verb, text)
    return change


async def _team_managers(ctx: Context, text: str) -> list[Reply]:
    return await team.managers(ctx, text)


async def _export_team(ctx: Context, text: str) -> list[Reply]:
    return await team.export(ctx, text)


async def _rapport_help(ctx: Context, text: str) -> list[Reply]:
    return [say(full_help())]


async def _resume(ctx: Context, text: str) -> list[Reply]:
    return await account.resume(ctx)


async def _export_mine(ctx: Context, text: str) -> list[Reply]:
    return await account.export(ctx)


NUMBERED = re.compile(r"#?\d{1,9}")
NUMBERED_WITH_WORDS = re.compile(r"#?\d{1,9}\s+\S.*", re.DOTALL)
# What a numbered sub-command claims even when it doesn't fit: nothing, or numbers only.
# `/promise drop off 2 boxes` is still a promise; `/promise drop`, `drop 3 4`, `drop -1` are not.
NUMBER_FIRST = re.compile(r"(?:#?-?\d[\d\s,.#-]*)?")
NO_MENTION = re.compile(r"(?:(?!<@).)*", re.DOTALL)
ANYTHING = re.compile(r".*", re.DOTALL)

CHAT_COMMANDS = CommandRegistry(
    ChatCommand(
        "promise", "Track a promise so you keep it",
        "*/promise* <what> [by <when>] [to @someone]\n"
        "Track a promise so you keep it, or tell them early if it slips.\n"
        "Example: `/promise send the launch deck to @priya by Friday 3pm`\n"
        "*/promise list* · *edit* <n> <new words> · *snooze* <n> 20m|1h|tomorrow|next week · "
        "*more* <n> <new date> · *drop* <n> · *undo*",
        promises.promise,
        subcommands=(
            SubCommand(("list",), _list_promises, NOTHING_MORE,
                       usage="*/promise list* shows your open promises, each with its buttons."),
            SubCommand(("edit",), promises.edit, NUMBERED_WITH_WORDS, NUMBER_FIRST,
                       usage="*/promise edit* <number> <new words> rewrites an open promise; a "
                             "date or a `to @someone` in them moves it or changes who it's for. "
                             "Example: `/promise edit 3 send the final deck by Friday`"),
            SubCommand(("snooze",), promises.snooze, NUMBERED_WITH_WORDS, NUMBER_FIRST,
                       usage="*/promise snooze* <number> 20m | 1h | tomorrow | next week moves "
                             "when it's due, and when I ask about it. Example: "
                             "`/promise snooze 3 tomorrow`"),
            SubCommand(("more",), promises.promise_more, NUMBERED_WITH_WORDS, NUMBER_FIRST,
                       usage="*/promise more* <number> <new date> agrees a new date (the "
                             "Need more time button). Example: `/promise more 3 next Tuesday`"),
            SubCommand(("drop", "delete"), promises.drop_typed, NUMBERED, NUMBER_FIRST,
                       usage="*/promise drop* <number> (or *delete*) lets a promise go (the "
                             "Drop it button). Example: `/promise drop 3`"),
            SubCommand(("undo",), promises.undo_last, NOTHING_MORE,
                       usage="*/promise undo* takes back your last Kept or Drop, for 10 "
                             "minutes after it (the Undo button)."),
        ),
        hint="send the deck to @priya by Friday 3pm",
    ),
    ChatCommand(
        "kept", "List your open promises, or mark one kept",
        "*/kept* lists your open promises with buttons.\n"
        "*/kept* <number> marks one kept, e.g. `/kept 3`.\n"
        "*/kept* <what you did> logs a promise you kept elsewhere, "
        "e.g. `/kept reviewed Sam's pull request`\n"
        "*/kept undo* takes back the last one, for 10 minutes.",
        promises.kept,
        subcommands=(
            SubCommand(("undo",), promises.undo_last, NOTHING_MORE,
                       usage="*/kept undo* takes back your last Kept, for 10 minutes after it."),
        ),
        hint="[number | what you kept]",
    ),
    ChatCommand(
        "kudos", "Recognise someone for something specific",
        "*/kudos* @someone <what exactly they did, and why it mattered>\n"
        "Specific praise is the kind people remember.\n"
        "Example: `/kudos @sam your test plan caught the billing bug before release`\n"
        "*/kudos list* shows the kudos you received and gave.",
        kudos.kudos,
        subcommands=(
            SubCommand(("list",), kudos.list_kudos, NOTHING_MORE,
                       usage="*/kudos list* shows the kudos you received and the ones you gave."),
        ),
        hint="@sam your test plan caught the billing bug",
    ),
    ChatCommand(
        "thanks", "Thank someone for help they gave you",
        "*/thanks* @someone <what they did for you>\n"
        "Say what the help was; the best thanks is then helping someone else.\n"
        "Example: `/thanks @priya for pairing with me on the migration script`\n"
        "*/thanks list* shows, only to you, the help you gave and received lately.",
        thanks.thanks,
        subcommands=(
            SubCommand(("list",), thanks.list_favours, NOTHING_MORE,
                       usage="*/thanks list* shows, only to you, the help you gave and received "
                             "over the last 12 weeks."),
        ),
        hint="@priya for pairing with me on the migration",
    ),
    ChatCommand(
        "handover", "Hand a decision over to someone",
        "*/handover* @someone <the decision you are giving them>\n"
        "Handing over a decision gives people control, and earns their trust.\n"
        "Example: `/handover @lee choose the venue for the team offsite`\n"
        "*/handover list* shows your handovers; */handover close* <number> closes one.",
        handovers.handover,
        subcommands=(
            SubCommand(("list",), _list_handovers, NOTHING_MORE, NO_MENTION,
                       usage="*/handover list* shows the handovers you gave and received."),
            SubCommand(("close", "done"), _close_handover, NUMBERED, NO_MENTION,
                       usage="*/handover close* <number> (or *done*) closes a handover you gave. "
                             "Example: `/handover close 2`"),
        ),
        hint="@lee choose the venue for the offsite",
    ),
    ChatCommand(
        "prep", "Prepare a negotiation in private",
        "*/prep* <what> with @someone [on <date>]\n"
        "Prepare your leverage before the conversation: your alternative, what they want, "
        "what you can trade. Only you see it.\n"
        "Example: `/prep the Q1 headcount with @lee on Thursday`\n"
        "*/prep answer* <n> <text> · *skip* <n> · *list* · *show* <n> · *debrief* <n> · "
        "*drop* <n>",
        prep.prep,
        subcommands=(
            SubCommand(("answer",), prep.answer, NUMBERED_WITH_WORDS, NUMBER_FIRST,
                       usage="*/prep answer* <number> <text> answers the question the prep is "
                             "on, then asks the next. Example: `/prep answer 1 two more "
                             "engineers for Q1`"),
            SubCommand(("skip",), prep.skip, NUMBERED, NUMBER_FIRST,
                       usage="*/prep skip* <number> moves on to the next question. Example: "
                             "`/prep skip 1`"),
            SubCommand(("list",), prep.list_preps, NOTHING_MORE,
                       usage="*/prep list* shows your preps, only to you."),
            SubCommand(("show",), prep.show, NUMBERED, NUMBER_FIRST,
                       usage="*/prep show* <number> shows a prep on one screen, with "
                             "feedback. Example: `/prep show 1`"),
            SubCommand(("debrief",), prep.debrief, re.compile(r"#?\d{1,9}(?:\s+\S.*)?",
                                                              re.DOTALL), NUMBER_FIRST,
                       usage="*/prep debrief* <number> [how it went] notes how it went. "
                             "Example: `/prep debrief 1 agreed on one engineer now, one in "
                             "March`"),
            SubCommand(("drop", "delete"), prep.drop, NUMBERED, NUMBER_FIRST,
                       usage="*/prep drop* <number> (or *delete*) deletes a prep. Example: "
                             "`/prep drop 1`"),
        ),
        hint="the Q1 headcount with @lee on Thursday",
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
        "*/team export* [team] (CSV of weekly aggregates) · */team dashboard* (charts, on a "
        "private link)\n"
        "Workspace admins: */team create* <name> [@manager] · */team managers add* [team] @m "
        "(or *remove*) · */team privacy* [team] <minimum size> · */team delete* [team]\n"
        "Members: */team leave* [team]\n"
        "Example: `/team create Platform @lee`, then `/team add platform @ana @ben`",
        team.team,
        subcommands=(
            SubCommand(("create",), team.create, usage="*/team create* <name> [@manager] "
                       "(workspace admins). Example: `/team create Platform @lee`"),
            SubCommand(("add",), _team_change("add"), usage="*/team add* [team] @a @b adds "
                       "members (managers). Example: `/team add platform @ana @ben`"),
            SubCommand(("remove",), _team_change("remove"), usage="*/team remove* [team] @a "
                       "removes members. Example: `/team remove platform @ben`"),
            SubCommand(("junior",), _team_change("junior"), usage="*/team junior* [team] @a "
                       "marks a junior colleague. Example: `/team junior platform @ana`"),
            SubCommand(("senior",), _team_change("senior"), usage="*/team senior* [team] @a "
                       "undoes junior. Example: `/team senior platform @ana`"),
            SubCommand(("managers",), _team_managers, usage="*/team managers add* [team] @m "
                       "(or *remove*), workspace admins. Example: `/team managers add platform "
                       "@kim`"),
            SubCommand(("export",), _export_team, usage="*/team export* [team]: a CSV of "
                       "weekly aggregates. Example: `/team export platform`"),
            SubCommand(("dashboard",), team.dashboard, NOTHING_MORE, usage="*/team "
                       "dashboard*: a private link to your teams' 12-week charts (managers). "
                       "Example: `/team dashboard`"),
            SubCommand(("privacy",), team.privacy, usage="*/team privacy* [team] <minimum "
                       "size> (workspace admins). Example: `/team privacy platform 6`"),
            SubCommand(("delete",), team.delete, usage="*/team delete* [team] (workspace "
                       "admins). Example: `/team delete platform`"),
            SubCommand(("leave",), team.leave, usage="*/team leave* [team]: stop counting in a "
                       "team. Example: `/team leave platform`"),
        ),
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
        "*/rapport vacation* <first day> [to <last day>] — streaks wait while you are away; "
        "*vacation list* shows yours, *vacation cancel* <n> takes one back\n"
        "*/rapport export* — all your data as a JSON file\n"
        "*/rapport forget-me* — delete everything Rapport knows about you (asks first)",
        account.rapport,
        subcommands=(
            SubCommand(("help", "?"), _rapport_help, usage="*/rapport help* — every command, "
                       "with an example."),
            SubCommand(("settings",), account.settings, usage="*/rapport settings* [name value]"
                       ". Example: `/rapport settings nudge 09:30`"),
            SubCommand(("pause",), account.pause, usage="*/rapport pause* [until <date>]. "
                       "Example: `/rapport pause until next monday`"),
            SubCommand(("resume",), _resume, usage="*/rapport resume* — nudges on again."),
            SubCommand(("vacation",), account.vacation, usage="*/rapport vacation* <first day> "
                       "[to <last day>] · *list* · *cancel* <n>. Example: `/rapport vacation "
                       "2026-12-22 to 2027-01-02`"),
            SubCommand(("export",), _export_mine, NOTHING_MORE,
                       usage="*/rapport export* — all your data as a JSON file."),
            SubCommand(("forget-me", "forgetme", "forget"), account.forget_me,
                       usage="*/rapport forget-me* — delete everything about you (asks first)."),
        ),
        hint="[help | settings | pause | resume | vacation | export | forget-me]",
    ),
    ChatCommand(
        "help", "Every command, with an example", "", _overview,
        shown_on=frozenset({Surface.TEAMS, Surface.CONSOLE}),  # Slack's is `/rapport help`
    ),
)
