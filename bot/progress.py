"""Where a person's habits stand: their streaks, computed from the habit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from bot.ports import Ports
from habits.people import Profile
from habits.streaks import RULES, Habit, Streak, YearBits, done_this_week, streaks


async def streaks_of(ports: Ports, profile: Profile, now: datetime) -> list[Streak]:
    """Every habit's streak for the person, as of `now` in their calendar."""
    return streaks_from(await ports.habits.history(profile.person), profile, now)


def streaks_from(history: tuple[dict[Habit, YearBits], YearBits, date], profile: Profile,
                 now: datetime) -> list[Streak]:
    done, lapses, since = history
    today = profile.local_date(now)
    since = min(since, today)
    return streaks(done, lapses, is_working_day=profile.is_working_day,
                   working_days=profile.working_days, since=since, today=today,
                   working=profile.working_flags(since, (today - since).days + 1))


def week_done_from(history: tuple[dict[Habit, YearBits], YearBits, date], profile: Profile,
                   now: datetime) -> Callable[[Habit], bool]:
    """Whether the person has met a habit's weekly target this week: `streaks_from(...)`'s
    `week_done` for that habit, without working out every habit's whole history."""
    done, _lapses, since = history
    today = profile.local_date(now)
    since = min(since, today)

    def week_done(habit: Habit) -> bool:
        practised = done_this_week(done.get(habit, {}), working_days=profile.working_days,
                                   since=since, today=today)
        return practised >= RULES[habit].weekly_target

    return week_done
