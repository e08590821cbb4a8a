"""`rapport slack-worker`: processes what `rapport serve` accepted from Slack, in its own process.

With `SLACK_PROCESS_INBOX=false` the serving processes only verify, deduplicate, store and ack;
detection, the core and the Web API calls run here instead, on other cores or other machines.
Any number of workers share the inboxes through the consumer group; a worker that dies leaves
its deliveries to the others (XAUTOCLAIM after `min_idle_ms`).
"""

from __future__ import annotations

import asyncio
import logging
import signal

from adapters.bootstrap import Runtime
from adapters.slack.http import SlackAdapter, SlackOptions

log = logging.getLogger("rapport.slack.worker")


async def work(runtime: Runtime, stop: asyncio.Event, options: SlackOptions | None = None,
               grace: float = 20.0) -> None:
    """Process Slack deliveries until `stop` is set, then finish those in hand (within `grace`)."""
    slack = SlackAdapter(runtime, options)
    slack.inbox.start(listen=True)
    log.info("Slack worker %s processing the inboxes", slack.inbox.consumer)
    try:
        await stop.wait()
    finally:
        await slack.inbox.stop(within=grace)
        await slack.clients.close()
        log.info("Slack worker %s stopped", slack.inbox.consumer)


async def run(runtime: Runtime) -> None:
    """`work` until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await work(runtime, stop)
