"""Tests for the `rapport detect` command body (adapters.cli.detect.run)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

from adapters.cli.detect import run

NOW = "2026-11-24T10:00:00+00:00"


def call(stdin: str, *, now: str | None = NOW, tz: str = "UTC") -> tuple[int, list[Any], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(io.StringIO(stdin), out, err, now=now, tz=tz)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_plain_lines() -> None:
    code, rows, err = call("ill send it tmrw\nthanks!\n", tz="Europe/London")
    assert code == 0 and err == ""
    assert rows == [
        {"commitment": True, "what": "send it", "to": [], "due": "2026-11-25T17:00:00+00:00"},
        {"commitment": False, "what": None, "to": [], "due": None},
    ]


def test_json_lines_with_per_line_now_and_tz() -> None:
    line = json.dumps(
        {
            "text": "<@U1> I'll review the PR by Friday 3pm",
            "now": "2026-11-24T09:00:00",
            "tz": "America/New_York",
        }
    )
    code, rows, _ = call(line + "\n" + json.dumps({"text": "I'll do it by 5pm"}) + "\n")
    assert code == 0
    assert rows[0] == {
        "commitment": True,
        "what": "review the PR",
        "to": ["U1"],
        "due": "2026-11-27T15:00:00-05:00",
    }
    assert rows[1]["due"] == "2026-11-24T17:00:00+00:00"  # defaults from the command line


def test_bad_line_reports_error_and_continues_with_exit_1() -> None:
    stdin = '{"text": "I\'ll send it"\n{"no_text": 1}\n{"text": "x", "tz": "Mars/Base"}\nI will do it\n'
    code, rows, _ = call(stdin)
    assert code == 1
    assert [sorted(r) for r in rows[:3]] == [["error"], ["error"], ["error"]]
    assert rows[0]["error"].startswith("line 1: invalid JSON")
    assert "Mars/Base" in rows[2]["error"]
    assert rows[3]["commitment"] is True


def test_blank_lines_are_skipped() -> None:
    code, rows, _ = call("\n   \nI'll do it\n")
    assert code == 0 and len(rows) == 1


def test_bad_tz_is_a_usage_error() -> None:
    code, rows, err = call("I'll do it\n", tz="Nowhere/Land")
    assert code == 2 and rows == []
    assert "Nowhere/Land" in err


def test_bad_now_is_a_usage_error() -> None:
    code, _, err = call("I'll do it\n", now="yesterday-ish")
    assert code == 2 and "yesterday-ish" in err


def test_default_now_is_current_time() -> None:
    code, rows, _ = call("I'll do it in 2 hours\n", now=None)
    assert code == 0
    due = datetime.fromisoformat(rows[0]["due"])
    assert abs((due - datetime.now(UTC)).total_seconds() - 7200) < 60


def test_docstring_examples() -> None:
    import doctest

    import adapters.cli.detect

    assert doctest.testmod(adapters.cli.detect).failed == 0
