"""/rapport: help, personal settings, pauses and vacations, export and forget-me."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta

from bot import coaching
from bot.context import Context
from bot.dates import DateProblem, read_day
from bot.followup import promise_buttons
from bot.formatting import promise_line
from bot.markup import escape
from bot.replies import Attachment, Button, ButtonStyle, Reply, Section, say
from bot.usage import full_help, sub_command_miss, usage
from habits.budget import morning_time
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
    """`/rapport` alone is its help; every `/rapport <verb>` is routed by the command registry."""
    verb = text.strip().partition(" ")[0].lower()
    if verb == "":
        return [say(full_help())]
    return [say(sub_command_miss("rapport", verb))]


async def resume(ctx: Context) -> list[Reply]:
    profile = await ctx.profile()
    await ctx.save_profile(profile.with_changes(paused_until=None))
    return [say("Welcome back: nudges are on again from your next working day.")]


HOW_TO_CHANGE = (
    "Change one with e.g. `/rapport settings nudge 09:30`; the others are `hours 08:30-17:30`, "
    "`tz Europe/Berlin`, `days sun-thu`, `nudges off`, `detection off`, `autotrack on` and "
    "`share on`.")


def _nudge_state(profile: Profile) -> str:
    """The morning nudge in a few words: when it comes, or why it doesn't."""
    at = f"{morning_time(profile):%H:%M}"
    if not profile.nudges_on:
        return f"off (`/rapport settings nudges on` brings it back at {at})"
    if profile.paused_until == date.max:
        return "paused until you say `/rapport resume`"
    if profile.paused_until is not None:
        return f"paused through {_day(profile.paused_until)}, then {at} on working days"
    return f"{at} on working days"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def describe(profile: Profile) -> str:
    away = ", ".join(_span(s) for s in profile.time_off)
    return "\n".join([
        f"Time zone: {profile.tz}" + (" (set by you)" if profile.tz_override else ""),
        f"Working days: {format_working_days(profile.working_days)}",
        f"Working hours: {profile.work_start:%H:%M}–{profile.work_end:%H:%M} (nothing scheduled "
        "reaches you outside them)",
        f"Morning nudge: {_nudge_state(profile)}",
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
        return [say("Your settings", Section(describe(profile)), Section(HOW_TO_CHANGE))]
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


def _local_day(profile: Profile, text: str, now: datetime) -> date:
    day = read_day(text, now, profile.zone)
    if isinstance(day, DateProblem):
        raise ValueError(day.message)
    return day


async def pause(ctx: Context, text: str) -> list[Reply]:
    """`/rapport pause [until <date>]`: no nudges until then (indefinitely without a date)."""
    profile = await ctx.profile()
    now = ctx.now()
    until_text = text.removeprefix("until").strip()
    try:
        until = _local_day(profile, until_text, now) if until_text else date.max
    except ValueError as error:
        return [say(usage("rapport", f"Nothing changed: {escape(str(error))}"))]
    await ctx.save_profile(profile.with_changes(paused_until=until))
    if until == date.max:
        return [say("Paused. No nudges until you say `/rapport resume`. Your streaks wait for you.")]
    return [say(f"Paused until {until.isoformat()}: no nudges through {_day(until)}. Your "
                "streaks wait for you.")]


_RANGE = re.compile(r"\s+(?:to|until|till|through|-|–)\s+", re.IGNORECASE)


def _vacation_days(profile: Profile, text: str, now: datetime) -> tuple[date, date]:
    """"2026-12-22 to 2027-01-02", "next monday to next friday", "friday" (one day), or two
    days without a "to" ("today today"); ValueError saying what can't be read."""
    parts = _RANGE.split(text.strip(), maxsplit=1)
    if len(parts) == 2:
        return _local_day(profile, parts[0], now), _local_day(profile, parts[1], now)
    try:
        day = _local_day(profile, text, now)
        return day, day
    except ValueError as whole:
        words = text.split()
        for cut in range(1, len(words)):  # "today today", "monday next friday"
            try:
                return (_local_day(profile, " ".join(words[:cut]), now),
                        _local_day(profile, " ".join(words[cut:]), now))
            except ValueError:
                continue
        raise whole


def merged(spans: tuple[TimeOff, ...], new: TimeOff) -> tuple[TimeOff, ...]:
    """The time off with `new` added, overlapping or touching spans joined into one.

    >>> d = date.fromisoformat
    >>> merged((TimeOff(d("2026-12-20"), d("2026-12-24")),), TimeOff(d("2026-12-23"), d("2027-01-02")))
    (TimeOff(first=datetime.date(2026, 12, 20), last=datetime.date(2027, 1, 2)),)
    """
    out: list[TimeOff] = []
    for span in sorted((*spans, new), key=lambda s: (s.first, s.last)):
        if out and span.first <= out[-1].last + _DAY:
            out[-1] = TimeOff(out[-1].first, max(out[-1].last, span.last))
        else:
            out.append(span)
    return tuple(out)


def _span(span: TimeOff) -> str:
    if span.first == span.last:
        return f"{span.first:%a} {span.first.isoformat()}"
    return f"{span.first.isoformat()} to {span.last.isoformat()}"


async def vacation(ctx: Context, text: str) -> list[Reply]:
    """`/rapport vacation <first day> [to <last day>]`, `vacation list`, `vacation cancel [n]`:
    days away never break a streak."""
    verb, _, rest = text.strip().partition(" ")
    if verb.lower() == "list" and not rest.strip():
        return await list_vacations(ctx)
    if verb.lower() == "cancel":
        return await cancel_vacation(ctx, rest.strip())
    profile = await ctx.profile()
    now = ctx.now()
    if not text.strip():
        return [say(usage("rapport", "Give the first and last day, e.g. "
                                     "`/rapport vacation 2026-12-22 to 2027-01-02`, or one day."))]
    try:
        first, last = _vacation_days(profile, text, now)
    except ValueError as error:
        return [say(usage("rapport", f"Nothing changed: {escape(str(error))}"))]
    if last < first:
        return [say(usage("rapport", "Nothing changed: the last day comes before the first."))]
    today = profile.local_date(now)
    kept = tuple(s for s in profile.time_off if s.last >= today - timedelta(days=365))
    spans = merged(kept, TimeOff(first, last))
    if len(spans) > MAX_TIME_OFF:
        return [say(f"Nothing changed: you have {len(kept)} stretches of time off planned, the "
                    f"most I keep. `/rapport vacation cancel` takes one back.")]
    joined = next(s for s in spans if s.covers(first))
    await ctx.save_profile(profile.with_changes(time_off=spans))
    away = due_while_away(await ctx.ports.commitments.open_for(ctx.person), profile, first, last)
    text = f"Enjoy the time off: {_span(joined)}. No nudges, no reminders, and your streaks are safe."
    if joined != TimeOff(first, last):
        text += " (It joins the time off you already had.)"
    if not away:
        return [say(text)]
    one = len(away) == 1
    head = f"{'This promise falls' if one else 'These promises fall'} due while you're away. " \
        f"I won't ask about {'it' if one else 'them'} until you're back."
    if any(c.to for c in away):
        head += " " + await coaching.words(ctx.ports, ctx.person, coaching.AWAY,
                                           profile.local_date(now))
    else:
        head += " A new date now saves you a catch-up later."
    return [say(text, Section(head), *(Section(promise_line(c, profile.zone, now),
                                               promise_buttons(c)) for c in away[:10]))]


def _upcoming(profile: Profile, now: datetime) -> list[TimeOff]:
    today = profile.local_date(now)
    return sorted((s for s in profile.time_off if s.last >= today), key=lambda s: s.first)


async def list_vacations(ctx: Context) -> list[Reply]:
    profile = await ctx.profile()
    ahead = _upcoming(profile, ctx.now())
    if not ahead:
        return [say("No time off planned. `/rapport vacation 2026-12-22 to 2027-01-02` adds "
                    "some.")]
    lines = [f"{number}. {_span(span)}" for number, span in enumerate(ahead, 1)]
    return [say("Your time off:\n" + "\n".join(lines)
                + "\n`/rapport vacation cancel <number>` takes one back.")]


async def cancel_vacation(ctx: Context, text: str) -> list[Reply]:
    """`/rapport vacation cancel [n]`: the only (or the n-th) stretch of time off ahead."""
    profile = await ctx.profile()
    ahead = _upcoming(profile, ctx.now())
    if not ahead:
        return [say("Nothing to cancel: no time off planned.")]
    number = text.removeprefix("#")
    if not number and len(ahead) == 1:
        number = "1"
    if not (number.isascii() and number.isdigit() and 1 <= int(number) <= len(ahead)):
        lines = "\n".join(f"{n}. {_span(s)}" for n, s in enumerate(ahead, 1))
        return [say(f"Which one? Say e.g. `/rapport vacation cancel 1`:\n{lines}")]
    gone = ahead[int(number) - 1]
    await ctx.save_profile(profile.with_changes(
        time_off=tuple(s for s in profile.time_off if s != gone)))
    return [say(f"Cancelled your time off {_span(gone)}. Nudges and reminders go on as usual "
                "those days.")]


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

