"""The Teams app package: a valid manifest with every command and the message extension."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from adapters.teams.package import DESCRIPTION_MAX, SOURCE, TITLE_MAX, build, manifest
from bot.commands.registry import CHAT_COMMANDS, Surface

APP_ID = "00000000-aaaa-bbbb-cccc-000000000001"


def test_the_package_zips_a_filled_manifest_and_both_icons(tmp_path: Path) -> None:
    path = build(APP_ID, "rapport.example.com", tmp_path / "app.zip")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        data = json.loads(archive.read("manifest.json"))
        assert archive.read("color.png").startswith(b"\x89PNG")
    assert "${{" not in json.dumps(data)
    assert data["manifestVersion"] == "1.22" and data["id"] == APP_ID
    assert data["validDomains"] == ["rapport.example.com"]
    [bot] = data["bots"]
    assert bot["botId"] == APP_ID
    assert [c["title"] for c in bot["commandLists"][0]["commands"]] == [
        "promise", "kept", "kudos", "handover", "habits", "team", "rapport", "help"]
    [extension] = data["composeExtensions"]
    [track] = extension["commands"]
    assert (track["title"], track["type"], track["context"], track["fetchTask"]) == (
        "Track as promise", "action", ["message"], True)


def test_the_command_list_is_the_registry_s_teams_commands_within_teams_limits() -> None:
    """The package lists what the registry shows on Teams, so the two cannot drift; the
    checked-in manifest leaves the list to the package rather than keeping a second copy."""
    [bot] = manifest(APP_ID, "rapport.example.com")["bots"]
    for listed in bot["commandLists"]:
        assert listed["commands"] == [{"title": c.name, "description": c.summary}
                                      for c in CHAT_COMMANDS.shown_on(Surface.TEAMS)]
        assert len(listed["commands"]) <= 10  # Teams shows at most ten commands per list
        assert all(len(c["title"]) <= TITLE_MAX and len(c["description"]) <= DESCRIPTION_MAX
                   for c in listed["commands"])
    [source] = json.loads((SOURCE / "manifest.json").read_text())["bots"]
    assert [listed["commands"] for listed in source["commandLists"]] == [[]]


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError):
        manifest("not-a-guid", "rapport.example.com")
    with pytest.raises(ValueError):
        manifest(APP_ID, "not a domain")
