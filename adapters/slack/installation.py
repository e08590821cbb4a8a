"""Redis stores for multi-workspace OAuth: installations (bot tokens) and OAuth states.

slack-sdk ships file, SQL and cloud stores but none for Redis, so these implement its
`AsyncInstallationStore` and `AsyncOAuthStateStore` interfaces. One hash per workspace, every
value a Fernet token (RAPPORT_ENCRYPTION_KEY, adapters/crypto.py) of JSON:

    rp:{w:slack:T1}:slack:installation   bot -> Bot: the one copy of the bot token
                                         latest -> the latest Installation, without tokens
                                         user:<U..> -> that user's Installation, with the
                                                       user's token (if any), no bot token
    rp:{slack}:oauth-state:<state>       "1", expiring after ten minutes, taken once

Earlier versions stored the three records as plain JSON, each with the bot token; such a hash is
rewritten encrypted, with one copy, the first time it is read (or by `rapport encrypt-tokens`).

Reads of the bot are cached in the process for `CACHE_SECONDS` (forgotten at once when this
process saves or deletes the installation), and a read that misses the cache is bounded by
`LOOKUP_TIMEOUT`, so that bolt's authorization, which runs before a command is accepted, stays
inside Slack's 3 s (see `prefetch`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections import OrderedDict
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.typing import EncodableT, FieldT
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from adapters.crypto import Cipher, UndecryptableError
from adapters.slack import ids

log = logging.getLogger("rapport.slack.oauth")

CACHE_SECONDS = 60.0     # how long a process trusts a bot it read (another replica's uninstall
                         # reaches it within this; its own at once)
CACHE_SIZE = 10_000      # workspaces held at most; the oldest read goes first
LOOKUP_TIMEOUT = 0.5     # seconds a read that missed the cache may take
_BOT_SECRETS = ("bot_token", "bot_refresh_token")
_USER_SECRETS = ("user_token", "user_refresh_token")

# Replace a field only if it still holds what was read: a migration never undoes a new save.
_SWAP = """
for i = 1, #ARGV, 3 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
  end
end
return 1
"""


class InstallationUnavailable(RedisError):
    """Redis did not give the installation in time: answer 503, never "not installed"."""


def _workspace(enterprise_id: str | None, team_id: str | None,
               is_enterprise_install: bool | None) -> str:
    # An org-wide install serves every workspace of the org with one token.
    return ids.workspace_id(None if is_enterprise_install else team_id, enterprise_id)


def _dump(data: dict[str, Any]) -> bytes:
    return json.dumps(data, default=str).encode()


def _without(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in names}


class RedisInstallationStore(AsyncInstallationStore):
    """Installations by workspace, encrypted; deleting the last one leaves nothing behind.

    >>> store = RedisInstallationStore(redis, Cipher.from_setting(key))    # doctest: +SKIP
    >>> bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    """

    def __init__(self, redis: Redis, cipher: Cipher, cache_seconds: float = CACHE_SECONDS,
                 lookup_timeout: float = LOOKUP_TIMEOUT) -> None:
        self.redis = redis
        self.cipher = cipher
        self.cache_seconds = cache_seconds
        self.lookup_timeout = lookup_timeout
        self._bots: OrderedDict[str, tuple[float, Bot]] = OrderedDict()

    @property
    def logger(self) -> logging.Logger:
        return log

    # -- values at rest --------------------------------------------------------------------

    def _seal(self, data: dict[str, Any]) -> bytes:
        return self.cipher.encrypt(_dump(data))

    def _open(self, key: str, field: str, raw: bytes) -> dict[str, Any] | None:
        """The JSON of one stored value, encrypted or (written by an earlier version) plain."""
        if raw[:1] == b"{":
            data: dict[str, Any] = json.loads(raw)
            return data
        try:
            opened: dict[str, Any] = json.loads(self.cipher.decrypt(raw))
            return opened
        except UndecryptableError as error:
            log.error("the Slack installation in %s (%s) cannot be read: %s", key, field, error)
            return None

    def _sealed_record(self, field: str, data: dict[str, Any]) -> bytes:
        """A record as this version stores it: the bot token only under `bot`, a user token
        only under that user's `user:` field."""
        if field == "bot":
            return self._seal(data)
        drop = _BOT_SECRETS + (_USER_SECRETS if field == "latest" else ())
        return self._seal(_without(data, drop))

    async def _migrate(self, key: str, stored: dict[bytes, bytes]) -> None:
        """Rewrite plain-text records encrypted, each token kept once."""
        swaps: list[bytes] = []
        for name, raw in stored.items():
            if raw[:1] != b"{":
                continue
            field = name.decode()
            data = json.loads(raw)
            swaps += [name, raw, self._sealed_record(field, data)]
            if field != "bot" and data.get("bot_token") and b"bot" not in stored:
                # A bot token only in an installation record: give it its one `bot` copy.
                bot = Installation(**data).to_bot()
                await self.redis.hsetnx(key, "bot", self._seal(bot.to_dict()))
        if swaps:
            await self.redis.eval(_SWAP, 1, key, *swaps)
            log.info("encrypted %d plain-text Slack installation records in %s", len(swaps) // 3,
                     key)

    async def _all(self, key: str) -> dict[bytes, bytes]:
        return cast(dict[bytes, bytes], await self.redis.hgetall(key))

    async def _read(self, key: str, *fields: str) -> list[dict[str, Any] | None]:
        async with asyncio.timeout(self.lookup_timeout):
            raws = cast(list[bytes | None], await self.redis.hmget(key, list(fields)))
            if any(raw is not None and raw[:1] == b"{" for raw in raws):
                await self._migrate(key, await self._all(key))
        return [None if raw is None else self._open(key, field, raw)
                for field, raw in zip(fields, raws, strict=True)]

    # -- the cache -------------------------------------------------------------------------

    def _cached(self, key: str) -> Bot | None:
        hit = self._bots.get(key)
        if hit is None:
            return None
        if hit[0] < time.monotonic():
            del self._bots[key]
            return None
        return hit[1]

    def _remember(self, key: str, bot: Bot) -> None:
        self._bots[key] = (time.monotonic() + self.cache_seconds, bot)
        self._bots.move_to_end(key)
        while len(self._bots) > CACHE_SIZE:
            self._bots.popitem(last=False)

    def forget(self, key: str | None = None) -> None:
        """Drop a workspace's cached bot (every workspace's when `key` is None)."""
        if key is None:
            self._bots.clear()
        else:
            self._bots.pop(key, None)

    # -- AsyncInstallationStore ------------------------------------------------------------

    async def async_save(self, installation: Installation) -> None:
        key = ids.installation_key(_workspace(installation.enterprise_id, installation.team_id,
                                              installation.is_enterprise_install))
        data = installation.to_dict()
        user = f"user:{installation.user_id}"
        fields: dict[FieldT, EncodableT] = {"latest": self._sealed_record("latest", data),
                                            user: self._sealed_record(user, data)}
        if installation.bot_token:
            fields["bot"] = self._seal(installation.to_bot().to_dict())
        self.forget(key)
        await self.redis.hset(key, mapping=fields)

    async def async_save_bot(self, bot: Bot) -> None:
        key = ids.installation_key(_workspace(bot.enterprise_id, bot.team_id,
                                              bot.is_enterprise_install))
        self.forget(key)
        await self.redis.hset(key, "bot", self._seal(bot.to_dict()))

    async def _bot(self, key: str) -> Bot | None:
        cached = self._cached(key)
        if cached is not None:
            return cached
        try:
            (data,) = await self._read(key, "bot")
        except (RedisError, OSError, TimeoutError) as error:
            raise InstallationUnavailable(f"Redis did not give the Slack installation in {key} "
                                          f"within {self.lookup_timeout}s: {error!r}") from error
        if data is None:
            return None
        bot = Bot(**data)
        self._remember(key, bot)
        return bot

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        return await self._bot(
            ids.installation_key(_workspace(enterprise_id, team_id, is_enterprise_install)))

    async def prefetch(self, enterprise_id: str | None, team_id: str | None,
                       is_enterprise_install: bool | None = False) -> bool:
        """Make sure bolt's lookup of this workspace's bot will be answered from memory; False
        when Redis did not answer within LOOKUP_TIMEOUT (the request then gets a 503, so Slack
        or the user tries again, rather than bolt's "please reinstall" after a stall)."""
        if not (enterprise_id or team_id):
            return True  # nothing to authorize (bolt answers it without an installation)
        try:
            await self.async_find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                      is_enterprise_install=is_enterprise_install)
        except InstallationUnavailable as error:
            log.error("%s; answered 503", error)
            return False
        return True

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False,
                                      ) -> Installation | None:
        key = ids.installation_key(_workspace(enterprise_id, team_id, is_enterprise_install))
        field = f"user:{user_id}" if user_id else "latest"
        record, bot = await self._read(key, field, "bot")
        if record is None:
            return None
        if field == "latest" and record.get("user_id"):
            (installer,) = await self._read(key, f"user:{record['user_id']}")
            for name in _USER_SECRETS:
                if installer and installer.get(name):
                    record[name] = installer[name]
        for name in _BOT_SECRETS:
            if bot and bot.get(name):
                record[name] = bot[name]
        return Installation(**record)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        for install in (False, True):
            key = ids.installation_key(_workspace(enterprise_id, team_id, install))
            self.forget(key)
            await self.redis.hdel(key, "bot")

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None, user_id: str | None = None) -> None:
        for install in (False, True):
            key = ids.installation_key(_workspace(enterprise_id, team_id, install))
            if user_id:
                await self.redis.hdel(key, f"user:{user_id}")
            else:
                self.forget(key)
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

    async def encrypt_all(self) -> tuple[int, int]:
        """Re-encrypt every stored installation with the newest key, plain-text ones included
        (`rapport encrypt-tokens`). Returns (installations, records) rewritten."""
        installations = records = 0
        pattern = ids.installation_key("*").replace("%2A", "*")
        async for name in self.redis.scan_iter(match=pattern, count=500):
            key = name.decode()
            await self._migrate(key, await self._all(key))
            swaps: list[bytes] = []
            for field, raw in (await self._all(key)).items():
                if raw[:1] != b"{" and self.cipher.encrypted(raw):
                    swaps += [field, raw, self.cipher.rotate(raw)]
            if swaps:
                await self.redis.eval(_SWAP, 1, key, *swaps)
            self.forget(key)
            installations += 1
            records += len(swaps) // 3
        return installations, records


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
