"""Run every benchmark and rewrite docs/benchmarks.md with their figures, and the capacity
section of docs/operations.md from the same figures (bench.capacity, via docs/benchmarks.json).

    make bench            (or: .venv/bin/python -m bench [name ...]: only those are run again,
                           the other sections of docs/benchmarks.md are kept)

Each benchmark runs in its own process and prints a markdown section with its command and
its figures as ratios against a baseline run side by side (machines here are noisy).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench import capacity
from bench.figures import ENV
from bench.support import machine

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS: dict[str, tuple[str, list[str]]] = {
    "detection": ("Commitment detection throughput", ["bench/detection.py"]),
    "slack_ingest": ("Slack ingest and ack latency", ["-m", "bench.slack_ingest"]),
    "nudge_fanout": ("Nudge fan-out", ["-m", "bench.nudge_fanout"]),
    "team_summary": ("Team summary", ["-m", "bench.team_summary"]),
    "memory": ("Redis memory per person-year", ["-m", "bench.memory"]),
}
HEADER = """# Benchmarks

Written by `make bench` (`.venv/bin/python -m bench`) on {when}, {machine}.
Every figure comes with the command that produced it; run one alone with the command shown.
Machines here are noisy, so each benchmark reports ratios against a baseline run side by side
in the same run.
"""


def _kept_sections(chosen: list[str]) -> dict[str, str]:
    """The sections of the current docs/benchmarks.md for the benchmarks not run this time."""
    path = ROOT / "docs" / "benchmarks.md"
    if not path.exists():
        return {}
    parts = path.read_text().split("\n## ")[1:]
    by_title = {part.split("\n", 1)[0]: "## " + part.rstrip() + "\n" for part in parts}
    return {name: by_title[title] for name, (title, _) in BENCHMARKS.items()
            if name not in chosen and title in by_title}


def main(names: list[str]) -> int:
    chosen = names or list(BENCHMARKS)
    kept = _kept_sections(chosen)
    sections = []
    failed = 0
    for name in BENCHMARKS:
        if name in kept:
            sections.append(kept[name])
            continue
        if name not in chosen:
            continue
        title, args = BENCHMARKS[name]
        if args[0] == "-m" and not (ROOT / "bench" / f"{args[1].split('.')[-1]}.py").exists():
            continue
        print(f"running {name}...", file=sys.stderr, flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                                check=False, env={**os.environ, ENV: str(capacity.FIGURES)})
        took = time.monotonic() - started
        if result.returncode != 0:
            failed += 1
            sections.append(f"## {title}\n\nFailed (exit {result.returncode}):\n\n```\n"
                            f"{result.stderr[-2000:]}\n```\n")
            continue
        sections.append(f"## {title}\n\n{result.stdout.strip()}\n\n(took {took:.0f} s)\n")
    text = HEADER.format(when=time.strftime("%Y-%m-%d"), machine=machine()) + "\n" + "\n".join(
        sections)
    (ROOT / "docs" / "benchmarks.md").write_text(text)
    print(text)
    print(capacity.rewrite())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
