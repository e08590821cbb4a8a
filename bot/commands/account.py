"""/rapport: help, personal settings, pauses and vacations, export and forget-me."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta

from bot.context import Context
from bot.followup import promise_buttons
from bot.formatting import promise_line
from bot.markup import escape
from bot.replies import Attachment, Button, ButtonStyle, Reply, Section, say
from bot.usage import full_help, usage
from habits.budget import morning_time
from habits.detection import parse_due
from habits.followup import due_while_away
from habits.people import (
    Profile,
    TimeOff,
    format_working_days,
    parse_working_days,
    zone,
)

_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_SWITCHES = {"nudges": "nudges_on", "detection": "detection_on", "autotrack": "auto_track",
             "share": "share_with_managers"}
_ON = {"on": True, "yes": True, "true": True, "off": False, "no": False, "false": False}
MAX_TIME_OFF = 50
_DAY = timedelta(days=1)  # vacation dates may start today, so parse them from yesterday


async def rapport(ctx: Context, text: str) -> list[Reply]:
    verb, _, rest = text.strip().partition(" ")
    verb = verb.lower()
    rest = rest.strip()
    if verb in {"", "help", "?"}:
        return [say(full_help())]
    if verb == "settings":
        return await settings(ctx, rest)
    if verb == "pause":
        return await pause(ctx, rest)
    if verb == "resume":
        profile = await ctx.profile()
        await ctx.save_profile(profile.with_changes(paused_until=None))
        return [say("Welcome back: nudges are on again from your next working day.")]
    if verb == "vacation":
        return await vacation(ctx, rest)
    if verb == "export":
        return await export(ctx)
    if verb in {"forget-me", "forgetme", "forget"}:
        return await forget_me(ctx, rest)
    return [say(usage("rapport", f"I don't know `/rapport {escape(verb)}`."))]


def describe(profile: Profile) -> str:
    paused = f"paused until {profile.paused_until.isoformat()}" if profile.paused_until else "active"
    away = ", ".join(f"{s.first.isoformat()}–{s.last.isoformat()}" for s in profile.time_off)
    return "\n".join([
        f"Time zone: {profile.tz}" + (" (set by you)" if profile.tz_override else ""),
        f"Working days: {format_working_days(profile.working_days)}",
        f"Working hours: {profile.work_start:%H:%M}–{profile.work_end:%H:%M} (nothing scheduled "
        "reaches you outside them)",
        f"Daily nudge: {morning_time(profile):%H:%M} local, {'on' if profile.nudges_on else 'off'} "
        f"({paused})",
        f"Time off: {away or 'none'}",
        f"Promise detection: {'on' if profile.detection_on else 'off'}; "
        f"auto-track: {'on' if profile.auto_track else 'off'}",
        f"Share my figures by name with my team's managers: "
        f"{'yes' if profile.share_with_managers else 'no'}",
    ])


def parse_clock(text: str) -> time:
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time; write e.g. 09:30 or 9am")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r} is not a time; write e.g. 09:30 or 9am")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r} is not a time of day")
    return time(hour, minute)


def parse_hours(text: str) -> tuple[time, time]:
    """Working hours such as "08:30-17:30" or "9am-5pm" (at least an hour, within one day)."""
    first, sep, last = text.replace("–", "-").replace(" to ", "-").partition("-")
    if not sep:
        raise ValueError(f"{text!r} is not a span of hours; write e.g. 08:30-17:30")
    start, end = parse_clock(first), parse_clock(last)
    if (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) < 60:
        raise ValueError("working hours end at least an hour after they start, the same day")
    return start, end


async def settings(ctx: Context, text: str) -> list[Reply]:
    profile = await ctx.profile()
    if not text:
        return [say("Your settings", Section(describe(profile)),
                    Section(usage("rapport").split("\n", 2)[1]))]
    key, _, value = text.partition(" ")
    key, value = key.lower(), value.strip()
    try:
        changed = _apply_setting(profile, key, value)
    except ValueError as error:
        return [say(usage("rapport", f"Nothing changed: {escape(str(error))}."))]
    await ctx.save_profile(changed)
    return [say("Saved.", Section(describe(changed)))]


def _apply_setting(profile: Profile, key: str, value: str) -> Profile:
    if not value:
        raise ValueError(f"give a value for {key!r}")
    if key in {"nudge", "time", "nudge-time"}:
        moment = parse_clock(value)
        # A nudge outside the working hours says the hours start earlier (or end later).
        start = min(profile.work_start, moment)
        end = profile.work_end if moment < profile.work_end else \
            min(time(23, 59), (datetime.combine(date.min, moment) + timedelta(hours=1)).time())
        return profile.with_changes(nudge_time=moment, work_start=start, work_end=end)
    if key in {"hours", "working-hours", "work-hours"}:
        start, end = parse_hours(value)
        nudge = profile.nudge_time if start <= profile.nudge_time < end else start
        return profile.with_changes(work_start=start, work_end=end, nudge_time=nudge)
    if key in {"tz", "timezone", "zone"}:
        if value.lower() == "auto":
            return profile.with_changes(tz_override=False)
        return profile.with_changes(tz=zone(value).key, tz_override=True)
    if key in {"days", "workdays", "working-days"}:
        return profile.with_changes(working_days=parse_working_days(value))
    if key in _SWITCHES:
        if value.lower() not in _ON:
            raise ValueError(f"{key} takes on or off")
        return profile.with_changes(**{_SWITCHES[key]: _ON[value.lower()]})
    raise ValueError(f"there is no setting called {key!r}")


def _local_day(ctx: Context, profile: Profile, text: str, now: datetime) -> date:
    moment = parse_due(text, now=now, tz=profile.zone)
    if moment is None:
        raise ValueError(f"I can't read {text!r} as a date; try 2026-12-24 or 'next friday'")
    return moment.astimezone(profile.zone).date()


async def pause(ctx: Context, text: str) -> list[Reply]:
    """`/rapport pause [until <date>]`: no nudges until then (indefinitely without a date)."""
    profile = await ctx.profile()
    now = ctx.now()
    until_text = text.removeprefix("until").strip()
    try:
        until = _local_day(ctx, profile, until_text, now) if until_text else date.max
    except ValueError as error:
        return [say(usage("rapport", f"Nothing changed: {escape(str(error))}."))]
    await ctx.save_profile(profile.with_changes(paused_until=until))
    if until == date.max:
        return [say("Paused. No nudges until you say `/rapport resume`. Your streaks wait for you.")]
    return [say(f"Paused until {until.isoformat()}. Your streaks wait for you.")]


async def vacation(ctx: Context, text: str) -> list[Reply]:
    """`/rapport vacation <first day> [to] <last day>`: days away never break a streak."""
    profile = await ctx.profile()
    now = ctx.now()
    parts = [p for p in re.split(r"\s+(?:to|until|-)\s+|\s+", text) if p]
    if len(parts) != 2:
        return [say(usage("rapport", "Give the first and last day, e.g. "
                                     "`/rapport vacation 2026-12-22 2027-01-02`."))]
    try:
        first = _local_day(ctx, profile, parts[0], now - _DAY)
        last = _local_day(ctx, profile, parts[1], now - _DAY)
    except ValueError as error:
        return [say(usage("rapport", f"Nothing changed: {escape(str(error))}."))]
    if last < first:
        return [say(usage("rapport", "Nothing changed: the last day comes before the first."))]
    spans = (*profile.time_off, TimeOff(first, last))[-MAX_TIME_OFF:]
    await ctx.save_profile(profile.with_changes(time_off=spans))
    away = due_while_away(await ctx.ports.commitments.open_for(ctx.person), profile, first, last)
    text = (f"Enjoy the time off: {first.isoformat()} to {last.isoformat()}. No nudges, no "
            "reminders, and your streaks are safe.")
    if not away:
        return [say(text)]
    head = Section(f"{'This promise falls' if len(away) == 1 else 'These promises fall'} due "
                   "while you're away. I won't ask about them or count them as slipped until "
                   "you're back; telling the people waiting now, with a new date, is the "
                   "honest move.")
    return [say(text, head, *(Section(promise_line(c, profile.zone, now), promise_buttons(c))
                              for c in away[:10]))]


async def export(ctx: Context) -> list[Reply]:
    data = await ctx.ports.personal_data.export(ctx.person)
    content = json.dumps(data, indent=2, sort_keys=True, default=str).encode()
    return [Reply(
        text="Here is everything Rapport stores about you, as JSON.",
        attachment=Attachment("rapport-export.json", content),
    )]


async def forget_me(ctx: Context, text: str) -> list[Reply]:
    if text.lower() != "confirm":
        return [say(
            "This deletes everything Rapport knows about you: promises, kudos, handovers, "
            "streaks and settings. It can't be undone.",
            Section("Delete everything about me?", (
                Button("Yes, delete everything", "account.forget_me", "confirm", ButtonStyle.DANGER),
                Button("Keep my data", "account.keep_data", ""),
            )),
        )]
    await ctx.ports.personal_data.forget(ctx.person)
    return [say("Done: everything Rapport knew about you is deleted. If you talk to me again, "
                "I start from scratch.", replaces_original=True)]

