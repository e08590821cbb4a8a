"""Corpus metrics for commitment detection; optionally rewrite the figures in docs.

.venv/bin/python bench/detection_report.py            # print figures
.venv/bin/python bench/detection_report.py --write    # also update docs/detection.md
.venv/bin/python bench/detection_report.py --errors   # list misclassified lines
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from habits.detection import detect  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "commitments.jsonl"
HOLDOUT = ROOT / "tests" / "data" / "commitments_holdout.jsonl"
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


def evaluate(path: Path, name: str) -> Scores:
    """Run detect() over a labelled JSON-lines corpus."""
    s = Scores(name)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        s.lines += 1
        tz = ZoneInfo(row["tz"])
        got = detect(row["text"], sent_at=datetime.fromisoformat(row["sent_at"]), tz=tz)
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


def table(scores: list[Scores]) -> str:
    """Markdown table of the figures."""
    out = [
        "| corpus | lines | TP | FP | FN | TN | precision | recall | F1 | due-day accuracy |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        out.append(
            f"| {s.name} | {s.lines} | {s.tp} | {s.fp} | {s.fn} | {s.tn} | {s.precision:.3f} "
            f"| {s.recall:.3f} | {s.f1:.3f} | {s.due_accuracy:.3f} ({s.due_ok}/{s.due_total}) |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite figures in docs")
    parser.add_argument("--errors", action="store_true", help="list misclassified lines")
    args = parser.parse_args(argv)
    scores = [evaluate(CORPUS, "main")]
    if HOLDOUT.exists():
        scores.append(evaluate(HOLDOUT, "holdout"))
    text = table(scores)
    print(text)
    if args.errors:
        for s in scores:
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
