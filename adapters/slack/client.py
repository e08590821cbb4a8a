"""Web API clients: one per bot token, all sharing a session, all rate-limit aware.

Every call goes to `SLACK_API_URL`. A 429 is retried after its `Retry-After` by slack-sdk's
own retry handler; bursts are paced per workspace and method before they leave, so that a
kudos to twelve people does not trip the limit in the first place.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import ClientSession
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

RATE_LIMIT_RETRIES = 5

# Slack's published tiers, as steady calls per second per workspace (short bursts allowed).
# chat.postMessage is special: about one message per second per channel.
_METHOD_RATE = {"users.info": 1.5, "conversations.open": 1.5, "views.publish": 1.5,
                "chat.postEphemeral": 1.5, "chat.update": 1.5, "views.open": 1.5}
_DEFAULT_RATE = 1.0
_BURST = 10.0


class Pacer:
    """A token bucket per key: `await pacer.wait(key, rate)` returns when a call may go.

    >>> pacer = Pacer(burst=2)     # doctest: +SKIP
    >>> await pacer.wait(("T1", "chat.postMessage", "C1"), rate=1.0)
    """

    def __init__(self, burst: float = _BURST, scale: float = 1.0) -> None:
        self.burst = burst
        self.scale = scale  # > 1 allows more calls (tests, Enterprise limits)
        self._buckets: dict[tuple[str, ...], tuple[float, float]] = {}
        self._next_sweep = time.monotonic() + self.SWEEP_EVERY

    SWEEP_EVERY = 60.0  # seconds; a bucket idle this long is full again, and forgotten

    async def wait(self, key: tuple[str, ...], rate: float) -> None:
        rate *= self.scale
        now = time.monotonic()
        tokens, stamp = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - stamp) * rate) - 1.0
        self._buckets[key] = (tokens, now)
        if now >= self._next_sweep:  # one bucket per DM channel adds up over a day: sweep
            self._next_sweep = now + self.SWEEP_EVERY
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < self.SWEEP_EVERY}
        if tokens < 0:
            await asyncio.sleep(-tokens / rate)


class PacedWebClient(AsyncWebClient):
    """An AsyncWebClient that waits for its turn before each call."""

    def __init__(self, *, pacer: Pacer, workspace: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pacer = pacer
        self.workspace = workspace
        # A post that failed with a 5xx or a dropped connection may have reached Slack all
        # the same: retrying it here could post twice. Posts retry only 429s in process; the
        # scheduler retries the rest after asking Slack what it already has.
        posting = {**kwargs, "retry_handlers": [h for h in kwargs.get("retry_handlers") or []
                                                if isinstance(h, AsyncRateLimitErrorRetryHandler)]}
        self._poster = AsyncWebClient(**posting)

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        if api_method == "chat.postMessage":
            body = kwargs.get("json") or kwargs.get("params") or kwargs.get("data") or {}
            channel = str(body.get("channel", "")) if isinstance(body, dict) else ""
            direct = channel[:1] in ("D", "U", "W")  # a DM, or a user id that posts into one
            rate = 20 * _DEFAULT_RATE if direct else _DEFAULT_RATE
            await self.pacer.wait((self.workspace, api_method, channel), rate)
            return await self._poster.api_call(api_method, **kwargs)
        else:
            await self.pacer.wait((self.workspace, api_method),
                                  _METHOD_RATE.get(api_method, 20 * _DEFAULT_RATE))
        return await super().api_call(api_method, **kwargs)


class RetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 once Slack's `Retry-After` has passed, plus a jitter of up to a tenth of it.

    slack-sdk's own handler adds up to a whole second: with the usual `Retry-After: 1`, half as
    long again as Slack asked, time in which a fan-out sends nothing it is allowed to send.
    """

    async def prepare_for_next_attempt_async(
        self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("a rate-limit retry without a response")
        state.next_attempt_requested = True
        await asyncio.sleep(retry_after(response.headers) * (1 + random.random() / 10))
        state.increment_current_attempt()


def retry_after(headers: Mapping[str, Any], default: float = 1.0) -> float:
    """Seconds to wait from a `Retry-After` header (slack-sdk keeps header values in lists)."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value[0] if isinstance(value, list) else value))
            except (TypeError, ValueError, IndexError):
                return default
    return default


def retry_handlers(rate_limit_retries: int = RATE_LIMIT_RETRIES) -> list[AsyncRetryHandler]:
    return [RetryAfterHandler(max_retry_count=rate_limit_retries),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2)]


TokenLookup = Callable[[str], Awaitable[str | None]]


class SlackClients:
    """Web API clients by workspace: the single bot token, or the token its installation saved.

    >>> clients = SlackClients("https://slack.com/api/", lookup)   # doctest: +SKIP
    >>> client = await clients.for_workspace("T1")   # None: not installed there
    """

    def __init__(self, base_url: str, lookup: TokenLookup, *, pacer: Pacer | None = None,
                 rate_limit_retries: int = RATE_LIMIT_RETRIES, timeout: int = 10) -> None:
        self.base_url = base_url
        self.lookup = lookup
        self.pacer = pacer or Pacer()
        self.rate_limit_retries = rate_limit_retries
        self.timeout = timeout
        self._session: ClientSession | None = None
        self._clients: dict[tuple[str, str], AsyncWebClient] = {}

    def session(self) -> ClientSession:
        if self._session is None or self._session.closed:
            self._session = ClientSession()
        return self._session

    def make(self, token: str | None, workspace: str = "") -> AsyncWebClient:
        return PacedWebClient(pacer=self.pacer, workspace=workspace, token=token,
                              base_url=self.base_url, session=self.session(),
                              timeout=self.timeout,
                              retry_handlers=retry_handlers(self.rate_limit_retries))

    async def for_workspace(self, workspace: str) -> AsyncWebClient | None:
        token = await self.lookup(workspace)
        if token is None:
            return None
        key = (workspace, token)
        client = self._clients.get(key)
        if client is None:
            if len(self._clients) > 10_000:
                self._clients.clear()
            client = self._clients[key] = self.make(token, workspace)
        return client

    def forget(self, workspace: str) -> None:
        for key in [k for k in self._clients if k[0] == workspace]:
            del self._clients[key]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
