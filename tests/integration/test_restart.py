"""Data survives a restart of the app, with the embedded Redis server it starts itself."""

from __future__ import annotations

from pathlib import Path

from adapters.bootstrap import build
from adapters.console.repl import Console
from adapters.settings import Settings


async def test_data_survives_a_restart(tmp_path: Path) -> None:
    settings = Settings(rapport_data_dir=tmp_path, redis_url=None)
    first = await build(settings)
    try:
        console = Console(first.core, first.console_messenger, me="sam")
        await console.handle_line("/promise send the deck to @priya by Friday")
    finally:
        await first.close()
    assert first.embedded is not None and first.embedded.process is not None
    assert first.embedded.process.poll() is not None  # the server really stopped

    second = await build(settings)
    try:
        out = "\n".join(await Console(second.core, second.console_messenger, me="sam").handle_line("/kept"))
        assert "#1 send the deck" in out
    finally:
        await second.close()
