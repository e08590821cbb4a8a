"""The tick: run everything due at a moment, once, and hand the messages to the platforms.

`rapport tick --now ISO` runs one tick and exits; `rapport serve` runs ticks in process. Jobs
are claimed atomically (see DueWork), so ticks on many replicas never run a job twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot import digest, followup, nudges, retention
from bot.ports import Delivery, DeliveryOutcome, Job, Messenger, Ports
from bot.replies import Reply

log = logging.getLogger("rapport.tick")

JobRunner = Callable[[Ports, Job, datetime], Awaitable[list[Reply]]]
# After a delivery: settle what it means (marks, profile), and name the job's next occurrence.
AfterDelivery = Callable[[Ports, Job, Delivery, datetime], Awaitable[Job | None]]
RUNNERS: dict[str, JobRunner] = {
    **{kind: followup.run for kind in followup.KINDS},
    nudges.AGAIN: nudges.run_again,
    digest.WEEKLY: digest.run,
    retention.RETAIN: retention.run,
}
AFTER: dict[str, AfterDelivery] = {followup.FOLLOW_UP: followup.after}


class Batch(Protocol):
    """The jobs of one kind in a claimed batch, prepared together (see nudges.DailyBatch)."""

    def replies(self, job: Job) -> list[Reply]: ...

    def next(self, job: Job) -> Job | None: ...

    async def after(self, job: Job, delivery: Delivery) -> Job | None: ...

    async def finish(self) -> None: ...


# Kinds that run a whole claimed batch at once: the daily fan-out is most of the work.
BATCHED: dict[str, Callable[[Ports, list[Job], datetime], Awaitable[Batch]]] = {
    nudges.DAILY: nudges.DailyBatch.prepare,
}

LEASE_SECONDS = 300.0
ALREADY = "already delivered"
BATCH = 500
OVERLAP = 2  # claimed batches in flight at once
# A batch that failed half way may hold daily marks (nudges.MARK_LEASE, 4 minutes): its retry
# comes once they have run out, so it takes them over (asking the platform first).
BATCH_RETRY = timedelta(minutes=5)
MAX_ATTEMPT_DELAY = timedelta(hours=1)


@dataclass
class TickReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    gone: int = 0
    skipped: int = 0
    recovered: int = 0
    failed: int = 0
    confirmed: int = 0  # found already delivered by an earlier attempt: settled, not resent
    max_lag_seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)


@dataclass
class _Run:
    """One claimed batch going through a tick; its jobs are settled together at the end."""

    now: datetime
    report: TickReport
    batches: dict[str, Batch] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # kinds whose batch could not be prepared
    settled: list[tuple[Job, Job | None]] = field(default_factory=list)


class Ticker:
    """Runs due work with bounded concurrency and per-platform messengers."""

    def __init__(self, ports: Ports, messengers: Mapping[str, Messenger],
                 runners: Mapping[str, JobRunner] | None = None, concurrency: int = 32) -> None:
        self.ports = ports
        self.messengers = messengers
        self.runners = dict(RUNNERS if runners is None else runners)
        self.concurrency = concurrency

    async def tick(self, now: datetime) -> TickReport:
        report = TickReport(recovered=await self.ports.due.recover(now))
        gate = asyncio.Semaphore(self.concurrency)
        # Two batches overlap: the next one is claimed and prepared while the last sends of
        # this one (a few waiting out a 429) finish, so the senders never sit idle.
        running: set[asyncio.Task[None]] = set()
        while True:
            jobs = await self.ports.due.claim(now, LEASE_SECONDS, BATCH)
            if not jobs:
                break
            report.claimed += len(jobs)
            report.max_lag_seconds = max(report.max_lag_seconds,
                                         *((now - job.due).total_seconds() for job in jobs))
            run = _Run(now, report)
            await self._prepare(jobs, run)
            running.add(asyncio.create_task(self._send(jobs, run, gate)))
            if len(running) >= OVERLAP:
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()  # a batch that could not be settled fails the tick
        for outcome in await asyncio.gather(*running, return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome
        return report

    async def _send(self, jobs: list[Job], run: _Run, gate: asyncio.Semaphore) -> None:
        async def one(job: Job) -> None:
            async with gate:
                await self._run(job, run)

        await asyncio.gather(*(one(job) for job in jobs if job.kind not in run.failed))
        for batch in run.batches.values():
            await batch.finish()
        await self.ports.due.settle_many(run.settled)

    async def _prepare(self, jobs: list[Job], run: _Run) -> None:
        for kind, prepare in BATCHED.items():
            mine = [job for job in jobs if job.kind == kind]
            if not mine:
                continue
            try:
                run.batches[kind] = await prepare(self.ports, mine, run.now)
            except Exception:
                log.exception("a batch of %d %s jobs failed; retrying in %s", len(mine), kind,
                              BATCH_RETRY)
                run.report.failed += len(mine)
                run.failed.add(kind)
                for job in mine:
                    await self.ports.due.retry(job, run.now + BATCH_RETRY)

    async def _run(self, job: Job, run: _Run) -> None:
        now, report = run.now, run.report
        batch = run.batches.get(job.kind)
        runner = self.runners.get(job.kind)
        if batch is None and runner is None:
            log.warning("no runner for job kind %s; dropping it", job.kind)
            run.settled.append((job, None))
            return
        try:
            replies = batch.replies(job) if batch is not None else \
                await runner(self.ports, job, now)  # type: ignore[misc]
        except Exception:
            log.exception("job %s failed; retrying in a minute", job.kind)
            report.failed += 1
            await self.ports.due.retry(job, now + timedelta(minutes=1))
            return
        if not replies:
            report.skipped += 1
            run.settled.append((job, batch.next(job) if batch is not None else None))
            return
        outcome = await self._deliver(replies)
        after = AFTER.get(job.kind)
        if batch is not None:
            then = await batch.after(job, outcome)
        else:
            then = await after(self.ports, job, outcome, now) if after is not None else None
        if outcome.outcome is DeliveryOutcome.RETRY:
            report.retried += 1
            delay = timedelta(seconds=outcome.retry_after or 30)
            await self.ports.due.retry(job, now + min(delay, MAX_ATTEMPT_DELAY))
            return
        if outcome.outcome is DeliveryOutcome.SENT and outcome.detail == ALREADY:
            report.confirmed += 1
        elif outcome.outcome is DeliveryOutcome.GONE:
            log.info("a %s for a person who is gone (%s); not sending again", job.kind,
                     outcome.detail)
            report.gone += 1
        else:
            report.sent += 1
            report.by_kind[job.kind] = report.by_kind.get(job.kind, 0) + 1
        run.settled.append((job, then))

    async def _deliver(self, replies: list[Reply]) -> Delivery:
        last = Delivery(DeliveryOutcome.SENT, detail=ALREADY)
        for reply in replies:
            platform = reply.to.platform if reply.to else None
            messenger = self.messengers.get(platform or "")
            if messenger is None:
                log.warning("no messenger for platform %s", platform)
                return Delivery(DeliveryOutcome.GONE, detail=f"no messenger for {platform}")
            if reply.check_first and reply.key and await messenger.delivered(reply):
                log.info("a %s was already delivered by an earlier attempt; not sending again",
                         reply.key.split(":")[0])
                continue
            last = await messenger.deliver(reply)
            if last.outcome is not DeliveryOutcome.SENT:
                return last
        return last
