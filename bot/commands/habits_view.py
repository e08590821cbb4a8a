"""/habits: streaks, best runs and this week's progress, in the person's own calendar."""

from __future__ import annotations

from bot.context import Context
from bot.progress import streaks_of
from bot.replies import Reply, Section, say
from bot.usage import usage
from habits.people import Profile
from habits.streaks import RULES, Streak


async def streaks_for(ctx: Context, profile: Profile) -> list[Streak]:
    return await streaks_of(ctx.ports, profile, ctx.now())


def _bar(done: int, target: int) -> str:
    return "●" * min(done, max(target, done)) + "○" * max(0, target - done)


async def habits(ctx: Context, text: str) -> list[Reply]:
    """`/habits`: one line per habit, and the habit that most needs attention."""
    if text.strip():
        return [say(usage("habits", "`/habits` takes no options."))]
    profile = await ctx.profile()
    results = await streaks_for(ctx, profile)
    sections = []
    for result in results:
        rule = RULES[result.habit]
        week = (f"{_bar(result.this_week, result.weekly_target)} "
                f"{result.this_week}/{result.weekly_target}" if result.weekly_target
                else f"{result.this_week}")  # no weekly target (Prepare and reflect)
        sections.append(Section(
            f"*{rule.title}* — streak {result.current} (best {result.best}) · this week {week}"))
    weakest = min(results, key=lambda r: (r.week_done, r.current))
    sections.append(Section("Tip: " + RULES[weakest.habit].tip))
    return [say("Your habits", *sections)]
