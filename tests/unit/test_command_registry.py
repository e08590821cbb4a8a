"""One registry declares every chat command; routing, help and both translators follow it."""

from __future__ import annotations

import re

import pytest

from adapters.console.repl import HELP
from adapters.slack.translate import command_name
from adapters.teams.translate import command_of
from bot.commands.registry import (
    CHAT_COMMANDS,
    NOTHING_MORE,
    ChatCommand,
    CommandHandler,
    CommandRegistry,
    SubCommand,
    Surface,
)
from bot.context import Context
from bot.core import COMMANDS
from bot.replies import Reply, say
from bot.usage import full_help, usage


def _answers(word: str) -> CommandHandler:
    async def handler(ctx: Context, text: str) -> list[Reply]:
        return [say(f"{word}:{text}")]
    return handler


MAIN, LIST, CLOSE = _answers("main"), _answers("list"), _answers("close")
HANDOVER = ChatCommand("handover", "Hand a decision over", "*/handover* ...", MAIN, subcommands=(
    SubCommand(("list",), LIST, NOTHING_MORE),
    SubCommand(("close", "done"), CLOSE, re.compile(r"#?\d{1,9}"))))


@pytest.mark.parametrize(("text", "handler", "argument"), [
    ("list", LIST, ""),
    ("  LIST  ", LIST, ""),
    ("close 3", CLOSE, "3"),
    ("Done\t#12", CLOSE, "#12"),
    ("list the options to @lee", MAIN, "list the options to @lee"),  # words after `list`: a decision
    ("close the deal <@U2>", MAIN, "close the deal <@U2>"),  # not a number: a decision too
    ("<@U2> choose the venue", MAIN, "<@U2> choose the venue"),
    ("", MAIN, ""),
])
def test_a_sub_command_gets_the_words_after_its_verb_only_when_they_fit(
        text: str, handler: object, argument: str) -> None:
    assert HANDOVER.route(text) == (handler, argument)


def test_two_commands_cannot_answer_to_one_word() -> None:
    with pytest.raises(ValueError, match="kudos"):
        CommandRegistry(ChatCommand("kudos", "", "", MAIN),
                        ChatCommand("praise", "", "", MAIN, aliases=("kudos",)))
    with pytest.raises(ValueError):
        CommandRegistry(ChatCommand("Kudos", "", "", MAIN))


def test_an_alias_routes_like_its_command_and_every_translator_knows_it() -> None:
    registry = CommandRegistry(ChatCommand("kudos", "", "", MAIN, aliases=("praise",)))
    assert registry.find("/Praise") is registry.find("kudos") is registry["kudos"]
    assert registry.words() == {"kudos", "praise"}
    assert set(registry.handlers()) == {"kudos", "praise"}


def test_the_core_answers_to_every_registered_word_and_nothing_else() -> None:
    assert set(COMMANDS) == CHAT_COMMANDS.words() == {
        "promise", "kept", "kudos", "thanks", "handover", "prep", "habits", "team", "rapport",
        "help"}


@pytest.mark.parametrize("word", sorted(CHAT_COMMANDS.words()))
def test_teams_treats_every_registered_word_as_a_command_not_chat(word: str) -> None:
    assert command_of(f"{word} something") == (word, "something")
    assert command_of(f"/{word.upper()}") == (word, "")


@pytest.mark.parametrize("command", CHAT_COMMANDS.shown_on(Surface.SLACK), ids=lambda c: c.name)
def test_slack_knows_every_slash_command_also_renamed_with_a_suffix(command: ChatCommand) -> None:
    assert command_name(f"/{command.name}") == command.name
    assert command_name(f"/{command.name}-dev") == command.name


@pytest.mark.parametrize("command", [c for c in CHAT_COMMANDS if c.usage], ids=lambda c: c.name)
def test_each_command_s_help_shows_its_syntax_with_an_example(command: ChatCommand) -> None:
    text = usage(command.name)
    assert f"*/{command.name}" in text
    assert "Example" in text or "e.g." in text
    assert text in full_help()
    assert "\n" not in command.summary and command.summary


def test_the_console_help_names_every_command_the_full_help_explains() -> None:
    listed = re.findall(r"/(\w+)", HELP.splitlines()[1])
    assert listed == ["help", *(c.name for c in CHAT_COMMANDS.shown_on(Surface.CONSOLE) if c.usage)]
    assert "team" in listed
