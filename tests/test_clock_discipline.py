"""One clock: product code reads the time only from `bot.clock.Clock`.

Every decision that depends on the date or the time of day (due dates, nudges, streaks, leases
in the tick's own time) must see the clock the composition root hands out, or a test, a
`rapport tick --now` or a `RAPPORT_NOW` run would see two different "nows". This reads every
module of habits/, bot/ and adapters/ with `ast` (so aliases, `import datetime as dt` and
`from time import time` are seen too, and comments and strings are not) and fails on any read of
the wall clock outside bot/clock.py and a short list of transport modules.

Monotonic clocks (`time.monotonic`, `time.perf_counter`, the event loop's time) measure
durations, not dates, and are always allowed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("habits", "bot", "adapters")

# Each read of the wall clock that stays, with the reason it is not a product decision.
ALLOWED = {
    "bot/clock.py": "the clock itself: SystemClock is the one place product time comes from",
    "adapters/slack/http.py": "transport: Slack's signature check compares the request stamp "
                              "with the real time, whatever moment the bot runs at",
    "adapters/cli/detect.py": "pending: run()'s fallback when called without `now`; `rapport "
                              "detect` always passes the clock's now (adapters/cli/main.py)",
}

# Fully qualified names whose use (call or reference) reads the wall clock.
WALL_CLOCK = {
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
    "datetime.date.today", "time.time", "time.time_ns",
}
# These read the wall clock only when not given a moment: called with at most this many
# positional arguments (time.strftime(format) formats "now", time.strftime(format, t) does not).
WALL_CLOCK_WITHOUT_MOMENT = {
    "time.localtime": 0, "time.gmtime": 0, "time.ctime": 0, "time.asctime": 0, "time.strftime": 1,
}


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> fully qualified name, for the names imported from datetime and time."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ("datetime", "time"):
                    names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module in ("datetime", "time"):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _qualified(node: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _qualified(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    return None


def wall_clock_reads(source: str, filename: str = "<source>") -> Iterator[tuple[int, str]]:
    """(line, name) of every read of the wall clock in `source`."""
    tree = ast.parse(source, filename)
    aliases = _aliases(tree)
    called: dict[int, ast.Call] = {id(node.func): node for node in ast.walk(tree)
                                   if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name | ast.Attribute):
            continue
        name = _qualified(node, aliases)
        if name in WALL_CLOCK:
            yield node.lineno, name
        elif name in WALL_CLOCK_WITHOUT_MOMENT:
            call = called.get(id(node))
            # A reference (e.g. passed as a callable) or a call without a moment reads "now".
            if call is None or (len(call.args) <= WALL_CLOCK_WITHOUT_MOMENT[name]
                                and not call.keywords):
                yield node.lineno, name


def product_modules() -> Iterator[Path]:
    for package in PRODUCT:
        yield from sorted((ROOT / package).rglob("*.py"))


def test_product_code_reads_the_time_only_from_the_clock() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}: {name}"
             for path in product_modules()
             if path.relative_to(ROOT).as_posix() not in ALLOWED
             for line, name in wall_clock_reads(path.read_text(), str(path))]
    assert not found, ("product code reads the wall clock; take the time from the Clock the "
                       "composition root passes in (bot.clock):\n  " + "\n  ".join(found))


def test_every_allowed_module_exists_and_still_needs_its_exception() -> None:
    for relative, reason in ALLOWED.items():
        path = ROOT / relative
        assert path.exists(), f"{relative} is allowed to read the wall clock but is gone"
        assert reason.strip(), f"{relative} needs a one-line reason"
        assert list(wall_clock_reads(path.read_text(), str(path))), \
            f"{relative} no longer reads the wall clock: take it off the allow-list"


@pytest.mark.parametrize("source", [
    "from datetime import datetime\ndatetime.now()",
    "from datetime import datetime, UTC\nx = datetime.now(UTC).date()",
    "import datetime\ndatetime.datetime.utcnow()",
    "import datetime as dt\ndt.date.today()",
    "from datetime import date as day\nday.today()",
    "from datetime import datetime\nf = datetime.now  # a reference reads it later",
    "import time\ntime.time()",
    "from time import time\ntime()",
    "from time import time as wall\nstarted = wall",
    "import time\ntime.strftime('%H:%M')",
    "import time\ntime.localtime()",
    "def later():\n    import time as t\n    return t.time_ns()",
])
def test_the_check_sees_each_way_of_reading_the_wall_clock(source: str) -> None:
    assert list(wall_clock_reads(source))


@pytest.mark.parametrize("source", [
    "import time\ntime.monotonic(); time.perf_counter(); time.sleep(1)",
    "from datetime import datetime\ndatetime.fromisoformat('2026-11-24T09:00:00+00:00')",
    "from datetime import datetime, UTC\ndatetime.fromtimestamp(0, UTC)",
    "import time\ntime.strftime('%H:%M', time.gmtime(0))",
    "def f(clock):\n    return clock.now()",
    "# datetime.now() in a comment\nx = 'time.time()'",
    "from bot.clock import Clock\nclass Sys:\n    def now(self): ...\nSys().now()",
])
def test_the_check_leaves_clocks_durations_and_formatting_alone(source: str) -> None:
    assert not list(wall_clock_reads(source))
