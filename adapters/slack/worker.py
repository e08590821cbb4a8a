"""`rapport slack-worker`: processes what `rapport serve` accepted from Slack, in its own process.

With `SLACK_PROCESS_INBOX=false` the serving processes only verify, deduplicate, store and ack;
the core and the Web API calls run here instead, on other cores or other machines.
Any number of workers share the inboxes through the consumer group; a worker that dies leaves
its deliveries to the others (XAUTOCLAIM after `min_idle_ms`). A worker answers `/healthz`,
`/readyz` and `/metrics` on `PORT` (give it a port of its own beside a `rapport serve`): the
command (adapters/cli/main.py) serves them beside `work`.
"""

from __future__ import annotations

import asyncio
import logging

from adapters.slack.platform import SlackPlatform

log = logging.getLogger("rapport.slack.worker")


async def work(slack: SlackPlatform, stop: asyncio.Event, grace: float = 20.0) -> None:
    """Process Slack deliveries until `stop` is set, then finish those in hand (within `grace`).

    >>> await work(SlackPlatform(parts), asyncio.Event())     # doctest: +SKIP
    """
    slack.work(listen=True)
    consumer = slack.adapter.inbox.consumer
    log.info("Slack worker %s processing the inboxes", consumer)
    try:
        await stop.wait()
    finally:
        await slack.close(within=grace)
        log.info("Slack worker %s stopped", consumer)
