"""Quality gate: precision, recall and due-day accuracy on the labelled corpus.

Reproduce the figures with: .venv/bin/python bench/detection_report.py
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from habits.detection import detect

DATA = Path(__file__).resolve().parent.parent / "data"
TARGET_PRECISION, TARGET_RECALL, TARGET_DUE = 0.95, 0.90, 0.95
# The messy-chat holdout (issue 18): written before the rules it measures, never tuned on.
HOLDOUT_PRECISION, HOLDOUT_RECALL, HOLDOUT_DUE = 0.95, 0.92, 0.95


def figures(path: Path) -> dict[str, float]:
    tp = fp = fn = tn = due_total = due_ok = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        tz = ZoneInfo(row["tz"])
        got = detect(row["text"], sent_at=datetime.fromisoformat(row["sent_at"]), tz=tz)
        if row["commitment"] and got:
            tp += 1
            if row.get("due_date"):
                due_total += 1
                due_ok += bool(got.due and got.due.astimezone(tz).date().isoformat() == row["due_date"])
        elif row["commitment"]:
            fn += 1
        elif got:
            fp += 1
        else:
            tn += 1
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return {
        "lines": tp + fp + fn + tn,
        "positives": tp + fn,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
        "due_accuracy": due_ok / due_total,
        "due_total": due_total,
    }


def test_corpus_is_big_and_balanced_enough() -> None:
    f = figures(DATA / "commitments.jsonl")
    assert f["lines"] >= 300
    assert 0.3 <= f["positives"] / f["lines"] <= 0.5


def test_quality_targets_on_main_corpus() -> None:
    f = figures(DATA / "commitments.jsonl")
    print("\nmain corpus:", {k: round(v, 3) for k, v in f.items()})
    assert f["precision"] >= TARGET_PRECISION
    assert f["recall"] >= TARGET_RECALL
    assert f["due_accuracy"] >= TARGET_DUE


def test_holdout_figures_are_reported() -> None:
    path = DATA / "commitments_holdout.jsonl"
    if not path.exists():
        pytest.skip("no holdout corpus")
    # Reported, not gated: the first, small holdout of clean sentences.
    print("\nholdout:", {k: round(v, 3) for k, v in figures(path).items()})


def test_quality_floors_on_messy_chat_holdout() -> None:
    """Gated: the messy-chat holdout, never tuned on, holds precision, recall and due-day."""
    f = figures(DATA / "commitments_holdout_v2.jsonl")
    print("\nholdout v2:", {k: round(v, 3) for k, v in f.items()})
    assert f["lines"] >= 300
    assert f["precision"] >= HOLDOUT_PRECISION
    assert f["recall"] >= HOLDOUT_RECALL
    assert f["due_accuracy"] >= HOLDOUT_DUE
