"""The capacity section of docs/operations.md, derived from one benchmark run's figures.

    .venv/bin/python -m bench.capacity     (make bench runs it after the benchmarks)

Reads docs/benchmarks.json (bench.figures) and rewrites the "## Capacity" section of
docs/operations.md: the measured figures, each with its command, and how many workspaces of a
given size one process serves, worked out from them under the load model below (stated, not
measured: change it here to match your organisation and run this again).
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "benchmarks.json"
OPERATIONS = ROOT / "docs" / "operations.md"


@dataclass(frozen=True)
class Load:
    """What one person asks of Rapport. Assumptions, not measurements."""

    messages_per_day: float = 150  # chat messages a person's channels carry per working day, per person
    working_hours: float = 8
    peak_factor: float = 4  # the busiest minute against the working day's average
    nudge_lateness_s: float = 300  # a morning nudge may arrive this late (the tick-lag alert)
    years_kept: float = 1  # habit history kept per person


LOAD = Load()
SIZES = (50, 500, 5_000)  # people per workspace, for the table


def _get(figures: dict[str, Any], bench: str, name: str) -> float | None:
    value = figures.get(bench, {}).get(name)
    return None if value is None else float(value)


def _n(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "not measured" if value is None else f"{value:,.{digits}f}{unit}"


def section(figures: dict[str, Any], load: Load = LOAD) -> str:
    ingest = _get(figures, "slack_ingest", "real_chat_events_per_s")
    ingest_ratio = _get(figures, "slack_ingest", "real_chat_ratio")
    core = _get(figures, "slack_ingest", "core_events_per_s")
    core_ratio = _get(figures, "slack_ingest", "core_ratio")
    p99 = _get(figures, "slack_ingest", "ack_p99_ms")
    people = _get(figures, "nudge_fanout", "people")
    one_s = _get(figures, "nudge_fanout", "one_process_s")
    three_s = _get(figures, "nudge_fanout", "three_processes_s")
    cluster_s = _get(figures, "nudge_fanout", "cluster_one_process_s")
    per_nudge = _get(figures, "nudge_fanout", "commands_per_nudge")
    summary_ms = _get(figures, "team_summary", "rapport_ms")
    baseline_ms = _get(figures, "team_summary", "baseline_ms")
    member_bytes = _get(figures, "team_summary", "redis_bytes_per_member")
    person_year = _get(figures, "memory", "person_bytes_per_year")
    mix = _get(figures, "detection", "msgs_per_s_mix")
    at_2k = _get(figures, "detection", "msgs_per_s_2048")

    sent = _get(figures, "nudge_fanout", "nudges_sent") or people  # the budget skips some
    nudges_per_s = sent / one_s if sent and one_s else None
    peak_per_person = load.messages_per_day * load.peak_factor / (load.working_hours * 3600)
    by_ingest = ingest / peak_per_person if ingest else None
    by_nudges = nudges_per_s * load.nudge_lateness_s if nudges_per_s else None
    limits = [(v, why) for v, why in ((by_ingest, "chat at its peak minute"),
                                      (by_nudges, "everyone's nudge in the same minute"))
              if v is not None]
    rows = [
        ("Slack events processed per second, *real chat shapes* (one `rapport serve`)",
         f"{_n(ingest, '/s')} ({_n(ingest_ratio, '×', 2)} bare slack-bolt)",
         "python -m bench.slack_ingest"),
        ("the same, *every event through the core* (all promises)",
         f"{_n(core, '/s')} ({_n(core_ratio, '×', 2)} bare slack-bolt)",
         "python -m bench.slack_ingest"),
        ("Slack ack latency p99 at 1,000 events/s", _n(p99, " ms", 1),
         "python -m bench.slack_ingest"),
        (f"morning nudges with realistic data, {_n(people)} people ({_n(sent)} due one), one "
         "tick process",
         f"{_n(one_s, ' s', 1)} ({_n(nudges_per_s, '/s')}); three processes {_n(three_s, ' s', 1)};"
         f" 6-node cluster, one process {_n(cluster_s, ' s', 1)}; {_n(per_nudge, '', 1)} Redis "
         "commands per nudge", "python -m bench.nudge_fanout"),
        ("team summary, 1,000 members, 52 weeks",
         f"{_n(summary_ms, ' ms', 1)} (raw records, same summary: {_n(baseline_ms, ' ms')})",
         "python -m bench.team_summary"),
        ("Redis memory per person-year of habits and profile", _n(person_year, " bytes"),
         "python -m bench.memory"),
        ("Redis memory per member for a year of promises and kudos, texts kept",
         _n(member_bytes / 1000 if member_bytes else None, " KB", 1),
         "python -m bench.team_summary"),
        ("commitment detection, length mix / exactly 2,048 characters",
         f"{_n(mix, '/s')} / {_n(at_2k, '/s')} messages", "python bench/detection.py"),
    ]
    out = [
        "## Capacity",
        "Written by `make bench` (`python -m bench.capacity`) from the figures of the run in",
        "[benchmarks.md](benchmarks.md) (kept in `docs/benchmarks.json`); every figure comes",
        "from the command beside it, one process and Redis on the same 2-core machine.",
        "",
        "| what | figure | command |",
        "|---|---|---|",
        *[f"| {what} | {figure} | `{command}` |" for what, figure, command in rows],
        "",
        "### How many workspaces one process serves",
        "Worked out from the figures above under a load model that is an assumption, not a "
        f"measurement (`bench/capacity.py`, `Load`): each person's channels carry "
        f"{load.messages_per_day:.0f} messages per working day of {load.working_hours:.0f} hours, "
        f"the busiest minute {load.peak_factor:.0f}× the day's average "
        f"({peak_per_person:.4f} events/s per person); everyone in a workspace may have their "
        f"morning nudge due in the same minute, and it may arrive up to "
        f"{load.nudge_lateness_s:.0f} s late (`RapportTickLagging`). One process then keeps up "
        f"with {_n(by_ingest)} people's chat and {_n(by_nudges)} people's nudges in the same "
        "minute.",
        "",
        "| people per workspace | workspaces per process | what runs out first | "
        "Redis memory for them, a year |",
        "|---|---|---|---|",
    ]
    for size in SIZES:
        if not limits:
            out.append(f"| {size:,} | not measured | | |")
            continue
        limit, why = min(limits)
        workspaces = math.floor(limit / size)
        memory = None
        if person_year is not None and member_bytes is not None:
            memory = workspaces * size * (person_year * load.years_kept + member_bytes) / 1e9
        out.append(f"| {size:,} | {workspaces:,} | {why} | {_n(memory, ' GB', 1)} |")
    out += [
        "",
        "Chat traffic and nudges are served by different processes when the tick runs as its own",
        "CronJob or Deployment, so each limit applies to its own replicas: add serve replicas for",
        "chat and tick processes for mornings. Redis memory is per Redis (or per cluster), not per",
        "process; plan `maxmemory` at twice the figure.",
        "",
        "Rules of thumb that follow:",
        "- **Rapport replicas** are CPU-bound and small (requests 100m / 160 Mi). Keep at least",
        "  two for rolling updates and node drains; add replicas (or the HPA) for bursts.",
        "- **The tick** reads only what is due (sorted sets by due time, 16 shards), so its cost",
        "  grows with the work due, not with the number of people; several tick processes share",
        "  the work without duplicates (claims with leases).",
        "- **Redis**: each platform event costs a handful of round trips and each nudge the",
        "  commands above; a single primary handles tens of thousands of operations a second.",
        "  Move to Redis Cluster for memory, or to isolate very large tenants, before throughput.",
        "",
    ]
    return "\n".join(out)


def rewrite(figures_path: Path = FIGURES, operations: Path = OPERATIONS) -> str:
    figures = json.loads(figures_path.read_text()) if figures_path.exists() else {}
    text = operations.read_text()
    start = text.index("\n## Capacity\n") + 1
    after = text.find("\n## ", start + 1)
    new = section(figures)
    text = text[:start] + new + ("" if after == -1 else text[after:])
    operations.write_text(text.rstrip("\n") + "\n")
    return new


if __name__ == "__main__":
    print(rewrite())
    sys.exit(0)
