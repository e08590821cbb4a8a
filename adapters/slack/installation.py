"""Redis stores for multi-workspace OAuth: installations (bot tokens) and OAuth states.

slack-sdk ships file, SQL and cloud stores but none for Redis, so these implement its
`AsyncInstallationStore` and `AsyncOAuthStateStore` interfaces. One hash per workspace:

    rp:{w:slack:T1}:slack:installation   bot -> Bot JSON, latest -> Installation JSON,
                                         user:<U..> -> that user's Installation JSON
    rp:{slack}:oauth-state:<state>       "1", expiring after ten minutes, taken once
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from adapters.slack import ids

log = logging.getLogger("rapport.slack.oauth")


def _workspace(enterprise_id: str | None, team_id: str | None,
               is_enterprise_install: bool | None) -> str:
    # An org-wide install serves every workspace of the org with one token.
    return ids.workspace_id(None if is_enterprise_install else team_id, enterprise_id)


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, default=str)


class RedisInstallationStore(AsyncInstallationStore):
    """Installations by workspace; deleting the last one leaves nothing behind.

    >>> store = RedisInstallationStore(redis)                      # doctest: +SKIP
    >>> bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    """

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        key = ids.installation_key(_workspace(installation.enterprise_id, installation.team_id,
                                              installation.is_enterprise_install))
        data = _dump(installation.to_dict())
        fields: dict[FieldT, EncodableT] = {"latest": data, f"user:{installation.user_id}": data}
        if installation.bot_token:
            fields["bot"] = _dump(installation.to_bot().to_dict())
        await self.redis.hset(key, mapping=fields)

    async def async_save_bot(self, bot: Bot) -> None:
        key = ids.installation_key(_workspace(bot.enterprise_id, bot.team_id,
                                              bot.is_enterprise_install))
        await self.redis.hset(key, "bot", _dump(bot.to_dict()))

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        raw = await self.redis.hget(
            ids.installation_key(_workspace(enterprise_id, team_id, is_enterprise_install)), "bot")
        return Bot(**json.loads(raw)) if raw else None

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False,
                                      ) -> Installation | None:
        field = f"user:{user_id}" if user_id else "latest"
        raw = await self.redis.hget(
            ids.installation_key(_workspace(enterprise_id, team_id, is_enterprise_install)), field)
        return Installation(**json.loads(raw)) if raw else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        for install in (False, True):
            await self.redis.hdel(
                ids.installation_key(_workspace(enterprise_id, team_id, install)), "bot")

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None, user_id: str | None = None) -> None:
        for install in (False, True):
            key = ids.installation_key(_workspace(enterprise_id, team_id, install))
            if user_id:
                await self.redis.hdel(key, f"user:{user_id}")
            else:
                fields = [f for f in await self.redis.hkeys(key)
                          if f != b"bot"]
                if fields:
                    await self.redis.hdel(key, *fields)

    async def bot_token(self, workspace: str) -> str | None:
        """The bot token for a workspace id (an org-wide install's token serves its teams)."""
        enterprise, team = ids.split_workspace(workspace)
        bot = await self.async_find_bot(enterprise_id=enterprise, team_id=team)
        if bot is None and enterprise:
            bot = await self.async_find_bot(enterprise_id=enterprise, team_id=None,
                                            is_enterprise_install=True)
        return bot.bot_token if bot else None


class RedisOAuthStateStore(AsyncOAuthStateStore):
    """One-use OAuth `state` values, so an install callback can't be forged or replayed."""

    def __init__(self, redis: Redis, expiration_seconds: int = 600) -> None:
        self.redis = redis
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        await self.redis.set(ids.oauth_state_key(state), b"1", ex=self.expiration_seconds)
        return state

    async def async_consume(self, state: str) -> bool:
        if not state or len(state) > 100:
            return False
        return bool(await self.redis.getdel(ids.oauth_state_key(state)))
