"""The Teams app package: a valid manifest with every command and the message extension."""

from __future__ import annotations

import json
import re
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
        "promise", "kept", "kudos", "thanks", "handover", "prep", "habits", "team", "rapport",
        "help"]
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


def test_the_packaged_manifest_keeps_to_the_current_schema(tmp_path: Path) -> None:
    """Issue 16: the manifest uses a current schema (v1.22: Microsoft's app manifest reference,
    learn.microsoft.com/microsoftteams/platform/resources/schema/manifest-schema) and keeps to
    its rules: the required fields, the length limits, the id and colour formats. (Checked
    against OfficeDev/microsoft-teams-app-schema's v1.22 JSON schema when it was set.)"""
    with zipfile.ZipFile(build(APP_ID, "rapport.example.com", tmp_path / "app.zip")) as archive:
        data = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
    version = data["manifestVersion"]
    assert tuple(int(part) for part in version.split(".")) >= (1, 17)
    assert data["$schema"] == ("https://developer.microsoft.com/json-schemas/teams/"
                               f"v{version}/MicrosoftTeams.schema.json")
    for required in ("manifestVersion", "version", "id", "developer", "name", "description",
                     "icons", "accentColor"):
        assert data[required], required
    assert re.fullmatch(r"\d+\.\d+\.\d+", data["version"])
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", data["accentColor"])
    assert all(data["developer"][key].startswith("https://")
               for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"))
    assert len(data["name"]["short"]) <= 30 and len(data["name"]["full"]) <= 100
    assert len(data["description"]["short"]) <= 80 and len(data["description"]["full"]) <= 4000
    assert {data["icons"]["color"], data["icons"]["outline"]} <= names
    [bot] = data["bots"]
    assert set(bot["scopes"]) <= {"personal", "team", "groupChat", "copilot"}
    [extension] = data["composeExtensions"]
    for command in extension["commands"]:
        assert len(command["id"]) <= 64 and len(command["title"]) <= 32
        assert len(command["description"]) <= 128
    assert all(len(domain) <= 2048 and "/" not in domain for domain in data["validDomains"])
