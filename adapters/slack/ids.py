"""Slack identities and the Redis keys the Slack adapter owns.

A Slack person is `PersonRef("slack", <workspace>, <user id>)` where the workspace is the team
id (`T0123`), or `<enterprise id>:<team id>` (`E0123:T0456`) inside an Enterprise Grid org: the
team keeps workspaces of one org apart (their data, their tokens), the enterprise id keeps the
key unique across orgs. Every key below carries a hash tag (see adapters/redis/keys.py).
"""

from __future__ import annotations

from adapters.redis.keys import PREFIX, person_key, workspace_key
from habits.people import PersonRef, WorkspaceRef

PLATFORM = "slack"


def workspace_id(team_id: str | None, enterprise_id: str | None = None) -> str:
    """The workspace part of a Slack PersonRef.

    >>> workspace_id("T1"), workspace_id("T1", "E1"), workspace_id(None, "E1")
    ('T1', 'E1:T1', 'E1')
    """
    if enterprise_id and team_id:
        return f"{enterprise_id}:{team_id}"
    return team_id or enterprise_id or ""


def split_workspace(workspace: str) -> tuple[str | None, str | None]:
    """(enterprise id, team id) of a workspace id; the inverse of `workspace_id`.

    >>> split_workspace("E1:T1"), split_workspace("T1"), split_workspace("E1")
    (('E1', 'T1'), (None, 'T1'), ('E1', None))
    """
    if ":" in workspace:
        enterprise, _, team = workspace.partition(":")
        return enterprise, team
    if workspace.startswith("E"):
        return workspace, None
    return None, workspace


def is_org(workspace: str) -> bool:
    """An Enterprise Grid org as a whole (an org-wide install), not one of its workspaces.

    >>> is_org("E1"), is_org("E1:T1"), is_org("T1")
    (True, False, False)
    """
    enterprise, team = split_workspace(workspace)
    return bool(enterprise) and team is None


def person(workspace: str, user: str) -> PersonRef:
    return PersonRef(PLATFORM, workspace, user)


def workspace_ref(workspace: str) -> WorkspaceRef:
    return WorkspaceRef(PLATFORM, workspace)


def inbox_key(workspace: str) -> str:
    """The workspace's durable inbox: a stream of accepted requests not yet processed."""
    return workspace_key(workspace_ref(workspace), "slack", "inbox")


def attempts_key(workspace: str) -> str:
    return workspace_key(workspace_ref(workspace), "slack", "attempts")


def dead_letters_key(workspace: str) -> str:
    return workspace_key(workspace_ref(workspace), "slack", "dead")


def seen_key(workspace: str, key: str) -> str:
    """The dedupe key; the same one `ports.dedupe.first_time` uses."""
    return workspace_key(workspace_ref(workspace), "seen", key)


def installation_key(workspace: str) -> str:
    return workspace_key(workspace_ref(workspace), "slack", "installation")


def user_info_key(who: PersonRef) -> str:
    """What Slack told us about a person (time zone, name, admin), refreshed on user_change."""
    return person_key(who, "slack", "user")


def authors_key(workspace: str) -> str:
    """A stream of who wrote the messages Rapport answered (`u`: the person, `r`: channel:ts),
    for deletions Slack reports without the message. Forget-me removes a person's entries."""
    return workspace_key(workspace_ref(workspace), "slack", "authors")


def intro_key(who: PersonRef) -> str:
    """Set once the person got the Messages tab intro."""
    return person_key(who, "slack", "intro")


def history_budget_key(workspace: str) -> str:
    """Set for a minute after a conversations.history call: Slack allows one a minute."""
    return workspace_key(workspace_ref(workspace), "slack", "history-budget")


def sent_key(who: PersonRef, key: str) -> str:
    """A scheduled send's marks: `sending` before chat.postMessage, `sent` after Slack said ok."""
    return person_key(who, "slack", "sent", key)


# Global indexes: no one workspace owns them, so they get a tag of their own.
INBOXES = f"{PREFIX}:{{slack}}:inboxes"
WAKE_CHANNEL = f"{PREFIX}:slack:wake"  # Pub/Sub, not a key: a workspace has new deliveries


def oauth_state_key(state: str) -> str:
    return f"{PREFIX}:{{slack}}:oauth-state:{state}"
