"""The Teams app package: a valid manifest with every command and the message extension."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from adapters.teams.package import build, manifest
from adapters.teams.translate import COMMANDS

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
    assert {c["title"] for c in bot["commandLists"][0]["commands"]} == set(COMMANDS)
    [extension] = data["composeExtensions"]
    [track] = extension["commands"]
    assert (track["title"], track["type"], track["context"], track["fetchTask"]) == (
        "Track as promise", "action", ["message"], True)


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError):
        manifest("not-a-guid", "rapport.example.com")
    with pytest.raises(ValueError):
        manifest(APP_ID, "not a domain")
