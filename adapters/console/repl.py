"""`rapport console`: talk to Rapport in a terminal, through the same core as Slack and Teams.

Lines starting with `/` are commands, `:N` presses button N (with the rest of the line as its
input, e.g. a new date), `:as <name>` switches person, and anything else is a chat message.

Replies are shown as plain text: no markup characters, emoji codes as emoji (":tada:" -> 🎉),
and the buttons of a promise on a row that names it ("#3:  [:4] Kept ..."), so the number you
press is never mistaken for the promise's. Each person keeps their own buttons across `:as`.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import TextIO

from adapters.console.messenger import ConsoleMessenger
from bot.commands.registry import CHAT_COMMANDS, Surface
from bot.core import Rapport
from bot.events import Action, Actor, Command, Message
from bot.markup import plain
from bot.replies import Audience, Button, Reply
from habits.people import PersonRef

PLATFORM, WORKSPACE, CHANNEL = "console", "local", "console"
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_AT = re.compile(r"(?<![\w<])@([A-Za-z0-9._-]{1,40})")

_EMOJI = {":tada:": "\U0001f389", ":pray:": "\U0001f64f", ":wave:": "\U0001f44b",
          ":sparkles:": "\u2728", ":white_check_mark:": "\u2705", ":raised_hands:": "\U0001f64c",
          ":clap:": "\U0001f44f", ":bulb:": "\U0001f4a1", ":handshake:": "\U0001f91d"}
_EMOJI_CODE = re.compile(r":[a-z0-9_+-]+:")
_PROMISE_ACTIONS = frozenset({"promise.kept", "promise.more_time", "promise.drop",
                              "promise.undo"})


def console_text(markup: str) -> str:
    """Rapport markup as the console prints it: plain, without backticks, emoji as emoji.

    >>> console_text(":tada: Kudos from <@sam>: *the* `/kept` list")
    '\U0001f389 Kudos from @sam: the /kept list'
    """
    text = plain(markup).replace("`", "")
    return _EMOJI_CODE.sub(lambda m: _EMOJI.get(m.group(0), m.group(0)), text)


def _messages(count: int) -> str:
    return "1 new message" if count == 1 else f"{count} new messages"


_EVERY = ", ".join(f"/{c.name}" for c in CHAT_COMMANDS.shown_on(Surface.CONSOLE) if c.usage)
HELP = f"""Console commands:
  /help                 every Rapport command ({_EVERY})
  :as <name>            act as someone else (try :as priya), and see their messages
  :1, :2 ...            press a button; add text for buttons that ask for it (:2 next friday)
  :who                  who you are
  :quit                 leave (your data stays)
Anything else is a chat message in a shared channel."""


class Console:
    """The console backend: turns typed lines into neutral events and replies into text."""

    def __init__(self, core: Rapport, messenger: ConsoleMessenger, me: str = "me",
                 exports: Path = Path(".")) -> None:
        self.core = core
        self.messenger = messenger
        self.me = me
        self.admin = me  # the person at the terminal administers the local workspace
        self.exports = exports
        self._buttons: dict[str, list[Button]] = {}  # each person's, kept across `:as`
        self._fresh: list[Button] = []
        self.counter = 0

    @property
    def buttons(self) -> list[Button]:
        """The buttons `:N` presses: those of the current person's latest output."""
        return self._buttons.get(self.me, [])

    def actor(self) -> Actor:
        """Who is typing: the console's own user is the workspace admin (they can create
        teams); the people they switch to with `:as` are not."""
        return Actor(PersonRef(PLATFORM, WORKSPACE, self.me), display_name=self.me,
                     is_admin=self.me == self.admin)

    async def handle_line(self, line: str) -> list[str]:
        """What the console prints for one typed line, then anything waiting in the inbox."""
        self._fresh = []
        out = await self._handle(line.strip())
        waiting = await self.messenger.collect(PersonRef(PLATFORM, WORKSPACE, self.me))
        if waiting:
            out += [f"You have {_messages(len(waiting))}:", *await self.show(waiting)]
        if self._fresh:
            self._buttons[self.me] = self._fresh  # this line's buttons replace older ones
        return out

    async def _handle(self, line: str) -> list[str]:
        if not line:
            return []
        if line in {":quit", ":q", ":exit"}:
            raise EOFError
        if line in {":help", ":h"}:
            return HELP.splitlines()
        if line == ":who":
            return [f"You are @{self.me}."]
        if line.startswith(":as"):
            return self.switch(line[3:].strip())
        press = re.match(r"^:(\d+)\s*(.*)$", line)
        if press:
            return await self.press(int(press.group(1)), press.group(2))
        if line.startswith(":"):
            return [f"Unknown console command {line.split()[0]!r}.", *HELP.splitlines()]
        if line.startswith("/"):
            name, _, text = line[1:].partition(" ")
            return await self.show(await self.core.handle(
                Command(self.actor(), name, _mentions(text), CHANNEL)))
        replies = await self.core.handle(Message(
            self.actor(), _mentions(line), CHANNEL, ref=self._next_ref()))
        return await self.show(replies)

    def switch(self, name: str) -> list[str]:
        name = name.lstrip("@")
        if not _NAME.match(name):
            return ["Usage: :as <name>, e.g. :as priya (letters, digits, . _ -)"]
        self.me = name
        left = len(self.buttons)
        return [f"You are now @{name}." + (f" Your buttons :1–:{left} still work."
                                            if left > 1 else " Your button :1 still works."
                                            if left else "")]

    async def press(self, number: int, text: str) -> list[str]:
        if not 1 <= number <= len(self.buttons):
            return [f"There is no button {number} here."]
        button = self.buttons[number - 1]
        values = {"date": text} if text else {}
        return await self.show(await self.core.handle(
            Action(self.actor(), button.action, button.value, CHANNEL, values)))

    async def show(self, replies: list[Reply]) -> list[str]:
        out: list[str] = []
        for reply in replies:
            if reply.audience is Audience.DIRECT and reply.to and reply.to.user != self.me:
                await self.messenger.deliver(reply)
                out.append(f"(sent @{reply.to.user} a direct message; :as {reply.to.user} "
                           "to read it)")
                continue
            lines = self._render(reply, self._fresh)
            prefix = {Audience.CHANNEL: "#console", Audience.ME: "Rapport",
                      Audience.DIRECT: "Rapport (DM)"}[reply.audience]
            out.append(f"{prefix}: {lines[0]}")
            out.extend(lines[1:])
            if reply.attachment is not None:
                self.exports.mkdir(parents=True, exist_ok=True)
                path = self.exports / f"{self.me}-{reply.attachment.filename}"
                path.write_bytes(reply.attachment.content)
                out.append(f"  (file saved: {path})")
        return out

    def _render(self, reply: Reply, buttons: list[Button]) -> list[str]:
        lines = console_text(reply.text).splitlines() or [""]
        for section in reply.sections:
            lines.extend("  " + line for line in console_text(section.text).splitlines())
            if section.buttons:
                labels = []
                for button in section.buttons:
                    buttons.append(button)
                    labels.append(f"[:{len(buttons)}] {button.label}"
                                  + (" <date>" if button.asks_for_date else ""))
                lines.append("    " + _about(section.buttons) + "   ".join(labels))
        return lines

    def _next_ref(self) -> str:
        self.counter += 1
        return f"console-{self.counter}"


def _about(buttons: tuple[Button, ...]) -> str:
    """ "#3:  " before a row of buttons that all act on promise #3, else nothing."""
    values = {button.value for button in buttons}
    if len(values) == 1 and all(b.action in _PROMISE_ACTIONS for b in buttons):
        (value,) = values
        if value.isascii() and value.isdigit():
            return f"#{value}:  "
    return ""


def _mentions(text: str) -> str:
    """Console mentions (@priya) in the core's form (<@priya>)."""
    return _AT.sub(lambda m: f"<@{m.group(1)}>", text)


async def run(console: Console, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """Read lines until end of input or :quit, printing what Rapport answers."""
    interactive = stdin.isatty()
    print("Rapport console. Type /help for Rapport's commands, :help for the console's, "
          ":quit to leave.", file=stdout)
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            print(f"{console.me}> ", end="", file=stdout, flush=True)
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        try:
            for out in await console.handle_line(line):
                print(out, file=stdout)
        except EOFError:
            break
        stdout.flush()
