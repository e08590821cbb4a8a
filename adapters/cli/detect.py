"""`rapport detect`: run commitment detection over lines on stdin.

Input, one message per line, either plain text or a JSON object
``{"text": ..., "now"?: ISO 8601, "tz"?: IANA zone}`` (per-line values override the
command-line defaults). Output, one JSON line per non-blank input line::

    {"commitment": true, "what": "send the deck", "to": ["U123"], "due": "2026-11-27T17:00:00+00:00"}

A line that starts with ``{`` but is not a valid request (bad JSON, no "text", bad
"now" or "tz") produces ``{"error": "..."}`` in its place, processing continues, and
the exit status is 1. A bad ``--tz`` or ``--now`` is reported on stderr with exit 2.
Blank lines are skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from habits.detection import detect

__all__ = ["main", "run"]

EXIT_OK, EXIT_BAD_LINES, EXIT_USAGE = 0, 1, 2


class _LineError(ValueError):
    """A request line that cannot be processed."""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # "../x", "America"
        raise _LineError(f"unknown time zone {name!r}") from exc


def _instant(value: str, tz: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _LineError(f"invalid ISO 8601 time {value!r}") from exc
    # A naive time is read as wall-clock time in the author's zone.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _request(line: str, now: str | None, tz: ZoneInfo) -> tuple[str, datetime, ZoneInfo]:
    if not line.lstrip().startswith("{"):
        return line, _instant(now, tz) if now else datetime.now(UTC), tz
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _LineError(f"invalid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise _LineError('expected a JSON object with a string "text"')
    line_tz = tz
    if obj.get("tz") is not None:
        if not isinstance(obj["tz"], str):
            raise _LineError('"tz" must be a string')
        line_tz = _zone(obj["tz"])
    line_now = obj.get("now", now)
    if line_now is not None and not isinstance(line_now, str):
        raise _LineError('"now" must be an ISO 8601 string')
    sent_at = _instant(line_now, line_tz) if line_now else datetime.now(UTC)
    return obj["text"], sent_at, line_tz


def run(stdin: TextIO, stdout: TextIO, stderr: TextIO, *, now: str | None, tz: str) -> int:
    """Detect commitments in each stdin line and write one JSON result line per input.

    Returns 0, 1 if some lines were invalid requests, or 2 for a bad ``tz``/``now``.

    >>> import io
    >>> out = io.StringIO()
    >>> run(io.StringIO("ill send it tmrw\\n"), out, io.StringIO(),
    ...     now="2026-11-24T10:00:00+00:00", tz="Europe/London")
    0
    >>> out.getvalue()
    '{"commitment": true, "what": "send it", "to": [], "due": "2026-11-25T17:00:00+00:00"}\\n'
    """
    try:
        zone = _zone(tz)
        if now is not None:
            _instant(now, zone)
    except _LineError as exc:
        print(f"rapport detect: {exc}", file=stderr)
        return EXIT_USAGE
    status = EXIT_OK
    for number, raw in enumerate(stdin, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            text, sent_at, line_tz = _request(line, now, zone)
        except _LineError as exc:
            status = EXIT_BAD_LINES
            stdout.write(json.dumps({"error": f"line {number}: {exc}"}) + "\n")
            continue
        found = detect(text, sent_at=sent_at, tz=line_tz)
        result = {
            "commitment": found is not None,
            "what": found.what if found else None,
            "to": list(found.to) if found else [],
            "due": found.due.isoformat() if found and found.due else None,
        }
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return status


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point (``python -m adapters.cli.detect``); `rapport` wires run()."""
    parser = argparse.ArgumentParser(prog="rapport detect", description=__doc__.splitlines()[0])
    parser.add_argument("--now", help="ISO 8601 send time for lines without one (default: now)")
    parser.add_argument("--tz", default="UTC", help="author's IANA time zone (default: UTC)")
    args = parser.parse_args(argv)
    return run(sys.stdin, sys.stdout, sys.stderr, now=args.now, tz=args.tz)


if __name__ == "__main__":
    raise SystemExit(main())
