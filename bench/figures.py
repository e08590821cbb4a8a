"""The key figures of a benchmark run, kept for the capacity table (bench.capacity).

Each benchmark calls `record` with its headline figures; `python -m bench` points
`RAPPORT_BENCH_FIGURES` at docs/benchmarks.json, so the table in docs/operations.md is
derived from the same run as docs/benchmarks.md (a benchmark not run again keeps its last
figures, as its section of docs/benchmarks.md does). Run alone, a benchmark records nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ENV = "RAPPORT_BENCH_FIGURES"


def record(benchmark: str, **figures: float) -> None:
    """Keep `figures` under `benchmark` in the run's figures file, if there is one."""
    where = os.environ.get(ENV)
    if not where:
        return
    path = Path(where)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[benchmark] = {**data.get(benchmark, {}), **{k: round(v, 3) for k, v in figures.items()}}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
