"""/prep: prepare a negotiation in private (habits.negotiation), one question at a time or as a
form, with short feedback on where the leverage is thin.

Every reply goes only to the person preparing (Audience.ME): the counterpart is never told, and
nothing of a prep reaches team figures or summaries but a weekly count of preps started (shown
from the minimum group size). A prep's first finished debrief is a day of Prepare and reflect.
A reply that asks questions carries them twice: as a `Form` (a Slack modal, a Teams card with
inputs) and, for the console, as the next question in its sections
(`/prep answer <n> <text>`, or the Skip button).
"""

from __future__ import annotations

import re
from datetime import date

from bot import record
from bot.context import Context
from bot.dates import DateProblem, read_day
from bot.events import Action
from bot.markup import mention, user_text
from bot.replies import Button, ButtonStyle, Field, Form, Reply, Section, say
from bot.usage import usage
from habits.negotiation import (
    BY_KEY,
    DEBRIEF_KEYS,
    DEBRIEF_QUESTIONS,
    MAX_WHAT,
    QUESTIONS,
    Prep,
    Rule,
    Tip,
    feedback,
)
from habits.streaks import Habit

SAVE = "prep.save"
SKIP = "prep.skip"
OPEN = "prep.form"
SAVE_DEBRIEF = "prep.debrief_save"
OPEN_DEBRIEF = "prep.debrief"
SHOWN = 15
PRIVATE = "Only you see this."

_PREP = re.compile(r"(?P<what>.+?)\s+with\s+<@(?P<who>[^>|\s]+)(?:\|[^>]*)?>"
                   r"(?:\s+on\s+(?P<on>.+?))?\s*", re.DOTALL | re.IGNORECASE)


def _day(day: date | None) -> str:
    return f"{day:%a} {day.day} {day:%b}" if day else "no date yet"


def _title(prep: Prep) -> str:
    what = user_text(prep.what) if prep.what else "(notes expired)"
    return f"*#{prep.number}* {what} — with {mention(prep.counterpart)} — {_day(prep.meeting)}"


def _tip_text(tip: Tip) -> str:
    line = "• " + user_text(tip.text)
    if tip.about and tip.rule is Rule.UNTRADED_CONCESSION:
        line += f" (\"{user_text(tip.about)}\")"
    elif tip.about:
        line += f" {mention(tip.about)} could be the first to ask."
    return line


async def _allies(ctx: Context, prep: Prep) -> list[str]:
    """Colleagues from the person's teams to talk to first (never the counterpart)."""
    found: set[str] = set()
    for team in await ctx.ports.teams.of_person(ctx.person):
        found |= set(team.members) | set(team.managers)
    found -= {ctx.person.user, prep.counterpart}
    return sorted(found)


async def _tips(ctx: Context, prep: Prep) -> tuple[Tip, ...]:
    return feedback(prep, await ctx.today(), await _allies(ctx, prep))


def _feedback_text(tips: tuple[Tip, ...]) -> str:
    if not tips:
        return "Your leverage looks well prepared. Listen in the meeting, and check what you " \
               "assumed about their position."
    return "*Before the meeting:*\n" + "\n".join(_tip_text(tip) for tip in tips)


def _form(prep: Prep, intro: str) -> Form:
    return Form(
        title=f"Prep #{prep.number}", action=SAVE, value=str(prep.number), submit="Save draft",
        intro=intro,
        fields=tuple(Field(q.key, q.ask, q.hint, prep.answer(q.key)) for q in QUESTIONS))


def _question(prep: Prep) -> Section:
    current = prep.current
    if current is None:
        return Section(f"That's every question. `/prep show {prep.number}` shows it on one "
                       "screen; the form changes any answer.",
                       (Button("Open the form", OPEN, str(prep.number)),))
    number = QUESTIONS.index(current) + 1
    hint = f"\n{current.hint}" if current.hint else ""
    return Section(
        f"*{number} of {len(QUESTIONS)}.* {current.ask}{hint}\n"
        f"Answer with `/prep answer {prep.number} &lt;your answer&gt;`, or skip it.",
        (Button("Skip", SKIP, str(prep.number)),
         Button("Open the form", OPEN, str(prep.number))))


async def _asking(ctx: Context, prep: Prep, headline: str,
                  replaces_original: bool = False) -> Reply:
    """The prep's next question (the console), and the whole form (Slack, Teams)."""
    tips = _feedback_text(await _tips(ctx, prep)) if prep.filled else ""
    sections: tuple[Section, ...] = (_question(prep),)
    if tips and prep.current is None:
        sections = (Section(tips), *sections)
    intro = f"{_title(prep)}\nEvery answer is optional; save a draft any time. {PRIVATE}"
    return Reply(text=headline, sections=sections, replaces_original=replaces_original,
                 form=_form(prep, intro + (f"\n{tips}" if tips else "")))


async def prep(ctx: Context, text: str) -> list[Reply]:
    """`/prep <what> with @someone [on <date>]`: a new prep, with its first question."""
    stripped = text.strip()
    if stripped.lower() in {"", "help", "?"}:
        return [say(usage("prep"))]
    found = _PREP.fullmatch(stripped)
    if found is None:
        return [say(usage("prep", "Say what it is about and who it is with, e.g. "
                                  "`/prep the Q1 headcount with @lee on Thursday`."))]
    who = found.group("who")
    if who == ctx.person.user:
        return [say("A negotiation takes two: mention the person you will talk to.")]
    meeting: date | None = None
    if found.group("on"):
        profile = await ctx.profile()
        day = read_day(found.group("on"), ctx.now(), profile.zone)
        if isinstance(day, DateProblem):
            return [say(f"{user_text(day.message)} Nothing was saved yet.")]
        meeting = day
    what = " ".join(found.group("what").split())[:MAX_WHAT]
    now = ctx.now()
    made = await ctx.ports.preps.add(ctx.person, lambda number: Prep(
        ctx.person, number, what, who, meeting, created_at=now))
    # Only a number reaches the person's teams: a prep started this week (docs/managers.md).
    await record.counted(ctx.ports, ctx.person, await ctx.today(), preps=1)
    return [await _asking(ctx, made, f"Prep #{made.number} started: {user_text(what)}, with "
                                     f"{mention(who)}. {PRIVATE}")]


async def _find(ctx: Context, number: str) -> Prep | None:
    digits = number.strip().removeprefix("#")
    if not digits.isascii() or not digits.isdigit():
        return None
    return await ctx.ports.preps.get(ctx.person, int(digits))


def _missing(number: str) -> list[Reply]:
    return [say(f"You have no prep #{user_text(number.strip().removeprefix('#'))}; "
                "`/prep list` shows yours.")]


async def answer(ctx: Context, text: str) -> list[Reply]:
    """`/prep answer <n> <text>`: answers the question the prep is on, then asks the next."""
    number, _, said = text.strip().partition(" ")
    found = await _find(ctx, number)
    if found is None:
        return _missing(number)
    current = found.current or found.restarted().current
    if current is None:
        return [say(f"Every question of prep #{found.number} is answered; the form changes "
                    f"any of them, and `/prep show {found.number}` shows them all.",
                    Section("", (Button("Open the form", OPEN, str(found.number)),)))]
    asked = found if found.current else found.restarted()
    saved = asked.answered(current.key, said).advanced()
    await ctx.ports.preps.save(saved)
    return [await _asking(ctx, saved, "Saved.")]


async def skip(ctx: Context, number: str) -> list[Reply]:
    """`/prep skip <n>` (and the Skip button): on to the next question."""
    found = await _find(ctx, number)
    if found is None:
        return _missing(number)
    moved = found.advanced() if found.current else found
    await ctx.ports.preps.save(moved)
    return [await _asking(ctx, moved, "Skipped; you can come back to it in the form.")]


async def list_preps(ctx: Context, text: str) -> list[Reply]:
    """`/prep list`: the person's preps, newest first."""
    preps = await ctx.ports.preps.all_for(ctx.person)
    if not preps:
        return [say("No preps yet. Before your next negotiation, try "
                    "`/prep the vendor renewal with @sam on Friday`.")]
    lines = [f"{_title(p)} — {p.filled} of {len(QUESTIONS)} answered"
             + (" — debriefed" if p.debrief and p.debrief.outcome else "")
             for p in reversed(preps[-SHOWN:])]
    return [say(f"Your negotiation preps ({PRIVATE})", Section("\n".join(lines)))]


async def show(ctx: Context, number: str) -> list[Reply]:
    """`/prep show <n>`: the prep on one screen, with its feedback."""
    found = await _find(ctx, number)
    if found is None:
        return _missing(number)
    lines = [f"*{BY_KEY[key].ask}* {user_text(found.answer(key))}"
             for key in BY_KEY if found.answer(key)]
    sections = [Section("\n".join(lines) or "Nothing answered yet."),
                Section(_feedback_text(await _tips(ctx, found)))]
    if found.debrief is not None:
        sections.append(Section("*Debrief:*\n" + "\n".join(
            f"*{q.ask}* {user_text(getattr(found.debrief, q.key))}"
            for q in DEBRIEF_QUESTIONS if getattr(found.debrief, q.key))))
    sections.append(Section("", (Button("Open the form", OPEN, str(found.number)),
                                 Button("Debrief", OPEN_DEBRIEF, str(found.number)))))
    return [say(f"{_title(found)} ({PRIVATE})", *sections)]


async def drop(ctx: Context, number: str) -> list[Reply]:
    """`/prep drop <n>`: delete a prep for good."""
    found = await _find(ctx, number)
    if found is None or not await ctx.ports.preps.drop(ctx.person, found.number):
        return _missing(number)
    return [say(f"Prep #{found.number} deleted.")]


def _debrief_form(prep: Prep) -> Form:
    before = prep.debrief
    return Form(
        title=f"Debrief #{prep.number}", action=SAVE_DEBRIEF, value=str(prep.number),
        submit="Save", intro=f"{_title(prep)}\nA few lines while it is fresh. {PRIVATE}",
        fields=tuple(Field(q.key, q.ask, q.hint, getattr(before, q.key) if before else "")
                     for q in DEBRIEF_QUESTIONS))


async def debrief(ctx: Context, text: str) -> list[Reply]:
    """`/prep debrief <n> [how it went]`: the outcome in words (the form asks the rest)."""
    number, _, said = text.strip().partition(" ")
    found = await _find(ctx, number)
    if found is None:
        return _missing(number)
    if said.strip():
        return await _save_debrief(ctx, found, {"outcome": said})
    questions = "\n".join(f"• {q.ask}" for q in DEBRIEF_QUESTIONS)
    return [Reply(text=f"How did it go? {_title(found)}",
                  sections=(Section(f"{questions}\nIn a line: `/prep debrief {found.number} "
                                    "&lt;how it went&gt;`."),),
                  form=_debrief_form(found))]


async def _save_debrief(ctx: Context, found: Prep, texts: dict[str, str],
                        replaces_original: bool = False) -> list[Reply]:
    saved = found.with_debrief(texts, ctx.now())
    await ctx.ports.preps.save(saved)
    finished = bool(saved.debrief and saved.debrief.outcome)
    habit = ""
    if finished and not (found.debrief and found.debrief.outcome):
        # A debrief with its outcome is a day of Prepare and reflect, once per prep.
        await record.practised(ctx.ports, ctx.person, Habit.PREPARE_REFLECT, await ctx.today())
        habit = " A day of *Prepare and reflect*."
    door = "" if saved.debrief and saved.debrief.relationship else \
        " However it went, leave the door open: there will be a next time."
    return [say(f"Debrief saved for prep #{found.number}.{habit}{door} {PRIVATE}",
                replaces_original=replaces_original)]


def _number(action: Action) -> str:
    return action.value


async def on_skip(ctx: Context, action: Action) -> list[Reply]:
    return await skip(ctx, _number(action))


async def on_open(ctx: Context, action: Action) -> list[Reply]:
    found = await _find(ctx, _number(action))
    if found is None:
        return _missing(_number(action))
    return [await _asking(ctx, found, f"Prep #{found.number}")]


async def on_save(ctx: Context, action: Action) -> list[Reply]:
    """The form was submitted: every answer it sent saved as a draft, then the feedback."""
    found = await _find(ctx, _number(action))
    if found is None:
        return _missing(_number(action))
    saved = found.with_answers(action.values).restarted()
    await ctx.ports.preps.save(saved)
    tips = _feedback_text(await _tips(ctx, saved))
    headline = f"Draft saved: {saved.filled} of {len(QUESTIONS)} answered. {PRIVATE}"
    return [Reply(text=headline, sections=(
        Section(tips, (Button("Open the form", OPEN, str(saved.number), ButtonStyle.PRIMARY),)),),
        replaces_original=True, form=_form(saved, f"{_title(saved)}\n{tips}"))]


async def on_open_debrief(ctx: Context, action: Action) -> list[Reply]:
    return await debrief(ctx, _number(action))


async def on_save_debrief(ctx: Context, action: Action) -> list[Reply]:
    found = await _find(ctx, _number(action))
    if found is None:
        return _missing(_number(action))
    texts = {key: action.values[key] for key in DEBRIEF_KEYS if key in action.values}
    return await _save_debrief(ctx, found, texts, replaces_original=True)
