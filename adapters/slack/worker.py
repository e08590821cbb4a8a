"""`rapport slack-worker`: processes what `rapport serve` accepted from Slack, in its own process.

With `SLACK_PROCESS_INBOX=false` the serving processes only verify, deduplicate, store and ack;
the core and the Web API calls run here instead, on other cores or other machines.
Any number of workers share the inboxes through the consumer group; a worker that dies leaves
its deliveries to the others (XAUTOCLAIM after `min_idle_ms`). A worker answers `/healthz`,
`/readyz` and `/metrics` on `PORT` (give it a port of its own beside a `rapport serve`).
"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from adapters.bootstrap import Runtime
from adapters.slack.http import SlackAdapter, SlackOptions
from adapters.web.server import make_app

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


async def run(runtime: Runtime, host: str = "0.0.0.0") -> None:
    """`work` until SIGTERM or SIGINT, with health and metrics on `PORT`."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, runtime.stopping.set)
    runner = web.AppRunner(make_app(runtime), access_log=None)  # health and metrics only
    await runner.setup()
    await web.TCPSite(runner, host, runtime.settings.port).start()
    try:
        await work(runtime, runtime.stopping)
    finally:
        await runner.cleanup()
