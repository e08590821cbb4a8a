"""The Dockerfile, checked structurally (no Docker engine runs in CI, so it is not built here):
two stages, compilers only in the builder, a non-root user, the chart's port and entrypoint."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#")))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), " ".join(rest.split())))
    return out


def stages() -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    current = None
    for word, rest in instructions((ROOT / "Dockerfile").read_text()):
        if word == "FROM":
            parts = rest.split()
            current = parts[parts.index("AS") + 1] if "AS" in parts else str(len(found))
            found[current] = [(word, rest)]
        elif current is not None:
            found[current].append((word, rest))
    return found


def test_two_stages_on_python_3_11_slim() -> None:
    assert list(stages()) == ["builder", "runtime"]
    args = dict(rest.split("=", 1) for word, rest in instructions(
        (ROOT / "Dockerfile").read_text()) if word == "ARG")
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", args["PYTHON_IMAGE"])
    for stage in stages().values():
        assert stage[0][1].startswith("${PYTHON_IMAGE}")


def test_compilers_only_in_the_builder() -> None:
    builder, runtime = stages()["builder"], stages()["runtime"]
    assert any("pip wheel" in rest for word, rest in builder if word == "RUN")
    runtime_text = " ".join(rest for _, rest in runtime)
    for tool in ("build-essential", "gcc", "g++", "make ", "apt-get install", "-dev"):
        assert tool not in runtime_text
    installs = [rest for word, rest in runtime if word == "RUN" and "pip install" in rest]
    assert len(installs) == 1 and "--no-index" in installs[0] and "from=builder" in installs[0]
    assert not any(word in {"ADD"} or (word == "COPY" and "--from" not in rest)
                   for word, rest in runtime), "the runtime stage takes only wheels"


def test_the_builder_compiles_detection() -> None:
    # setup.py is what compiles habits/detection (mypyc): without it the wheel is plain Python.
    copied = " ".join(rest for word, rest in stages()["builder"] if word == "COPY").split()
    assert "setup.py" in copied and "pyproject.toml" in copied and "habits" in copied
    assert any(word == "RUN" and "build-essential" in rest for word, rest in stages()["builder"])
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert "**/*.so" in ignore  # a local build (this machine's) never reaches the image


def test_runs_as_uid_10001_with_the_chart_contract() -> None:
    runtime = stages()["runtime"]
    users = [rest for word, rest in runtime if word == "USER"]
    assert users == ["10001:10001"]
    after_user = runtime[[w for w, _ in runtime].index("USER"):]
    assert not any(word == "RUN" for word, _ in after_user)
    env = " ".join(rest for word, rest in runtime if word == "ENV")
    assert "RAPPORT_DATA_DIR=/tmp/rapport" in env and "PYTHONDONTWRITEBYTECODE=1" in env
    assert ("EXPOSE", "3978") in runtime
    assert json.loads(dict(runtime)["ENTRYPOINT"]) == ["rapport"]
    assert json.loads(dict(runtime)["CMD"]) == ["serve"]

    values = yaml.safe_load((ROOT / "helm/rapport/values.yaml").read_text())
    assert values["podSecurityContext"]["runAsUser"] == 10001
    assert values["config"]["port"] == 3978


def test_the_build_context_holds_what_the_builder_copies() -> None:
    ignore = (ROOT / ".dockerignore").read_text().split()
    sources = [name for word, rest in stages()["builder"] if word == "COPY"
               for name in rest.split()[:-1]]
    assert "README.md" in sources  # pyproject.toml's readme
    for source in sources:
        assert (ROOT / source).exists(), source
        assert f"!{source}" in ignore or f"!{source}/" in ignore, f"{source} is docker-ignored"
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"]["find"]["include"]
    assert {p.rstrip("*") for p in packages} <= {s.rstrip("/") for s in sources}


def test_the_chart_runs_the_version_the_image_is_tagged_with() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    chart = yaml.safe_load((ROOT / "helm/rapport/Chart.yaml").read_text())
    assert chart["appVersion"] == version
