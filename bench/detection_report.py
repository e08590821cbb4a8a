"""Corpus metrics for commitment detection, beside a baseline; optionally rewrite the docs' figures.

.venv/bin/python bench/detection_report.py            # print figures, now and baseline
.venv/bin/python bench/detection_report.py --write    # also update docs/detection.md
.venv/bin/python bench/detection_report.py --errors   # list misclassified lines (main only)
.venv/bin/python bench/detection_report.py --baseline <rev>   # another baseline commit

The baseline is ``habits/detection`` as it was at BASELINE_REV (the rules before the messy-chat
work), read with ``git show`` and loaded side by side under another package name, so both are
measured on the same corpora in one run. The figures are counts, not timings: no noise.
The holdouts are never tuned on, so --errors lists the main corpus only (--holdout-errors
exists for reading what the detector misses after the fact, not for tuning).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from habits.detection import detect  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "commitments.jsonl"
HOLDOUT = ROOT / "tests" / "data" / "commitments_holdout.jsonl"
HOLDOUT_V2 = ROOT / "tests" / "data" / "commitments_holdout_v2.jsonl"
# habits/detection before the messy-chat rules (issue 18); the holdout v2 was committed here.
BASELINE_REV = "f11691e23206e5ed7ac7069b1619f5d00dcbc77d"
_BASELINE_PACKAGE = "rapport_baseline_detection"
Detector = Callable[..., Any]
DOC = ROOT / "docs" / "detection.md"
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"


@dataclass
class Scores:
    """Confusion counts and due-date agreement over one corpus."""

    name: str
    lines: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    due_total: int = 0
    due_ok: int = 0
    to_total: int = 0
    to_ok: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def due_accuracy(self) -> float:
        return self.due_ok / self.due_total if self.due_total else 1.0


def load_baseline(rev: str) -> Detector:
    """``detect`` from habits/detection at git revision ``rev``, loaded beside today's."""
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{rev}:habits/detection"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    sources = {
        name: subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:habits/detection/{name}"],
                             check=True, capture_output=True, text=True).stdout
        for name in listing if name.endswith(".py")
    }
    found: Detector = load_sources(sources, _BASELINE_PACKAGE).detect
    return found


def load_pure_sources() -> ModuleType:
    """habits/detection as its .py files say, loaded as plain Python beside the imported package
    (which setup.py compiles with mypyc): what the compiled modules are checked against."""
    folder = ROOT / "habits" / "detection"
    return load_sources({path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.py")},
                        "rapport_pure_detection")


def load_sources(sources: dict[str, str], package: str) -> ModuleType:
    """The package made of ``sources`` (file name -> text of a habits/detection module), imported
    under the name ``package``, every module loaded."""
    if package in sys.modules:
        return sys.modules[package]
    folder = Path(tempfile.mkdtemp(prefix=f"{package}-")) / package
    folder.mkdir()
    for name, source in sources.items():
        (folder / name).write_text(source.replace("habits.detection", package), encoding="utf-8")
    sys.path.insert(0, str(folder.parent))
    try:
        loaded = importlib.import_module(package)
        for name in sources:  # every module, so each is an attribute of the package
            if name != "__init__.py":
                importlib.import_module(f"{package}.{name.removesuffix('.py')}")
        return loaded
    finally:
        sys.path.remove(str(folder.parent))


def evaluate(path: Path, name: str, detector: Detector = detect) -> Scores:
    """Run a detector over a labelled JSON-lines corpus."""
    s = Scores(name)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        s.lines += 1
        tz = ZoneInfo(row["tz"])
        got = detector(row["text"], sent_at=datetime.fromisoformat(row["sent_at"]), tz=tz)
        want = bool(row["commitment"])
        if want and got:
            s.tp += 1
            if row.get("due_date"):
                s.due_total += 1
                day = got.due.astimezone(tz).date().isoformat() if got.due else None
                if day == row["due_date"]:
                    s.due_ok += 1
                else:
                    s.errors.append(f"DUE want {row['due_date']} got {day}: {row['text']!r}")
            if "to" in row:
                s.to_total += 1
                s.to_ok += list(got.to) == row["to"]
        elif want:
            s.fn += 1
            s.errors.append(f"FN: {row['text']!r}")
        elif got:
            s.fp += 1
            s.errors.append(f"FP: {row['text']!r} -> {got.what!r}")
        else:
            s.tn += 1
    return s


def table(scores: list[tuple[str, Scores]]) -> str:
    """Markdown table of the figures, one row per (detector, corpus)."""
    out = [
        "| rules | corpus | lines | TP | FP | FN | TN | precision | recall | F1 | due-day accuracy |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rules, s in scores:
        out.append(
            f"| {rules} | {s.name} | {s.lines} | {s.tp} | {s.fp} | {s.fn} | {s.tn} | {s.precision:.3f} "
            f"| {s.recall:.3f} | {s.f1:.3f} | {s.due_accuracy:.3f} ({s.due_ok}/{s.due_total}) |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite figures in docs")
    parser.add_argument("--errors", action="store_true", help="list misclassified main-corpus lines")
    parser.add_argument("--holdout-errors", action="store_true", help="list misclassified holdout lines")
    parser.add_argument("--baseline", default=BASELINE_REV, help="git revision of the baseline rules")
    parser.add_argument("--no-baseline", action="store_true", help="today's rules only")
    args = parser.parse_args(argv)
    corpora = [(CORPUS, "main"), (HOLDOUT, "holdout"), (HOLDOUT_V2, "holdout v2")]
    corpora = [(p, n) for p, n in corpora if p.exists()]
    scores = [("now", evaluate(p, n)) for p, n in corpora]
    if not args.no_baseline:
        base = load_baseline(args.baseline)
        scores += [(f"baseline {args.baseline[:7]}", evaluate(p, n, base)) for p, n in corpora]
    text = table(scores)
    print(text)
    for rules, s in scores:
        wanted = args.errors if s.name == "main" else args.holdout_errors
        if rules == "now" and wanted:
            for e in s.errors:
                print(f"[{s.name}] {e}")
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        block = f"{BEGIN}\n{text}\n{END}"
        new, n = re.subn(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, doc, flags=re.S)
        if n != 1:
            print(f"markers {BEGIN} ... {END} not found in {DOC}", file=sys.stderr)
            return 1
        DOC.write_text(new, encoding="utf-8")
        print(f"updated {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
