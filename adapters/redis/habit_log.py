"""The habit log: one bitmap per person, habit and year, and one of lapsed promises."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from redis.asyncio import Redis

from adapters.redis.keys import PersonKeys
from adapters.redis.records import NoPersonalRecords
from habits.people import PersonRef
from habits.streaks import Habit, YearBits, bit_index

History = tuple[dict[Habit, YearBits], YearBits, date]


def no_history() -> History:
    """Nothing on record, so no first day yet: date.max rather than "today", as the store reads
    no clock; readers start a history at min(first day, their today) (bot.progress)."""
    return {}, {}, date.max


def history_keys(keys: PersonKeys, years: Sequence[int]) -> list[str]:
    """The keys one MGET reads for a history: every habit's years, then the lapses' years."""
    return [*(keys.habit(h, y) for h in Habit for y in years), *(keys.lapses(y) for y in years)]


def history_of(years: Sequence[int], values: Sequence[bytes | None]) -> History:
    """A history from the values of `history_keys(keys, years)`, `years` sorted."""
    done: dict[Habit, YearBits] = {}
    position = 0
    for habit in Habit:
        done[habit] = {year: value for year, value in
                       zip(years, values[position:position + len(years)], strict=True) if value}
        position += len(years)
    lapses = {year: value for year, value in zip(years, values[position:], strict=True) if value}
    return done, lapses, date(years[0], 1, 1)


class RedisHabitLog(NoPersonalRecords):
    """`rp:{u:…}:habit:<habit>:<year>` and `:lapse:<year>` bitmaps, `:habits:years` their years."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def practised(self, person: PersonRef, habit: Habit, day: date) -> None:
        keys = PersonKeys(person)
        await self._set(keys, keys.habit(habit, day.year), day)

    async def lapsed(self, person: PersonRef, day: date) -> None:
        keys = PersonKeys(person)
        await self._set(keys, keys.lapses(day.year), day)

    async def unpractised(self, person: PersonRef, habit: Habit, day: date) -> None:
        keys = PersonKeys(person)
        await self._set(keys, keys.habit(habit, day.year), day, 0)

    async def _set(self, keys: PersonKeys, key: str, day: date, bit: int = 1) -> None:
        year, index = bit_index(day)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.setbit(key, index, bit)
            pipe.sadd(keys.habit_years, str(year))
            await pipe.execute()

    async def history(self, person: PersonRef) -> History:
        return (await self.histories([person]))[0]

    async def histories(self, people: Sequence[PersonRef],
                        years: Sequence[Sequence[int]] | None = None) -> list[History]:
        if years is None:
            async with self.redis.pipeline(transaction=False) as pipe:
                for person in people:
                    pipe.smembers(PersonKeys(person).habit_years)
                year_sets: Sequence[Iterable[bytes | int]] = await pipe.execute()
        else:
            year_sets = years
        plans = [(PersonKeys(p), sorted(int(y) for y in ys))
                 for p, ys in zip(people, year_sets, strict=True)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for keys, wanted in plans:
                if wanted:
                    # MGET by name: a cluster pipeline blocks pipe.mget(), but these keys
                    # share the person's hash tag, so one MGET stays in one slot.
                    pipe.execute_command("MGET", *history_keys(keys, wanted))
            values_of = iter(await pipe.execute())
        return [history_of(wanted, next(values_of)) if wanted else no_history()
                for _, wanted in plans]

    async def days(self, person: PersonRef) -> dict[str, list[str]]:
        """Every day on record per habit, as ISO dates (for the personal data export)."""
        done, lapses, _ = await self.history(person)
        out: dict[str, list[str]] = {}
        for name, bits in [*((h.value, b) for h, b in done.items()), ("lapsed", lapses)]:
            out[name] = [d.isoformat() for d in _days_set(bits)]
        return out

    async def export(self, person: PersonRef) -> dict[str, Any]:
        return {"habit_days": await self.days(person)}


def _days_set(bits: YearBits) -> Iterable[date]:
    for year, data in sorted(bits.items()):
        for byte_index, byte in enumerate(data):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    yield date.fromordinal(date(year, 1, 1).toordinal() + byte_index * 8 + bit)
