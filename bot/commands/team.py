"""/team: teams of people with managers, and the managers' privacy-respecting summary.

Who may do what (docs/privacy.md):
- workspace admins (as the platform reports them, `Actor.is_admin`) create and delete teams,
  name and remove managers, set a team's minimum group size, and see every team;
- a team's managers add and remove its members, mark juniors, see its summary and export it;
- members see what the managers see of them, and may leave a team.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from bot import enrolment
from bot.context import Context
from bot.markup import escape, mention, mentioned, strip_mentions, unescape, user_text
from bot.replies import Audience, Reply, Section, say
from bot.team_summary import csv_export, privacy_note, summary_sections, visible, what_managers_see
from bot.usage import sub_command_miss, usage
from habits.summary import last_weeks
from habits.teams import FLOOR_GROUP_SIZE, BadTeamName, Team, clean_name, name_key, team_id_for

MAX_MEMBERS = 5000


async def team(ctx: Context, text: str) -> list[Reply]:
    """`/team` alone, or its help; every `/team <verb>` is routed by the command registry."""
    verb = text.strip().partition(" ")[0].lower()
    if verb in {"help", "?"}:
        return [say(usage("team"))]
    if verb == "":
        return await overview(ctx)
    return [say(sub_command_miss("team", verb))]


async def managers(ctx: Context, text: str) -> list[Reply]:
    """`/team managers add|remove [team] @m`."""
    sub, _, rest = text.strip().partition(" ")
    if sub.lower() in {"add", "remove"}:
        return await change(ctx, f"managers {sub.lower()}", rest.strip())
    return [say(usage("team", "Say `/team managers add @someone` or `remove`."))]


def _admins_only(what: str) -> Reply:
    return say(f"Only workspace admins can {what} in Rapport, so that who is counted in which "
               "team stays in few hands. Ask one of your workspace's admins.")


async def _managed(ctx: Context) -> list[Team]:
    """The teams the actor can see and run: every team for an admin, else those they manage."""
    if ctx.actor.is_admin:
        return await ctx.ports.teams.in_workspace(ctx.person.workspace_ref)
    return [t for t in await ctx.ports.teams.of_person(ctx.person) if t.is_manager(ctx.person.user)]


async def _pick(ctx: Context, text: str) -> tuple[Team | None, str, Reply | None]:
    """The team a command is about: named first ("web @a"), or the only one you manage."""
    first, _, rest = text.partition(" ")
    managed = await _managed(ctx)
    if first and not first.startswith("<@"):
        key = name_key(unescape(first))
        found = next((t for t in managed if name_key(t.name) == key or name_key(t.team_id) == key),
                     None)
        if found is None:
            exists = await ctx.ports.teams.named(ctx.person.workspace_ref, key)
            problem = ("Only that team's managers can change it or see its figures."
                       if exists else f"There is no team called {escape(first)!r} that you manage.")
            return None, rest, say(problem)
        return found, rest.strip(), None
    if len(managed) == 1:
        return managed[0], text, None
    if not managed:
        return None, text, say("You don't manage a team yet. A workspace admin creates teams "
                               "(`/team create &lt;name&gt;`) and names their managers.")
    names = ", ".join(t.team_id for t in managed)
    return None, text, say(f"Which team? You manage {names}: e.g. `/team add {managed[0].team_id} @someone`.")


async def create(ctx: Context, text: str) -> list[Reply]:
    """`/team create <name> [@manager ...]`: admins only; the admin manages it unless named."""
    raw = unescape(strip_mentions(text))  # Slack sends "R&D" as "R&amp;D"
    try:
        name = clean_name(_without_symbols(raw))
    except BadTeamName as problem:
        return [say(usage("team", str(problem)))]
    if not ctx.actor.is_admin:
        return [say(f"Only workspace admins create teams in Rapport, so that who is counted in "
                    f"which team stays in few hands. Ask an admin to create *{user_text(name)}* "
                    "and name you its manager.")]
    managers = frozenset(mentioned(text)) or frozenset({ctx.person.user})
    created = Team(ctx.person.workspace_ref, team_id_for(name), name, managers=managers)
    clash = await ctx.ports.teams.create(created)
    if clash is not None:
        return [say(f"There is already a team called *{user_text(clash.name)}*, and "
                    f"*{user_text(name)}* would look the same. Pick another name.")]
    replies = [say(f"Created team *{user_text(name)}*; managed by "
                   f"{', '.join(mention(m) for m in sorted(managers))}. Add people with "
                   f"`/team add {created.team_id} @someone @someone-else`.")]
    replies += _tell_managers(ctx, created, managers - {ctx.person.user})
    return replies


def _without_symbols(raw: str) -> str:
    """A name without its emoji ("🚀 Rocket" -> "Rocket"): names are matched and shown as
    words. Other characters stay, so a name of markup is still refused by clean_name."""
    kept = "".join("" if char in _EMOJI_JOINERS else " " if unicodedata.category(char) == "So"
                   else char for char in raw)
    return " ".join(kept.split()) if kept.strip() else raw


_EMOJI_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def _tell_managers(ctx: Context, team: Team, users: frozenset[str]) -> list[Reply]:
    return [Reply(text=f"{mention(ctx.person.user)} made you a manager of team "
                       f"*{user_text(team.name)}* in Rapport. `/team` shows its weekly totals once "
                       f"at least {team.minimum} of its members count; never anyone's message "
                       "texts, and names only of people who chose to share.",
                  audience=Audience.DIRECT, to=team.person(user)) for user in sorted(users)]


async def change(ctx: Context, verb: str, text: str) -> list[Reply]:
    if verb.startswith("managers") and not ctx.actor.is_admin:
        return [_admins_only("name or remove a team's managers")]
    chosen, rest, problem = await _pick(ctx, text)
    if problem is not None:
        return [problem]
    assert chosen is not None
    people = mentioned(rest)
    if not people or strip_mentions(rest):
        return [say(usage("team", "Mention the people, e.g. `/team add @ana @ben`."))]
    if verb in {"remove", "senior", "managers remove"}:
        among = chosen.managers if verb == "managers remove" else \
            chosen.juniors if verb == "senior" else chosen.members
        absent = [p for p in people if p not in among]
        if absent:
            role = {"remove": "a member of", "senior": "marked junior in",
                    "managers remove": "a manager of"}[verb]
            names = ", ".join(mention(p) for p in absent)
            return [say(f"Nothing changed: {names} {'is' if len(absent) == 1 else 'are'} not "
                        f"{role} *{user_text(chosen.name)}*.")]
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
    replies = [say(changed_words(verb, people, updated))]
    replies += _tell_managers(ctx, updated, updated.managers - chosen.managers)
    joined = sorted(updated.members - chosen.members)
    counted = (await visible(ctx.ports, [updated])).of(updated) if joined else frozenset()
    for user in joined:
        person = updated.person(user)
        # Someone new to Rapport is enrolled and gets the welcome (with its way out); only
        # from then on do their figures count.
        welcome = await enrolment.added_by_manager(ctx.ports, person, ctx.person, updated.name,
                                                   ctx.now())
        if welcome is not None:
            replies.append(welcome)
            continue
        profile = await ctx.ports.people.profile(person)
        replies.append(Reply(
            text=f"You were added to team *{user_text(updated.name)}* by {mention(ctx.person.user)}. "
                 + what_managers_see(updated, profile, counted),
            audience=Audience.DIRECT, to=person))
    return replies


def _listed(people: list[str]) -> str:
    shown = [mention(p) for p in people]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def members(count: int) -> str:
    """ "1 member", "5 members"."""
    return f"{count} member" + ("" if count == 1 else "s")


def changed_words(verb: str, people: list[str], updated: Team) -> str:
    """What a manager reads after `/team add|remove|junior|senior|managers ...`."""
    names, name = _listed(people), f"*{user_text(updated.name)}*"
    size = members(len(updated.members))
    one = len(people) == 1
    return {
        "add": f"Added {names} to {name}. It has {size} now.",
        "remove": f"Removed {names} from {name}. It has {size} now.",
        "junior": f"Marked {names} as junior in {name}.",
        "senior": f"{names} {'is' if one else 'are'} no longer marked junior in {name}.",
        "managers add": f"{names} {'manages' if one else 'manage'} {name} now.",
        "managers remove": f"{names} no longer {'manages' if one else 'manage'} {name}.",
    }[verb]


async def overview(ctx: Context) -> list[Reply]:
    """Managers see each team's summary; everyone sees what their teams' managers see of them."""
    profile = await ctx.profile()
    now = ctx.now()
    sections: list[Section] = []
    managed = await _managed(ctx)
    seen = await visible(ctx.ports, managed)
    for one in managed:
        sections += await summary_sections(ctx.ports, one, profile, now, seen=seen)
    mine = [t for t in await ctx.ports.teams.of_person(ctx.person) if ctx.person.user in t.members]
    if mine:
        counted = await visible(ctx.ports, mine)
        sections.append(Section("What your teams' managers see about you:\n" + "\n".join(
            what_managers_see(t, profile, counted.of(t)) for t in mine)))
    if not sections:
        return [say("You're not in a team yet. " + usage("team"))]
    return [say("Teams", *sections)]


async def export(ctx: Context, text: str) -> list[Reply]:
    chosen, _, problem = await _pick(ctx, text)
    if problem is not None:
        return [problem]
    assert chosen is not None
    seen = await visible(ctx.ports, await _managed(ctx))
    hidden = seen.hidden(chosen)
    if hidden is not None:
        return [say(privacy_note(chosen, seen.of(chosen), hidden) + " So there is nothing to export.")]
    profile = await ctx.profile()
    weeks = await ctx.ports.figures.weeks(chosen, last_weeks(profile.local_date(ctx.now()), 52))
    return [Reply(text=f"Weekly figures for *{user_text(chosen.name)}*, last 52 weeks (no names).",
                  attachment=csv_export(chosen, weeks, len(seen.of(chosen))))]


async def privacy(ctx: Context, text: str) -> list[Reply]:
    if not ctx.actor.is_admin:
        return [_admins_only("change a team's minimum group size")]
    chosen, rest, problem = await _pick(ctx, text)
    if problem is not None:
        return [problem]
    assert chosen is not None
    if not (rest.isascii() and rest.isdigit()) or int(rest) < FLOOR_GROUP_SIZE:
        return [say(usage("team", f"Give a minimum group size of {FLOOR_GROUP_SIZE} or more."))]
    await ctx.ports.teams.save(replace(chosen, min_group_size=int(rest)))
    return [say(f"*{user_text(chosen.name)}* shows figures from {int(rest)} counted members.")]


async def delete(ctx: Context, text: str) -> list[Reply]:
    if not ctx.actor.is_admin:
        return [_admins_only("delete a team")]
    chosen, _, problem = await _pick(ctx, text)
    if problem is not None:
        return [problem]
    assert chosen is not None
    await ctx.ports.teams.delete(chosen)
    return [say(f"Deleted team *{user_text(chosen.name)}*.")]


async def leave(ctx: Context, text: str) -> list[Reply]:
    """`/team leave <team>`: stop being a member; your activity stops counting in it."""
    mine = [t for t in await ctx.ports.teams.of_person(ctx.person) if ctx.person.user in t.members]
    key = name_key(unescape(text)) if text else ""
    chosen = next((t for t in mine if key in {name_key(t.name), name_key(t.team_id)}), None)
    if chosen is None and not text and len(mine) == 1:
        chosen = mine[0]
    if chosen is None:
        names = ", ".join(t.team_id for t in mine)
        return [say(f"Say which team to leave, e.g. `/team leave {mine[0].team_id}`: you are in "
                    f"{names}." if mine else "You are not a member of any team.")]
    user = ctx.person.user
    await ctx.ports.teams.save(replace(chosen, members=chosen.members - {user},
                                       juniors=chosen.juniors - {user}))
    return [say(f"You left *{user_text(chosen.name)}*. From now on nothing you do counts in its "
                "figures (weeks already past keep the totals they had, with no names). A manager "
                "who adds you again must do so openly: you would be told.")]


async def dashboard(ctx: Context, text: str) -> list[Reply]:
    """`/team dashboard`: a private, single-use link to the charts of the teams you may see,
    with the same figures and the same privacy rules as `/team` (bot/dashboard.py)."""
    if not await _managed(ctx):
        return [say("You don't manage a team yet, so there is no dashboard to show. A workspace "
                    "admin creates teams (`/team create &lt;name&gt;`) and names their managers.")]
    link = await ctx.ports.dashboard_links.issue(ctx.person, ctx.actor.is_admin)
    if link is None:
        return [say("The team dashboard isn't available here: this Rapport has no public address "
                    "(RAPPORT_PUBLIC_URL) to link to. Ask your Rapport admin to set it; meanwhile "
                    "`/team` shows the same figures in chat.")]
    return [Reply(text=f"Your team dashboard: {link}\nOnly for you: the link opens once, within "
                       "10 minutes, and the page then works for 30 minutes. Don't forward it; ask "
                       "again with `/team dashboard` whenever you need a new one.",
                  audience=Audience.ME)]
