"""The durable inbox: what Slack sent is written to Redis before Slack gets its 200.

The ack path does one round trip: a script that marks the delivery as seen *and* appends it to
the workspace's stream, atomically, so a delivery is either fully accepted or not at all (then
the request fails with 5xx and Slack's retry is processed). Chat that holds no promise needs
nothing but counting: its script marks it seen and counts it, and it is never stored. The slow
work (the core, Web API calls) runs after the ack, in a worker that reads the stream through a
consumer group; entries a crashed replica had claimed come back through XAUTOCLAIM.

    accept() --SET NX seen + XADD--> rp:{w:slack:T1}:slack:inbox --XREADGROUP--> process()
                                                                  --XACK + XDEL--> done

The worker runs in the serving process by default. With `SLACK_PROCESS_INBOX=false` the
serving process only accepts and publishes a wake-up (`rp:slack:wake`, the workspace id) for
what it accepted in the last 2 ms; `rapport slack-worker` processes listen for it, and their
recovery sweep reads every inbox now and then in case a wake-up was lost (Pub/Sub delivers at
most once).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError, ResponseError

from adapters.batching import Batcher
from adapters.observability import EVENTS_DEDUPLICATED
from adapters.redis.keys import WorkspaceKeys
from adapters.redis.scripts import FENCE_LUA, LATE, ScriptCall, ServerClock, run_calls
from adapters.slack import ids

log = logging.getLogger("rapport.slack.inbox")

GROUP = "rapport"
SEEN_TTL = 24 * 3600      # Slack retries for about an hour; a day is plenty
MAX_ATTEMPTS = 5          # a delivery that failed this often goes to the dead letters
# Dead letters (for an operator to look into) are kept 7 days at most, and 1,000 at most per
# workspace: each new one trims those older than the period, and the stream itself expires
# 7 days after the last one came. Forget-me deletes those that concern the person.
DEAD_LETTER_MS = 7 * 24 * 3600 * 1000
DEAD_LETTERS_KEPT = 1000
_SLACK_USER = re.compile(r"(?<![A-Za-z0-9])[UW][A-Z0-9]+(?![A-Za-z0-9])")  # user ids in a body
BATCH = 200
# A delivery the caller gave up on must leave no trace: the accept scripts get a deadline (in
# Redis's clock) and refuse to write after it. FENCE is how long after `accept` was called.
FENCE = 1.5
# A worker says it is alive every HEARTBEAT seconds (a key that lapses after ALIVE_MS); what a
# consumer without that key had claimed is taken over by the next sweep, however recent. Live
# workers are never robbed, however slow: their own failures they retry themselves, after
# `min_idle_ms`.
HEARTBEAT = 2.0
ALIVE_MS = 10_000
COALESCE = 0.002          # seconds the worker lets deliveries gather before reading them
WAKE_DELAY = 0.002        # seconds accepted deliveries gather before other workers are woken

# KEYS[1] the seen key, KEYS[2] the stream; ARGV: ttl, kind, body, user, dedupe, deadline.
# Returns the entry id, false for a delivery already accepted, or the LATE error (nothing
# written) when Redis runs it after its deadline: its caller has answered 503 by then.
_ACCEPT = FENCE_LUA + """
if late(ARGV[6]) then return redis.error_reply('""" + LATE + """ accept') end
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', 'k', ARGV[2], 'b', ARGV[3], 'u', ARGV[4],
                    'd', ARGV[5])
end
return false
"""

# Deliveries whose processing would only count them (chat without a promise), all of one
# workspace: KEYS[1] its stats hash, KEYS[2..n+1] their seen keys; ARGV[1] the ttl,
# ARGV[2..n+1] each one's count field, ARGV[n+2..] each one's deadline. Returns 1 per new
# delivery (counted), 0 per one seen before, -1 per one that came too late (nothing written).
_COUNT = FENCE_LUA + """
local out = {}
local n = #KEYS - 1
for i = 2, #KEYS do
  if late(ARGV[n + i]) then
    out[#out + 1] = -1
  elseif redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('HINCRBY', KEYS[1], ARGV[i], 1)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
"""


class LateError(RedisError):
    """Redis ran an accept after its deadline and wrote nothing: answer 5xx."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One accepted delivery: its kind ("event", "command", "action", "view"), its payload."""

    workspace: str
    id: str
    kind: str
    body: dict[str, Any]
    user: str = ""
    dedupe: str = ""   # what identifies the delivery (e:<event_id>, c:<hash of the body>...)

    @property
    def key(self) -> str:
        """The delivery's idempotency key: the same for a retry, a replay or a re-claim."""
        return f"slack:{self.dedupe or self.id}"


Process = Callable[[Entry], Awaitable[bool]]
"""Processes an entry; False when the workspace itself is gone (nothing left to count)."""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def alive_key(consumer: str) -> str:
    """Set while the worker `consumer` is alive (one key per worker, no workspace data)."""
    return f"rp:worker:{consumer}:alive"


class Inbox:
    """Accepts deliveries durably and processes them after the ack, at least once.

    >>> inbox = Inbox(redis, process)           # doctest: +SKIP
    >>> await inbox.accept("T1", "e:Ev1", "event", body)   # True: new; False: a retry
    """

    def __init__(self, redis: Redis, process: Process, *, concurrency: int = 64,
                 recover_every: float = 15.0, min_idle_ms: int = 120_000,
                 wake_elsewhere: bool = False) -> None:
        self.redis = redis
        self.wake_elsewhere = wake_elsewhere  # the workers run in other processes: tell them
        self._waking: set[str] = set()  # workspaces with a wake-up about to be published
        self.process = process
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{id(self):x}"
        self.recover_every = recover_every
        self.min_idle_ms = min_idle_ms
        self._script = redis.register_script(_ACCEPT)
        self._count = redis.register_script(_COUNT)
        self._clock = ServerClock(redis)
        self._registered: set[str] = set()
        self._registering: dict[str, asyncio.Future[None]] = {}  # one SADD for a cold burst
        self._alive = asyncio.Event()  # this worker's liveness key is set: it may claim
        self._wake: set[str] = set()
        self._woken = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._lanes: dict[tuple[str, str], tuple[asyncio.Lock, list[int]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._inflight: dict[str, set[str]] = {}  # workspace -> entry ids being processed here
        self._loops: list[asyncio.Task[None]] = []
        self._reading = False
        self._stopping = asyncio.Event()
        # Under load many requests accept (and many workers settle) at once: one round trip
        # carries them all.
        self._accepts = Batcher(self._accept_many, one_at_a_time=True)
        # Settling can wait a moment (the ack is long sent): bigger batches, fewer syscalls.
        self._settles = Batcher(self._settle_many, delay=COALESCE)

    # -- the ack path -------------------------------------------------------------------------

    async def _register(self, workspace: str) -> None:
        """Name the workspace among the inboxes once; a burst of its first deliveries shares
        the one SADD (before, each took a connection of its own: 3,000 cold commands emptied
        the pool)."""
        if workspace in self._registered:
            return
        pending = self._registering.get(workspace)
        if pending is None:
            pending = asyncio.get_running_loop().create_future()
            self._registering[workspace] = pending
            try:
                await self.redis.sadd(ids.INBOXES, workspace)
                self._registered.add(workspace)
                pending.set_result(None)
            except BaseException as error:
                pending.set_exception(error)
                pending.exception()  # retrieved: nobody else may be waiting
                raise
            finally:
                del self._registering[workspace]
            return
        await asyncio.shield(pending)

    def _refused(self) -> LateError:
        """A LATE refusal that still found its caller waiting: the clocks drifted apart."""
        self._clock.stale()
        return LateError("Redis ran the accept after its deadline; nothing was stored")

    async def accept(self, workspace: str, dedupe: str, kind: str, body: dict[str, Any],
                     user: str = "", within: float = FENCE) -> bool:
        """Store the delivery unless it was accepted before; True when it is new.

        Redis stores it only if it runs the script within `within` seconds of this call, so a
        caller that gave up after longer than that has stored nothing. Raises RedisError when
        Redis does not answer (or answers too late): the caller must answer 5xx.
        """
        await self._register(workspace)
        deadline = await self._clock.deadline(within)
        try:
            entry = await self._accepts.submit((
                workspace, self._script,
                [ids.seen_key(workspace, dedupe), ids.inbox_key(workspace)],
                [SEEN_TTL, kind, json.dumps(body, separators=(",", ":")), user, dedupe,
                 deadline]))
        except ResponseError as error:
            if LATE in str(error):
                raise self._refused() from error
            raise
        if entry is None:
            EVENTS_DEDUPLICATED.labels(platform="slack").inc()
            return False
        self._wake.add(workspace)
        self._woken.set()
        return True

    async def count(self, workspace: str, dedupe: str, kind: str, within: float = FENCE) -> bool:
        """A delivery whose processing would only count it: counted once, in the same round
        trip as its dedupe mark, and never stored. True when it is new.

        Fenced like `accept`. Raises RedisError when Redis does not answer: the caller must
        answer 5xx.
        """
        deadline = await self._clock.deadline(within)
        new = await self._accepts.submit((workspace, self._count, ids.seen_key(workspace, dedupe),
                                          (f"slack_{kind}s", deadline)))
        if new == -1:
            raise self._refused()
        if not new:
            EVENTS_DEDUPLICATED.labels(platform="slack").inc()
            return False
        return True

    async def _accept_many(self, items: list[tuple[str, AsyncScript, Any, Any]]) -> list[Any]:
        """One round trip for everything accepted together: a script call per stored delivery,
        one per workspace for those only counted."""
        calls: list[ScriptCall] = []
        counted: dict[str, list[int]] = {}  # workspace -> positions of its counted items
        for position, (workspace, script, keys, args) in enumerate(items):
            if script is self._count:
                counted.setdefault(workspace, []).append(position)
            else:
                calls.append((script, keys, args))
        for workspace, positions in counted.items():
            stats = WorkspaceKeys(ids.workspace_ref(workspace)).stats
            calls.append((self._count, [stats, *(items[i][2] for i in positions)],
                          [SEEN_TTL, *(items[i][3][0] for i in positions),
                           *(items[i][3][1] for i in positions)]))
        results = iter(await run_calls(self.redis, calls))
        answers: list[Any] = [next(results) if script is not self._count else None
                              for _, script, _, _ in items]
        for positions in counted.values():
            result = next(results)
            for index, position in enumerate(positions):
                answers[position] = result if isinstance(result, Exception) else result[index]
        if self.wake_elsewhere:
            for (workspace, script, _, _), answer in zip(items, answers, strict=True):
                if script is self._script and answer is not None and \
                        not isinstance(answer, Exception) and \
                        workspace not in self._waking:
                    # One wake-up per workspace for everything accepted within WAKE_DELAY,
                    # sent after those entries are in the stream (not part of the ack).
                    self._waking.add(workspace)
                    asyncio.get_running_loop().call_later(WAKE_DELAY, self._send_wake, workspace)
        return answers

    def _send_wake(self, workspace: str) -> None:
        self._waking.discard(workspace)
        task = asyncio.create_task(self._publish_wake(workspace))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish_wake(self, workspace: str) -> None:
        try:
            await self.redis.publish(ids.WAKE_CHANNEL, workspace)
        except RedisError as error:  # the workers' recovery sweep finds the entries anyway
            log.warning("could not wake the Slack workers: %s", error)

    def forget_workspace(self, workspace: str) -> None:
        """After an uninstall wiped the workspace's keys: register it again on next use."""
        self._registered.discard(workspace)

    # -- the worker ---------------------------------------------------------------------------

    def start(self, listen: bool = False) -> None:
        """Process deliveries: those accepted here, and with `listen` (a `rapport slack-worker`)
        those other processes accepted and woke the workers for."""
        self._stopping.clear()
        self._loops = [asyncio.create_task(self._heartbeat_loop(), name="slack-inbox-alive"),
                       asyncio.create_task(self._read_loop(), name="slack-inbox-read"),
                       asyncio.create_task(self._recover_loop(), name="slack-inbox-recover")]
        if listen:
            self._loops.append(asyncio.create_task(self._listen_loop(), name="slack-inbox-listen"))

    async def stop(self, within: float = 5.0) -> None:
        """Stop reading; deliveries being processed get `within` seconds to finish (the rest
        stay pending, for another worker to take over)."""
        # A flag as well as cancel(): a cancellation that lands inside the Redis client can be
        # swallowed there, and the loops must end all the same.
        self._stopping.set()
        self._woken.set()
        for loop in self._loops:
            loop.cancel()
        if self._loops:
            await asyncio.wait(self._loops, timeout=5)
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=within)
        self._alive.clear()
        with contextlib.suppress(RedisError, OSError):
            # What is left pending is taken over at the next sweep elsewhere, not in ALIVE_MS.
            await self.redis.delete(alive_key(self.consumer))

    async def drained(self, within: float = 10.0) -> None:
        """Wait until every delivery accepted here is processed (tests, graceful stops)."""
        async with asyncio.timeout(within):
            while self._wake or self._reading or self._tasks:  # noqa: ASYNC110 (tests only)
                await asyncio.sleep(0.002)

    async def _heartbeat_loop(self) -> None:
        """Say this worker is alive, and keep the idle time of what it works on low."""
        while not self._stopping.is_set():
            try:
                await self.heartbeat()
            except RedisError as error:
                log.warning("the Slack worker's heartbeat failed (%s); trying again", error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), HEARTBEAT)

    async def _read_loop(self) -> None:
        await self._alive.wait()  # claim nothing before others can see this worker is alive
        while not self._stopping.is_set():
            await self._woken.wait()
            await asyncio.sleep(COALESCE)  # let a burst gather: one read for all of it
            self._woken.clear()
            if self._stopping.is_set():
                return
            self._reading = True
            workspaces, self._wake = self._wake, set()
            try:
                for workspace in workspaces:
                    try:
                        await self._read(workspace, ">")
                    except RedisError:
                        log.exception("reading the Slack inbox of %s failed; recovery retries it",
                                      workspace)
            finally:
                self._reading = False

    async def _listen_loop(self) -> None:
        """Wake-ups from the serving processes; the first sweep reads whatever came before."""
        backoff = 0.1
        while not self._stopping.is_set():
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(ids.WAKE_CHANNEL)
                backoff = 0.1
                for raw in await self.redis.smembers(ids.INBOXES):  # accepted while away
                    self._wake.add(_text(raw))
                self._woken.set()
                while not self._stopping.is_set():
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._wake.add(_text(message["data"]))
                        self._woken.set()
            except (RedisError, OSError) as error:
                log.warning("listening for Slack wake-ups failed (%s); listening again", error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _recover_loop(self) -> None:
        await self._alive.wait()
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.recover_every)
                return
            try:
                await self.recover()
            except RedisError:
                log.exception("recovering the Slack inboxes failed; trying again later")

    async def heartbeat(self) -> None:
        """Say this worker is alive for ALIVE_MS more, and reset the idle time of what it is
        still working on (a slow Web API call under rate limits)."""
        await self.redis.set(alive_key(self.consumer), "1", px=ALIVE_MS)
        self._alive.set()
        for workspace, entries in list(self._inflight.items()):
            if entries:
                await self.redis.xclaim(ids.inbox_key(workspace), GROUP, self.consumer, 0,
                                        list(entries), justid=True)

    async def recover(self) -> int:
        """Process what no live worker is processing: entries never read, entries claimed by
        a worker that is gone (no liveness key: killed, or stopped), and this worker's own
        failures once `min_idle_ms` old. Returns how many were picked up."""
        found = 0
        for raw in await self.redis.smembers(ids.INBOXES):
            workspace = _text(raw)
            found += await self._read(workspace, ">")
            key = ids.inbox_key(workspace)
            try:
                summary: Any = await self.redis.xpending(key, GROUP)
            except ResponseError:
                continue  # no stream or no group yet: nothing was ever claimed
            for consumer in summary.get("consumers") or []:
                name = _text(consumer["name"])
                if name == self.consumer:
                    found += await self._take(workspace, name, self.min_idle_ms)
                elif not await self.redis.exists(alive_key(name)):
                    found += await self._take(workspace, name, 0)
                    with contextlib.suppress(ResponseError):
                        # Nothing left in its name (what arrived meanwhile stays): forget it.
                        if not (await self.redis.xpending_range(
                                key, GROUP, "-", "+", 1, consumername=name)):
                            await self.redis.xgroup_delconsumer(key, GROUP, name)
        return found

    async def _take(self, workspace: str, consumer: str, min_idle_ms: int) -> int:
        """Claim and process the entries `consumer` holds that are at least this idle (and
        not being processed here)."""
        key = ids.inbox_key(workspace)
        working = self._inflight.get(workspace, set())
        found, start = 0, "-"
        while True:
            pending: Any = await self.redis.xpending_range(
                key, GROUP, start, "+", BATCH, consumername=consumer, idle=min_idle_ms or None)
            wanted: list[Any] = [_text(p["message_id"]) for p in pending
                                 if _text(p["message_id"]) not in working]
            if wanted:
                claimed: Any = await self.redis.xclaim(key, GROUP, self.consumer, min_idle_ms,
                                                       wanted)
                found += self._dispatch(workspace, claimed)
                deleted = [raw_id for raw_id, fields in claimed if not fields]
                if deleted:  # deleted from the stream while pending: nothing to do any more
                    await self.redis.xack(key, GROUP, *deleted)
            if len(pending) < BATCH:
                return found
            start = "(" + _text(pending[-1]["message_id"])

    async def _read(self, workspace: str, start: str) -> int:
        key = ids.inbox_key(workspace)
        total = 0
        while True:
            try:
                reply: Any = await self.redis.xreadgroup(GROUP, self.consumer, {key: start},
                                                         count=BATCH)
            except ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                with contextlib.suppress(ResponseError):  # BUSYGROUP: another replica made it
                    await self.redis.xgroup_create(key, GROUP, id="0", mkstream=True)
                continue
            entries = reply[0][1] if reply else []
            total += self._dispatch(workspace, entries)
            if len(entries) < BATCH:
                return total

    def _dispatch(self, workspace: str, entries: list[Any]) -> int:
        """Start processing what was read."""
        count = 0
        for raw_id, fields in entries:
            if not fields:
                continue  # deleted while pending
            working = self._inflight.setdefault(workspace, set())
            if _text(raw_id) in working:
                continue  # already being processed here
            entry = Entry(workspace=workspace, id=_text(raw_id), kind=_text(fields[b"k"]),
                          body=cast(dict[str, Any], json.loads(fields[b"b"])),
                          user=_text(fields.get(b"u", b"")), dedupe=_text(fields.get(b"d", b"")))
            count += 1
            working.add(entry.id)
            task = asyncio.create_task(self._run(entry))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return count

    async def _run(self, entry: Entry) -> None:
        # One person's deliveries run in order (a message before its edit); people in parallel.
        lane_key = (entry.workspace, entry.user)
        lane, users = self._lanes.setdefault(lane_key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with self._slots, lane:
                try:
                    counted = await self.process(entry)
                except Exception as error:
                    await self._failed(entry, error)
                    return
                await self._done(entry, counted)
        except RedisError:
            log.exception("settling Slack delivery %s failed; it will be recovered", entry.id)
        finally:
            self._inflight.get(entry.workspace, set()).discard(entry.id)
            users[0] -= 1
            if users[0] == 0:
                del self._lanes[lane_key]

    async def _done(self, entry: Entry, counted: bool) -> None:
        await self._settles.submit((entry, counted))

    async def _settle_many(self, items: list[tuple[Entry, bool]]) -> list[Any]:
        by_workspace: dict[str, list[tuple[Entry, bool]]] = {}
        for entry, counted in items:
            by_workspace.setdefault(entry.workspace, []).append((entry, counted))
        async with self.redis.pipeline(transaction=False) as pipe:
            for workspace, settled in by_workspace.items():
                key = ids.inbox_key(workspace)
                done = [entry.id for entry, _ in settled]
                pipe.xack(key, GROUP, *done)
                pipe.xdel(key, *done)
                counts: dict[str, int] = {}
                for entry, counted in settled:
                    if counted:
                        field = f"slack_{entry.kind}s"
                        counts[field] = counts.get(field, 0) + 1
                # The processed counts live beside the core's figures (the stats port's hash).
                stats = WorkspaceKeys(ids.workspace_ref(workspace)).stats
                for field, count in counts.items():
                    pipe.hincrby(stats, field, count)
            await pipe.execute()
        return [None] * len(items)

    async def _failed(self, entry: Entry, error: Exception) -> None:
        attempts = int(await self.redis.hincrby(ids.attempts_key(entry.workspace), entry.id, 1))
        if attempts < MAX_ATTEMPTS:
            log.error("Slack delivery %s (%s) failed (attempt %d); it will be retried",
                      entry.id, entry.kind, attempts, exc_info=error)
            return  # stays pending: XAUTOCLAIM brings it back after min_idle_ms
        log.error("Slack delivery %s failed %d times; moved to the dead letters",
                  entry.id, attempts, exc_info=error)
        key, dead = ids.inbox_key(entry.workspace), ids.dead_letters_key(entry.workspace)
        body = json.dumps(entry.body)
        async with self.redis.pipeline(transaction=True) as pipe:
            # `u` and `m` name the people the entry concerns, so that forget-me finds it
            # (adapters/redis/store.py RedisPersonalData.forget scrubs every stream so).
            pipe.xadd(dead, {"k": entry.kind, "b": body, "u": entry.user,
                             "m": " ".join(sorted(set(_SLACK_USER.findall(body))))},
                      maxlen=DEAD_LETTERS_KEPT)
            pipe.pexpire(dead, DEAD_LETTER_MS)
            pipe.xack(key, GROUP, entry.id)
            pipe.xdel(key, entry.id)
            pipe.hdel(ids.attempts_key(entry.workspace), entry.id)
            added, *_ = await pipe.execute()
        # Entry ids are Redis's own milliseconds: older than the period goes, by that clock.
        newest = int(_text(added).partition("-")[0])
        await self.redis.xtrim(dead, minid=str(newest - DEAD_LETTER_MS), approximate=False)
