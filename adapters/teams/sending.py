"""Calls to the Bot Framework connector, paced and retried the way Teams asks.

Every send waits for `Pacer` first. A 429, 412, 502 or 504 (and any 5xx or a connection error)
is retried with exponential backoff and jitter, or after Teams' `Retry-After`; when retries run
out, or Teams asks for a longer wait than we hold a request for, `SendFailed` carries the wait
to the caller (the messenger turns it into `Delivery(RETRY, retry_after)`). Other statuses (403
blocked, 404 gone, 400 bad card) fail at once, and so does a call to a service URL that is not
allowed (adapters/teams/service_urls.py): it is never retried.

The SDK's own retries (msrest over requests: three, with up to ~5 s of backoff, on 5xx) are
switched off on every turn's connector client by `NoSdkRetries`, so this is the only policy.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from botbuilder.core import BotAdapter, Middleware, TurnContext
from msrest.exceptions import ClientRequestError, HttpOperationError

from adapters.teams.pacing import Pacer
from adapters.teams.service_urls import ServiceUrlRefused

T = TypeVar("T")
RETRYABLE = frozenset({408, 412, 429, 500, 502, 503, 504})
BLOCKED = 403
NOT_FOUND = 404
DEFAULT_RETRY_AFTER = 30.0
CONNECTOR_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4             # tries in all, within one delivery
    backoff: float = 0.5          # first wait; doubles each time, with jitter
    max_wait: float = 10.0        # a longer Retry-After goes back to the scheduler instead


class SendFailed(Exception):
    """The connector refused a call for good (or for longer than we wait)."""

    def __init__(self, status: int | None, retry_after: float | None, detail: str, *,
                 final: bool = False) -> None:
        super().__init__(f"{status or 'no answer'}: {detail}")
        self.status = status
        self.retry_after = retry_after
        self.detail = detail
        self.final = final   # no point trying again (a refused service URL)

    @property
    def retryable(self) -> bool:
        return not self.final and (self.status is None or self.status in RETRYABLE)


def _retry_after(headers: Any) -> float | None:
    try:
        value = headers.get("Retry-After") if headers is not None else None
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def failure_of(error: Exception) -> SendFailed | None:
    """What a connector error means, or None for an error that is not the connector's."""
    if isinstance(error, SendFailed):
        return error
    if isinstance(error, ServiceUrlRefused):
        return SendFailed(None, None, str(error), final=True)
    if isinstance(error, HttpOperationError):
        response = error.response
        status = getattr(response, "status_code", None)
        return SendFailed(int(status) if status else None,
                          _retry_after(getattr(response, "headers", None)),
                          f"HTTP {status}: {str(getattr(response, 'text', ''))[:200]}")
    if isinstance(error, ClientRequestError | OSError | TimeoutError):
        return SendFailed(None, None, type(error).__name__)
    return None


async def with_retries(call: Callable[[], Awaitable[T]], *, pacer: Pacer, thread: str,
                       tenant: str, policy: RetryPolicy,
                       sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> T:
    """`call()` within Teams' limits, retried on passing failures; raises SendFailed."""
    for attempt in range(policy.attempts):
        await pacer.acquire(thread, tenant)
        try:
            return await call()
        except Exception as error:
            failure = failure_of(error)
            if failure is None:
                raise
        if not failure.retryable or attempt == policy.attempts - 1:
            raise failure
        wait = failure.retry_after if failure.retry_after is not None else (
            policy.backoff * 2 ** attempt * (1 + random.random() / 2))
        if wait > policy.max_wait:
            raise failure
        await sleep(wait)
    raise AssertionError("unreachable")


class NoSdkRetries(Middleware):  # type: ignore[misc]
    """Every turn's connector client: no msrest retries (ours apply), a bounded timeout."""

    async def on_turn(self, context: TurnContext,
                      logic: Callable[[], Awaitable[None]]) -> None:
        client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        config = getattr(client, "config", None)
        if config is not None:
            config.retry_policy.retries = 0
            config.connection.timeout = CONNECTOR_TIMEOUT
        await logic()
