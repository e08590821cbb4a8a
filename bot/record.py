"""Recording what people did: their own habit log, and their teams' weekly figures."""

from __future__ import annotations

from datetime import date

from bot.ports import Ports
from habits.people import PersonRef
from habits.streaks import Habit
from habits.summary import week_of


async def practised(ports: Ports, person: PersonRef, habit: Habit, day: date) -> None:
    """The person practised `habit` on their local `day`."""
    await ports.habits.practised(person, habit, day)
    await ports.figures.record(person, week_of(day), {}, active=habit)


async def counted(ports: Ports, person: PersonRef, day: date, **counts: int) -> None:
    """Add to the weekly figures of the person's teams (promises made, kudos given, ...)."""
    await ports.figures.record(person, week_of(day), counts)
