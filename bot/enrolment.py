"""Consent to scheduled messages: who Rapport may write to unasked, and the one step that says so.

Rapport writes first (the morning nudge, a follow-up, a digest) only to people who used it: a
command, a button, a tracked promise. A manager adding someone to a team enrols them too, and
they get a welcome message saying what to expect, with a one-tap way out. Chatting in a channel
the bot is in, being mentioned, receiving kudos or ignoring an offer enrols nobody.

Every use also tells the back-off (habits.budget) that the person is listening again.
"""

from __future__ import annotations

from datetime import datetime

from bot import nudges
from bot.markup import escape, mention
from bot.ports import Ports
from bot.replies import Audience, Button, ButtonStyle, Reply, Section
from habits.budget import BACK_OFF_AFTER
from habits.people import PersonRef, Profile

OPT_OUT = "account.nudges_off"
KEEP_DAILY = nudges.KEEP_DAILY


async def used(ports: Ports, profile: Profile, now: datetime) -> Profile:
    """The person used Rapport (a command or a button): enrol them, and reset the back-off.

    Writes only when something changes, so a busy person costs no extra round trip.
    """
    if profile.enrolled and profile.quiet_days == 0:
        return profile
    if not profile.enrolled:
        await ports.people.enrol(profile.person)
    else:
        await ports.people.interacted(profile.person)
    fresh = profile.with_changes(enrolled=True, quiet_days=0)
    if not profile.enrolled or profile.quiet_days >= BACK_OFF_AFTER:
        await nudges.schedule(ports, fresh, now)  # daily again (or for the first time)
    return fresh


async def added_by_manager(ports: Ports, person: PersonRef, manager: PersonRef, team_name: str,
                           now: datetime) -> Reply | None:
    """Enrol someone a manager added to a team; the welcome DM to send them, or None when
    they already use Rapport (they have heard from it before)."""
    profile = await ports.people.profile(person)
    if profile.enrolled:
        return None
    await ports.people.enrol(person)
    await nudges.schedule(ports, profile.with_changes(enrolled=True, quiet_days=0), now)
    return welcome(person, manager, team_name)


def welcome(person: PersonRef, manager: PersonRef, team_name: str) -> Reply:
    text = (f"Hello! {mention(manager.user)} added you to the team *{escape(team_name)}* in "
            "Rapport, a small coach for keeping promises, recognising people and sharing "
            "decisions. What to expect: one short message on working mornings, at most one "
            "follow-up later that day, never outside your working hours (09:00–18:00 unless you "
            "change them with `/rapport settings hours`). Your manager sees only team totals, "
            "never your own figures unless you choose to share. `/rapport help` shows everything.")
    return Reply(text=text, sections=(Section("", (
        Button("Sounds good", KEEP_DAILY, "", ButtonStyle.PRIMARY),
        Button("No messages, thanks", OPT_OUT, "", ButtonStyle.DANGER),
    )),), audience=Audience.DIRECT, to=person)
