"""/team: teams of people with managers, and the managers' privacy-respecting summary."""

from __future__ import annotations

import re
from dataclasses import replace

from bot import digest
from bot.context import Context
from bot.markup import escape, mention, mentioned, strip_mentions, unescape, user_text
from bot.replies import Audience, Reply, Section, say
from bot.team_summary import csv_export, summary_sections, what_managers_see
from bot.usage import usage
from habits.summary import last_weeks
from habits.teams import FLOOR_GROUP_SIZE, Team, team_id_for

_NAME = re.compile(r"^[\w][\w .&'-]{0,59}$")
MAX_MEMBERS = 5000


async def team(ctx: Context, text: str) -> list[Reply]:
    verb, _, rest = text.strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb in {"help", "?"}:
        return [say(usage("team"))]
    if verb == "":
        return await overview(ctx)
    if verb == "create":
        return await create(ctx, rest)
    if verb == "managers":
        sub, _, rest = rest.partition(" ")
        if sub.lower() in {"add", "remove"}:
            return await change(ctx, f"managers {sub.lower()}", rest.strip())
        return [say(usage("team", "Say `/team managers add @someone` or `remove`."))]
    if verb in {"add", "remove", "junior", "senior"}:
        return await change(ctx, verb, rest)
    if verb == "export":
        return await export(ctx, rest)
    if verb == "privacy":
        return await privacy(ctx, rest)
    if verb == "delete":
        return await delete(ctx, rest)
    return [say(usage("team", f"I don't know `/team {escape(verb)}`."))]


async def _managed(ctx: Context) -> list[Team]:
    teams = await ctx.ports.teams.in_workspace(ctx.person.workspace_ref) if ctx.actor.is_admin \
        else await ctx.ports.teams.of_person(ctx.person)
    return [t for t in teams if ctx.actor.is_admin or t.is_manager(ctx.person.user)]


async def _pick(ctx: Context, text: str) -> tuple[Team | None, str, Reply | None]:
    """The team a command is about: named first ("web @a"), or the only one you manage."""
    first, _, rest = text.partition(" ")
    managed = await _managed(ctx)
    if first and not first.startswith("<@"):
        found = next((t for t in managed if t.team_id == team_id_for(first)), None)
        if found is None:
            exists = await ctx.ports.teams.get(ctx.person.workspace_ref, team_id_for(first))
            problem = ("Only that team's managers can change it or see its figures."
                       if exists else f"There is no team called {escape(first)!r} that you manage.")
            return None, rest, say(problem)
        return found, rest.strip(), None
    if len(managed) == 1:
        return managed[0], text, None
    if not managed:
        return None, text, say("You don't manage a team yet. `/team create &lt;name&gt;` starts one.")
    names = ", ".join(t.team_id for t in managed)
    return None, text, say(f"Which team? You manage {names}: e.g. `/team add {managed[0].team_id} @someone`.")


async def create(ctx: Context, name: str) -> list[Reply]:
    name = unescape(name)  # Slack sends "R&D" as "R&amp;D"
    if not _NAME.match(name):
        return [say(usage("team", "Give the team a name, e.g. `/team create Platform`."))]
    team_id = team_id_for(name)
    if await ctx.ports.teams.get(ctx.person.workspace_ref, team_id):
        return [say(f"There is already a team called {escape(name)!r}.")]
    created = Team(ctx.person.workspace_ref, team_id, name, managers=frozenset({ctx.person.user}))
    await ctx.ports.teams.save(created)
    await digest.schedule(ctx.ports, ctx.person, ctx.now())
    return [say(f"Created team *{user_text(name)}*; you manage it. Add people with "
                f"`/team add {team_id} @someone @someone-else`.")]


async def change(ctx: Context, verb: str, text: str) -> list[Reply]:
    chosen, rest, problem = await _pick(ctx, text)
    if problem is not None:
        return [problem]
    assert chosen is not None
    people = mentioned(rest)
    if not people or strip_mentions(rest):
        return [say(usage("team", "Mention the people, e.g. `/team add @ana @ben`."))]
    updated = chosen
    if verb == "add":
        updated = replace(chosen, members=chosen.members | set(people))
    elif verb == "remove":
        updated = replace(chosen, members=chosen.members - set(people),
                          juniors=chosen.juniors - set(people))
    elif verb == "junior":
        updated = replace(chosen, members=chosen.members | set(people),
                          juniors=chosen.juniors | set(people))
    elif verb == "senior":
        updated = replace(chosen, juniors=chosen.juniors - set(people))
    elif verb == "managers add":
        updated = replace(chosen, managers=chosen.managers | set(people))
    elif verb == "managers remove":
        remaining = chosen.managers - set(people)
        if not remaining:
            return [say("A team needs at least one manager; add another before removing the last.")]
        updated = replace(chosen, managers=remaining)
    if len(updated.members) > MAX_MEMBERS:
        return [say(f"A team can have at most {MAX_MEMBERS} members.")]
    await ctx.ports.teams.save(updated)
    for manager in updated.managers - chosen.managers:
        await digest.schedule(ctx.ports, updated.person(manager), ctx.now())
    names = ", ".join(mention(p) for p in people)
    replies = [say(f"Team *{user_text(updated.name)}*: {verb} {names}. "
                   f"It has {len(updated.members)} member(s).")]
    joined = (updated.members - chosen.members) | (updated.managers - chosen.managers)
    for user in sorted(joined):
        profile = await ctx.ports.people.profile(updated.person(user))
        replies.append(Reply(
            text=f"You were added to team *{user_text(updated.name)}* by {mention(ctx.person.user)}. "
                 + what_managers_see(updated, profile),
            audience=Audience.DIRECT, to=updated.person(user)))
    return replies


async def overview(ctx: Context) -> list[Reply]:
    """Managers see each team's summary; everyone sees what their teams' managers see of them."""
    profile = await ctx.profile()
    now = ctx.now()
    sections: list[Section] = []
    for managed in await _managed(ctx):
        sections += await summary_sections(ctx.ports, managed, profile, now)
    mine = [t for t in await ctx.ports.teams.of_person(ctx.person) if ctx.person.user in t.members]
    if mine:
        sections.append(Section("What your teams' managers see about you:\n" + "\n".join(
            what_managers_see(t, profile) for t in mine)))
    if not sections:
        return [say("You're not in a team yet. " + usage("team"))]
    return [say("Teams", *sections)]


async def export(ctx: Context, text: str) -> list[Reply]:
    chosen, _, problem = await _pick(ctx, text)
    if problem is not None:
        return [problem]
    assert chosen is not None
    if not chosen.shows_figures():
        return [say(f"*{user_text(chosen.name)}* is below the minimum size for figures, so there is "
                    "nothing to export.")]
    profile = await ctx.profile()
    weeks = await ctx.ports.figures.weeks(chosen, last_weeks(profile.local_date(ctx.now()), 52))
    return [Reply(text=f"Weekly figures for *{user_text(chosen.name)}*, last 52 weeks (no names).",
                  attachment=csv_export(chosen, weeks))]


async def privacy(ctx: Context, text: str) -> list[Reply]:
    chosen, rest, problem = await _pick(ctx, text)
    if problem is not None:
        return [problem]
    assert chosen is not None
    if not (rest.isascii() and rest.isdigit()) or int(rest) < FLOOR_GROUP_SIZE:
        return [say(usage("team", f"Give a minimum group size of {FLOOR_GROUP_SIZE} or more."))]
    await ctx.ports.teams.save(replace(chosen, min_group_size=int(rest)))
    return [say(f"*{user_text(chosen.name)}* shows figures from {int(rest)} members.")]


async def delete(ctx: Context, text: str) -> list[Reply]:
    chosen, _, problem = await _pick(ctx, text)
    if problem is not None:
        return [problem]
    assert chosen is not None
    await ctx.ports.teams.delete(chosen)
    return [say(f"Deleted team *{user_text(chosen.name)}*.")]
