"""Teams identities and the Redis keys the Teams adapter owns.

A Teams person is `PersonRef("teams", <tenant id>, <Bot Framework user id>)`: the tenant keeps
organisations apart, and the user id is the channel account id Teams gives the bot
(`29:1a2b...`). That id, not the Entra object id, is what a mention entity carries, what the
roster lists and what `create_conversation` needs, so a person mentioned in `kudos @Priya` and
Priya writing to the bot herself are the same PersonRef. The Entra object id is kept beside it
(`member` below). docs/teams.md explains the choice.

Every key carries a hash tag (see adapters/redis/keys.py): a person's under their tag, a
tenant's under the tenant's tag; the one global index has a tag of its own.
"""

from __future__ import annotations

from adapters.redis.keys import PREFIX, person_key, workspace_key
from habits.people import PersonRef, WorkspaceRef

PLATFORM = "teams"
LOCAL_TENANT = "local"  # an activity without a tenant (the Bot Framework Emulator)


def person(tenant: str, user: str) -> PersonRef:
    return PersonRef(PLATFORM, tenant or LOCAL_TENANT, user)


def tenant_ref(tenant: str) -> WorkspaceRef:
    return WorkspaceRef(PLATFORM, tenant or LOCAL_TENANT)


def personal_reference_key(who: PersonRef) -> str:
    """The ConversationReference of the person's 1:1 chat with the bot (JSON)."""
    return person_key(who, "teams", "ref")


def member_key(who: PersonRef) -> str:
    """What Teams told us about a person: name, Entra object id, service URL, bot id (hash)."""
    return person_key(who, "teams", "member")


def blocked_key(who: PersonRef) -> str:
    """Set when Teams answered 403 to a send: the person blocked or uninstalled the bot."""
    return person_key(who, "teams", "blocked")


def sent_key(who: PersonRef, key: str) -> str:
    """A scheduled message (`Reply.key`) that reached the person."""
    return person_key(who, "teams", "sent", key)


def conversations_key(tenant: str) -> str:
    """The tenant's group chats and channels the bot is in: conversation id -> reference."""
    return workspace_key(tenant_ref(tenant), "teams", "conversations")


def tenant_key(tenant: str) -> str:
    """The tenant's service URL and the bot's account there (hash), for 1:1 chats."""
    return workspace_key(tenant_ref(tenant), "teams", "tenant")


# A conversation id alone does not name its tenant; proactive channel posts look it up here.
CONVERSATION_TENANTS = f"{PREFIX}:{{teams}}:conversation-tenants"


def export_key(token_hash: str) -> str:
    """A JSON export waiting to be downloaded (a short-lived key of its own)."""
    return f"{PREFIX}:{{teams-export:{token_hash}}}:file"
