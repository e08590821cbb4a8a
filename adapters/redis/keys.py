"""The key schema. Every key carries a hash tag, so one person's (or one workspace's) keys
share a Redis Cluster slot and a transaction over them never crosses slots.

    rp:{u:<platform>:<workspace>:<user>}:<what>     one person's data
    rp:{w:<platform>:<workspace>}:<what>            one workspace's data

Ids are percent-escaped so a brace or a colon inside an id can never move the tag.
docs/storage.md lists every key.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote
from zlib import crc32

from habits.people import PersonRef, WorkspaceRef
from habits.streaks import Habit

PREFIX = "rp"


def _part(value: str) -> str:
    return quote(value, safe="")


@lru_cache(maxsize=65536)
def person_tag(person: PersonRef) -> str:
    return f"{{u:{_part(person.platform)}:{_part(person.workspace)}:{_part(person.user)}}}"


def workspace_tag(workspace: WorkspaceRef) -> str:
    return f"{{w:{_part(workspace.platform)}:{_part(workspace.workspace)}}}"


def person_key(person: PersonRef, *what: str) -> str:
    """A key of one person's: person_key(p, "promises") -> "rp:{u:slack:T1:U1}:promises"."""
    return ":".join((PREFIX, person_tag(person), *what))


def workspace_key(workspace: WorkspaceRef, *what: str) -> str:
    return ":".join((PREFIX, workspace_tag(workspace), *what))


def glob_escape(text: str) -> str:
    """`text` with SCAN's glob characters escaped, so an id in a pattern matches only itself."""
    for char in "\\*?[]":
        text = text.replace(char, "\\" + char)
    return text


def person_pattern(person: PersonRef) -> str:
    """A SCAN pattern matching every key of one person's (glob characters escaped)."""
    return f"{PREFIX}:{glob_escape(person_tag(person))}:*"


class PersonKeys:
    """Every key one person's data lives in."""

    # Keys are built when first asked for: the hot paths touch only a few of them.
    def __init__(self, person: PersonRef) -> None:
        self.person = person
        self._base = f"{PREFIX}:{person_tag(person)}:"

    profile = property(lambda self: self._base + "profile")
    promises = property(lambda self: self._base + "promises")
    promise_seq = property(lambda self: self._base + "promises:seq")
    open_promises = property(lambda self: self._base + "promises:open")
    kudos_given = property(lambda self: self._base + "kudos:given")
    kudos_received = property(lambda self: self._base + "kudos:received")
    handovers = property(lambda self: self._base + "handovers")
    handover_seq = property(lambda self: self._base + "handovers:seq")
    handovers_received = property(lambda self: self._base + "handovers:received")
    habit_years = property(lambda self: self._base + "habits:years")
    counterparts = property(lambda self: self._base + "counterparts")
    promise_origins = property(lambda self: self._base + "promises:origins")
    teams = property(lambda self: self._base + "teams")
    inbox = property(lambda self: self._base + "inbox")
    favours_given = property(lambda self: self._base + "favours:given")
    favours_received = property(lambda self: self._base + "favours:received")
    contacts = property(lambda self: self._base + "contacts")
    contacts_skipped = property(lambda self: self._base + "contacts:skipped")
    preps = property(lambda self: self._base + "preps")
    prep_seq = property(lambda self: self._base + "preps:seq")
    coaching = property(lambda self: self._base + "coaching")

    def sent_mark(self, purpose: str, day: str) -> str:
        return person_key(self.person, "sent", purpose, day)

    def promise_added(self, delivery: str) -> str:
        """The mark of a promise added by one delivery (its idempotency key)."""
        return person_key(self.person, "promises", "added", _part(delivery))

    def offer(self, origin: str) -> str:
        return person_key(self.person, "offer", _part(origin))

    def habit(self, habit: Habit, year: int) -> str:
        return person_key(self.person, "habit", habit.value, str(year))

    def lapses(self, year: int) -> str:
        return person_key(self.person, "lapse", str(year))


class WorkspaceKeys:
    def __init__(self, workspace: WorkspaceRef) -> None:
        self.workspace = workspace
        self.juniors = workspace_key(workspace, "juniors")
        self.people = workspace_key(workspace, "people")
        self.stats = workspace_key(workspace, "stats")
        self.sharing = workspace_key(workspace, "sharing")
        self.teams = workspace_key(workspace, "teams")
        # Team names by look-alike key (habits.teams.name_key) -> team id.
        self.team_names = workspace_key(workspace, "teams", "names")

    def team(self, team_id: str) -> str:
        return workspace_key(self.workspace, "team", _part(team_id))

    def team_members(self, team_id: str) -> str:
        return workspace_key(self.workspace, "team", _part(team_id), "members")

    def team_week(self, team_id: str, week: str) -> str:
        return workspace_key(self.workspace, "team", _part(team_id), "week", week)

    def team_active(self, team_id: str, week: str, habit: Habit) -> str:
        return workspace_key(self.workspace, "team", _part(team_id), "week", week, "active",
                             habit.value)

    def seen(self, key: str) -> str:
        return workspace_key(self.workspace, "seen", key)

    def request(self, origin: str) -> str:
        """A request-like message kept for thread context, by its thread's origin."""
        return workspace_key(self.workspace, "request", _part(origin))

    def requests_by(self, user: str) -> str:
        """The origins of one author's kept requests (by expiry), for forget-me and export."""
        return workspace_key(self.workspace, "requests", "by", _part(user))


DUE_SHARDS = 16


class DueKeys:
    """One shard of the due-work index: jobs by due time, and the claimed ones by lease expiry.

    All three keys share the tag `{due:<shard>}`, so the claim script runs in one slot.
    """

    def __init__(self, shard: int) -> None:
        self.shard = shard
        self.jobs = f"{PREFIX}:{{due:{shard}}}:jobs"
        self.claimed = f"{PREFIX}:{{due:{shard}}}:claimed"
        self.claimed_due = f"{PREFIX}:{{due:{shard}}}:claimed:due"


def due_shard(person: PersonRef) -> int:
    """The shard of a person's jobs: stable across processes (not Python's salted hash)."""
    return crc32(person_tag(person).encode()) % DUE_SHARDS
