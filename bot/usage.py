"""How each command is used, with an example: shown by `help` and after any text we can't read."""

from __future__ import annotations

USAGE: dict[str, str] = {
    "promise": (
        "*/promise* <what> [by <when>] [to @someone]\n"
        "Track a promise so you keep it, or tell them early if it slips.\n"
        "Example: `/promise send the launch deck to @priya by Friday 3pm`"
    ),
    "kept": (
        "*/kept* lists your open promises with buttons.\n"
        "*/kept* <number> marks one kept, e.g. `/kept 3`.\n"
        "*/kept* <what> logs a promise you kept elsewhere, e.g. `/kept reviewed Sam's pull request`"
    ),
    "kudos": (
        "*/kudos* @someone <what exactly they did, and why it mattered>\n"
        "Specific praise is the kind people remember.\n"
        "Example: `/kudos @sam your test plan caught the billing bug before release`"
    ),
    "handover": (
        "*/handover* @someone <the decision you are giving them>\n"
        "Handing over a decision gives people control, and earns their trust.\n"
        "Example: `/handover @lee choose the venue for the team offsite`\n"
        "*/handover list* shows your handovers; *handover close <number>* closes one."
    ),
    "habits": (
        "*/habits* shows your streaks, your best runs and this week's progress.\n"
        "Example: `/habits`"
    ),
    "team": (
        "*/team* shows the teams you manage (aggregates only) and what managers see about you.\n"
        "Managers: */team add* [team] @a @b · */team remove* [team] @a · "
        "*/team junior* [team] @a (and */team senior* @a to undo) · "
        "*/team export* [team] (CSV of weekly aggregates)\n"
        "Workspace admins: */team create* <name> [@manager] · */team managers add* [team] @m "
        "(or *remove*) · */team privacy* [team] <minimum size> · */team delete* [team]\n"
        "Members: */team leave* [team]\n"
        "Example: `/team create Platform @lee`, then `/team add platform @ana @ben`"
    ),
    "rapport": (
        "*/rapport help* — every command\n"
        "*/rapport settings* — see your settings; change one with e.g.\n"
        "    `/rapport settings nudge 09:30` · `hours 08:30-17:30` · `tz Europe/Berlin` · "
        "`days sun-thu` · "
        "`nudges off` · `detection off` · `autotrack on` · `share on`\n"
        "*/rapport pause* [until <date>] — no nudges until then; *resume* to restart\n"
        "*/rapport vacation* <first day> <last day> — streaks wait while you are away\n"
        "*/rapport export* — all your data as a JSON file\n"
        "*/rapport forget-me* — delete everything Rapport knows about you (asks first)"
    ),
}

INTRO = (
    "Rapport helps you build trust at work, one small habit a day: keep the promises you make, "
    "follow up early, recognise people (junior colleagues especially) for something specific, "
    "and hand decisions to others."
)


def _markup(text: str) -> str:
    # Placeholders such as <what> are text, not markup: Slack would read "<what>" as a link.
    return text.replace("<", "&lt;").replace(">", "&gt;")


def usage(command: str, problem: str | None = None) -> str:
    """The usage text of `command`, after a short line saying what was wrong, if anything."""
    text = _markup(USAGE[command])
    return f"{problem}\n{text}" if problem else text


def full_help() -> str:
    return INTRO + "\n\n" + "\n\n".join(_markup(USAGE[name]) for name in USAGE)
