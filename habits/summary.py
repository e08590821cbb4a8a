"""Team figures: what a week of a team's habits adds up to, and how it reads as a trend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from habits.streaks import Habit

COUNTS = ("promises_made", "kept_on_time", "kept_late", "renegotiated", "dropped", "lapsed",
          "kudos", "kudos_junior", "handovers", "handovers_accepted", "thanks", "help_thanked",
          "help_kept", "reached_out")
SPARKS = "▁▂▃▄▅▆▇█"


def week_of(day: date) -> str:
    """The ISO week a local day falls in: week_of(date(2026, 11, 24)) == "2026-W48"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_weeks(day: date, count: int) -> list[str]:
    """The `count` ISO weeks ending with the one containing `day`, oldest first."""
    return [week_of(day - timedelta(weeks=offset)) for offset in range(count - 1, -1, -1)]


@dataclass(frozen=True, slots=True)
class WeekFigures:
    week: str
    counts: Mapping[str, int]
    active: Mapping[Habit, int]   # members who practised the habit at least once that week

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    def share_active(self, habit: Habit, members: int) -> float:
        return min(1.0, self.active.get(habit, 0) / members) if members else 0.0


def sparkline(values: Sequence[float]) -> str:
    """Values as a row of block characters, scaled to the largest: "▁▅█".

    >>> sparkline([0, 1, 2])
    '▁▅█'
    """
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[round(v / top * (len(SPARKS) - 1))] for v in values)
