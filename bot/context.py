"""What a use case needs to serve one person's event: who, where, when, and the ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot import enrolment, nudges, retention
from bot.clock import Clock
from bot.events import Actor
from bot.ports import Ports
from habits.people import PersonRef, Profile, zone


@dataclass(frozen=True, slots=True)
class Context:
    actor: Actor
    ports: Ports
    clock: Clock
    channel: str | None = None
    key: str | None = None  # the event's idempotency key: what it stores, it stores once

    @property
    def person(self) -> PersonRef:
        return self.actor.person

    def now(self) -> datetime:
        return self.clock.now()

    async def profile(self) -> Profile:
        """The actor's profile, with the platform's time zone and name taken in when they changed.

        A time zone the person set themselves (an override) wins over the platform's.
        """
        profile = await self.ports.people.profile(self.person)
        changes: dict[str, object] = {}
        if self.actor.tz and not profile.tz_override and self.actor.tz != profile.tz:
            try:
                zone(self.actor.tz)
                changes["tz"] = self.actor.tz
            except ValueError:
                pass  # a zone the platform knows and we don't: keep the last good one
        if self.actor.display_name and self.actor.display_name != profile.display_name:
            changes["display_name"] = self.actor.display_name
        if profile.since is None:
            changes["since"] = profile.local_date(self.now())
        if changes:
            profile = profile.with_changes(**changes)
            await self.ports.people.save_profile(profile)
            if "since" in changes:
                await retention.schedule(self.ports, self.person, self.now())
            if "tz" in changes and profile.enrolled:
                await nudges.schedule(self.ports, profile, self.now())
        return profile

    async def used(self) -> Profile:
        """The person used Rapport (a command, a button): the one step that enrols them."""
        return await enrolment.used(self.ports, await self.profile(), self.now())

    async def save_profile(self, profile: Profile) -> None:
        """Save settings the person changed, and move their daily nudge to match."""
        await self.ports.people.save_profile(profile)
        await nudges.schedule(self.ports, profile, self.now())

    async def today(self) -> date:
        return (await self.profile()).local_date(self.now())
