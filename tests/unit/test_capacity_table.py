"""docs/operations.md's capacity table (bench.capacity) follows from the benchmark figures."""

from __future__ import annotations

import math

from bench.capacity import Load, section

FIGURES = {
    "slack_ingest": {"real_chat_events_per_s": 1000.0, "real_chat_ratio": 0.5},
    "nudge_fanout": {"people": 10_000, "nudges_sent": 9_000, "one_process_s": 90.0},
    "memory": {"person_bytes_per_year": 2_000.0},
    "team_summary": {"redis_bytes_per_member": 8_000.0},
}


def test_workspaces_per_process_is_the_tighter_of_chat_and_nudges() -> None:
    load = Load(messages_per_day=120, working_hours=8, peak_factor=4, nudge_lateness_s=300)
    text = section(FIGURES, load)
    by_chat = 1000 / (120 * 4 / (8 * 3600))          # 60,000 people
    by_nudges = 9_000 / 90 * 300                     # 30,000 people: the limit
    assert math.floor(min(by_chat, by_nudges) / 500) == 60
    assert "| 500 | 60 | everyone's nudge in the same minute | 0.3 GB |" in text
    assert "60,000 people's chat and 30,000 people's nudges" in text


def test_chat_limits_when_nudges_are_cheap() -> None:
    figures = {**FIGURES, "nudge_fanout": {"people": 10_000, "one_process_s": 1.0}}
    text = section(figures, Load(messages_per_day=120, peak_factor=4))
    assert "| 5,000 | 12 | chat at its peak minute |" in text


def test_figures_not_measured_say_so() -> None:
    text = section({})
    assert "| 50 | not measured | | |" in text
    assert "not measured" in text.split("| Slack ack latency p99 at 1,000 events/s |")[1]
