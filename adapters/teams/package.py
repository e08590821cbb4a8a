"""The Teams app package for sideloading: teams/manifest.json with the app id and the bot's
domain filled in and the bot's command list taken from the command registry, plus the two
icons, in one zip.

    python -m adapters.teams.package --app-id <MICROSOFT_APP_ID> --domain rapport.example.com
    -> teams/build/rapport-teams.zip   (upload it under Apps > Manage your apps > Upload an app)
"""

from __future__ import annotations

import argparse
import json
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

from bot.commands.registry import CHAT_COMMANDS, Surface

SOURCE = Path(__file__).resolve().parents[2] / "teams"
FILES = ("manifest.json", "color.png", "outline.png")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
                     re.IGNORECASE)
TITLE_MAX, DESCRIPTION_MAX = 32, 128  # the manifest schema's limits for a bot command


def command_list() -> list[dict[str, str]]:
    """The bot's commands as the manifest lists them, from the command registry.

    >>> command_list()[0]["title"]
    'promise'
    """
    return [{"title": command.name, "description": command.summary}
            for command in CHAT_COMMANDS.shown_on(Surface.TEAMS)]


def manifest(app_id: str, domain: str, source: Path = SOURCE) -> dict[str, Any]:
    """The manifest with its placeholders filled in; checks the values first.

    >>> manifest("00000000-0000-0000-0000-000000000001", "rapport.example.com")["id"]
    '00000000-0000-0000-0000-000000000001'
    """
    uuid.UUID(app_id)  # the Entra app id of the bot: ValueError if it isn't one
    domain = domain.removeprefix("https://").rstrip("/")
    if not _DOMAIN.match(domain):
        raise ValueError(f"not a domain name: {domain!r} (e.g. rapport.example.com)")
    text = (source / "manifest.json").read_text()
    text = text.replace("${{MICROSOFT_APP_ID}}", app_id).replace("${{BOT_DOMAIN}}", domain)
    loaded: dict[str, Any] = json.loads(text)
    for bot in loaded["bots"]:
        for listed in bot["commandLists"]:
            listed["commands"] = command_list()
    return loaded


def build(app_id: str, domain: str, out: Path | None = None, source: Path = SOURCE) -> Path:
    """Write the zip Teams accepts for sideloading; returns its path."""
    out = out or source / "build" / "rapport-teams.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(app_id, domain, source), indent=2))
        for name in FILES[1:]:
            archive.write(source / name, name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Teams app package (a zip).")
    parser.add_argument("--app-id", required=True, help="MICROSOFT_APP_ID of the bot")
    parser.add_argument("--domain", required=True, help="public host name of the bot")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    print(build(args.app_id, args.domain, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
