"""Metrics for Prometheus and structured JSON logs, with a request id on every line.

Metric names follow Prometheus conventions (`rapport_*_total` counters, `_seconds` histograms).
Logs never carry secrets, and message texts only at DEBUG.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import time
from collections.abc import Iterable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from bot.core import Rapport
from bot.events import Event
from bot.replies import Reply

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

EVENTS_RECEIVED = Counter("rapport_events_received_total", "Platform deliveries received",
                          ["platform", "kind"])
EVENTS_DEDUPLICATED = Counter("rapport_events_deduplicated_total",
                              "Platform deliveries recognised as repeats and not processed again",
                              ["platform"])
EVENTS_FAILED = Counter("rapport_events_failed_total", "Deliveries answered with an error",
                        ["platform", "reason"])
HANDLE_SECONDS = Histogram("rapport_handle_seconds", "Time the core took per event",
                           ["platform", "kind"],
                           buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
NUDGES = Counter("rapport_sends_total", "Scheduled messages (nudges, reminders, digests) by outcome",
                 ["outcome"])
REDIS_ERRORS = Counter("rapport_redis_errors_total", "Operations that failed because Redis did not "
                       "answer", ["where"])
TICK_LAG = Gauge("rapport_tick_lag_seconds", "How late the most overdue job of the last tick ran")
TICK_SECONDS = Histogram("rapport_tick_seconds", "Duration of one scheduler tick",
                         buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120))


# One child per platform, made when a server mounts the platform (adapters/web/server.py
# derives the delivery routes from the platforms it is given): /metrics shows zeros at once.
_RECEIVED: dict[str, Any] = {}


def expect_deliveries(platforms: Iterable[str]) -> None:
    """Make the delivery counters of these platforms, so that /metrics lists them at zero."""
    for platform in platforms:
        if platform not in _RECEIVED:
            _RECEIVED[platform] = EVENTS_RECEIVED.labels(platform=platform, kind="delivery")


def delivery_received(platform: str) -> None:
    counter = _RECEIVED.get(platform)
    if counter is None:
        expect_deliveries([platform])
        counter = _RECEIVED[platform]
    counter.inc()


def delivery_failed(platform: str, status: int) -> None:
    EVENTS_FAILED.labels(platform=platform, reason=str(status)).inc()


class MeasuredRapport(Rapport):
    """The core, timed per event for `rapport_handle_seconds`."""

    async def handle(self, event: Event) -> list[Reply]:
        started = time.perf_counter()
        try:
            return await super().handle(event)
        finally:
            HANDLE_SECONDS.labels(platform=event.actor.person.platform,
                                  kind=type(event).__name__.lower()).observe(
                time.perf_counter() - started)


async def metrics(request: web.Request) -> web.Response:
    response = web.Response(body=generate_latest())
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    response.charset = "utf-8"
    return response


def request_id(given: str) -> str:
    """The caller's X-Request-Id when it is sane, else a new random one."""
    return given if 0 < len(given) <= 64 and given.isprintable() else os.urandom(16).hex()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": REQUEST_ID.get(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries log request bodies and tokens at DEBUG; keep them at INFO or above.
    for noisy in ("slack_bolt", "slack_sdk", "botbuilder", "msal", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLevelName(level)))
