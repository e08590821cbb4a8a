"""What the core needs from storage. One implementation of each lives in adapters/redis."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from bot.replies import Reply
from habits.commitments import Commitment
from habits.handovers import Handover
from habits.helpfulness import Favour
from habits.negotiation import Prep
from habits.people import PersonRef, Profile, WorkspaceRef
from habits.recognition import Recognition
from habits.streaks import Habit, YearBits
from habits.summary import WeekFigures
from habits.teams import Team


class StorageUnavailable(RuntimeError):
    """Storage did not answer: the request must fail loudly so the platform retries it."""


class People(Protocol):
    async def profile(self, person: PersonRef) -> Profile:
        """The person's profile; a default one for someone not seen before."""
        ...

    async def save_profile(self, profile: Profile) -> None:
        """Store the person's settings; never changes `enrolled` or `quiet_days`."""
        ...

    async def enrol(self, person: PersonRef) -> None:
        """Record consent to scheduled messages (and that the person is not quiet)."""
        ...

    async def interacted(self, person: PersonRef) -> None:
        """The person used Rapport: their count of unanswered mornings starts again."""
        ...

    async def quiet_many(self, people: Sequence[PersonRef]) -> None:
        """One more scheduled morning went to each of `people` without an answer yet."""
        ...

    async def sharing(self, workspace: WorkspaceRef) -> set[str]:
        """Users in the workspace who chose to share their figures by name with managers."""
        ...

    async def profiles(self, people: Sequence[PersonRef]) -> list[Profile]:
        """Many profiles in one round trip, in the order asked."""
        ...

    async def is_junior(self, person: PersonRef) -> bool: ...



class Commitments(Protocol):
    async def add(self, owner: PersonRef, make: Callable[[int], Commitment],
                  key: str | None = None) -> Commitment:
        """Store a new commitment; `make` receives the owner's next promise number.

        With `key` (the idempotency key of the delivery that made it), atomically once: an add
        with a key already used stores nothing and returns the commitment stored under it (a
        copy, never the one `make` built)."""
        ...

    async def get(self, owner: PersonRef, number: int) -> Commitment | None: ...

    async def save(self, commitment: Commitment) -> None: ...

    async def replace(self, before: Commitment, after: Commitment) -> bool:
        """Store `after` only if the stored promise is still exactly `before` (two clicks on
        Kept at once: one wins, the other changes nothing). True when stored."""
        ...

    async def open_for(self, owner: PersonRef) -> list[Commitment]:
        """Open promises, soonest due first, undated ones last."""
        ...

    async def all_for(self, owner: PersonRef) -> list[Commitment]: ...

    async def discard(self, commitment: Commitment) -> None:
        """Remove a promise that was never one (tracked by mistake): no trace, no figures."""
        ...

    async def by_origin(self, owner: PersonRef, origin: str) -> Commitment | None:
        """The promise tracked from the chat message `origin`, if any."""
        ...


class Recognitions(Protocol):
    async def add(self, recognition: Recognition) -> None: ...

    async def remove(self, recognition: Recognition) -> None:
        """Take back kudos just given (undo): both the giver's and the receiver's copy."""
        ...

    async def given_by(self, person: PersonRef) -> list[Recognition]: ...

    async def received_by(self, person: PersonRef) -> list[Recognition]: ...


class Handovers(Protocol):
    async def add(self, giver: PersonRef, make: Callable[[int], Handover]) -> Handover: ...

    async def get(self, giver: PersonRef, number: int) -> Handover | None: ...

    async def save(self, handover: Handover) -> None: ...

    async def given_by(self, person: PersonRef) -> list[Handover]: ...

    async def received_by(self, person: PersonRef) -> list[Handover]: ...


class Favours(Protocol):
    """Help given and received (habits.helpfulness): each favour kept with its helper and with
    the person helped."""

    async def add(self, favour: Favour) -> None: ...

    async def given_by(self, person: PersonRef) -> list[Favour]: ...

    async def received_by(self, person: PersonRef) -> list[Favour]: ...


class Coaching(Protocol):
    """Which coaching lines a person was shown, and on which local day last (bot.coaching):
    a long line comes at most once a fortnight, a short one in its place otherwise."""

    async def last_shown(self, person: PersonRef, lines: Sequence[str]) -> dict[str, date]:
        """Line id -> the last local day it was shown, for those of `lines` ever shown."""
        ...

    async def shown(self, person: PersonRef, line: str, day: date) -> None:
        """The person was shown coaching line `line` on their local `day`."""
        ...


class Contacts(Protocol):
    """The last local day each pair of colleagues was in touch (habits.familiarity): no texts,
    no counts, only a day per colleague, kept with each of the two."""

    async def touch(self, person: PersonRef, colleagues: Sequence[PersonRef], day: date) -> None:
        """`person` and each of `colleagues` were in touch on `day` (kept both ways round)."""
        ...

    async def last_days(self, person: PersonRef) -> dict[str, date]:
        """Colleague user id -> the last day the person was in touch with them."""
        ...

    async def skip(self, person: PersonRef, colleague: str, until: date | None) -> None:
        """Don't suggest `colleague` to `person` through `until` (None: never again)."""
        ...


class Preps(Protocol):
    """Negotiation preps (habits.negotiation): private to their owner, numbered per owner."""

    async def add(self, owner: PersonRef, make: Callable[[int], Prep]) -> Prep:
        """Store a new prep; `make` receives the owner's next prep number."""
        ...

    async def get(self, owner: PersonRef, number: int) -> Prep | None: ...

    async def save(self, prep: Prep) -> None: ...

    async def drop(self, owner: PersonRef, number: int) -> bool:
        """Delete the prep; False when there was none with that number."""
        ...

    async def all_for(self, owner: PersonRef) -> list[Prep]:
        """Every prep of the owner's, by number."""
        ...


class HabitLog(Protocol):
    async def practised(self, person: PersonRef, habit: Habit, day: date) -> None:
        """Record that `person` practised `habit` on their local `day`."""
        ...

    async def unpractised(self, person: PersonRef, habit: Habit, day: date) -> None:
        """Take back `practised` for that day (an undo, when nothing else practised it)."""
        ...

    async def lapsed(self, person: PersonRef, day: date) -> None:
        """Record that a promise of theirs silently lapsed on their local `day`."""
        ...

    async def history(self, person: PersonRef) -> tuple[dict[Habit, YearBits], YearBits, date]:
        """Every habit's bitmaps, the lapse bitmaps, and the first day on record."""
        ...

    async def histories(self, people: Sequence[PersonRef],
                        years: Sequence[Sequence[int]] | None = None,
                        ) -> list[tuple[dict[Habit, YearBits], YearBits, date]]:
        """`history` for many people, in the order asked: one round trip when the years to read
        are given for each person, two when they must be looked up."""
        ...


class PersonalData(Protocol):
    async def export(self, person: PersonRef) -> dict[str, Any]:
        """Everything stored about `person`, as JSON-ready data."""
        ...

    async def forget(self, person: PersonRef) -> None:
        """Delete everything about `person`, including their traces in colleagues' records
        (promises made to them keep their figures and name "a colleague" instead), in the
        workspace's streams (their waiting deliveries, dead letters that mention them)."""
        ...

    async def expire_texts(self, person: PersonRef, before: datetime) -> int:
        """Blank the texts (what was promised, kudos reasons, decisions) of the person's records
        closed or given before `before`, and of handovers offered before it and never answered;
        figures and dates stay. Returns how many."""
        ...


class Dedupe(Protocol):
    async def first_time(self, workspace: WorkspaceRef, key: str, ttl_seconds: int) -> bool:
        """True the first time `key` is seen in the workspace within `ttl_seconds`."""
        ...

    async def release(self, workspace: WorkspaceRef, key: str) -> None:
        """Forget `key`: the work it guarded failed, so the platform's retry must count."""
        ...


@dataclass(frozen=True, slots=True)
class Offer:
    """A promise noticed in chat, offered privately to its author to track."""

    origin: str                 # "<channel>:<message ref>"
    what: str
    due: datetime | None
    to: tuple[str, ...]
    channel: str


class Offers(Protocol):
    async def put(self, person: PersonRef, offer: Offer, ttl_seconds: int) -> None: ...

    async def get(self, person: PersonRef, origin: str) -> Offer | None: ...

    async def take(self, person: PersonRef, origin: str) -> Offer | None:
        """Remove and return the offer: only one answer to an offer ever counts."""
        ...


@dataclass(frozen=True, slots=True)
class ThreadRequest:
    """A request-like message the bot saw ("can someone update the runbook by Friday?"), kept
    for at most two days so that a bare "mine" in its thread can be read as taking it on."""

    origin: str                 # "<channel>:<message ref>": the thread its replies are in
    author: PersonRef
    what: str                   # what it asks for (habits.detection.thread.find_request)
    due: datetime | None


class Requests(Protocol):
    async def remember(self, request: ThreadRequest, now: datetime, ttl_seconds: int) -> None:
        """Keep the request for `ttl_seconds` (its author's forget-me removes it sooner)."""
        ...

    async def parent(self, workspace: WorkspaceRef, origin: str) -> ThreadRequest | None:
        """The request a thread's root message made, if it made one and it is still kept."""
        ...


class Stats(Protocol):
    async def count(self, workspace: WorkspaceRef, name: str, by: int = 1) -> None: ...

    async def counts(self, workspace: WorkspaceRef) -> dict[str, int]: ...


class Teams(Protocol):
    async def get(self, workspace: WorkspaceRef, team_id: str) -> Team | None: ...

    async def save(self, team: Team) -> None:
        """Store the team and keep every member's and manager's index of their teams in step."""
        ...

    async def create(self, team: Team) -> Team | None:
        """Store a new team unless the workspace has one whose name looks the same
        (habits.teams.name_key: `Ops`, `Ｏｐｓ` and Cyrillic `Оps` are one name); that team is
        returned instead, and nothing is stored. Two creates at once: one wins."""
        ...

    async def named(self, workspace: WorkspaceRef, key: str) -> Team | None:
        """The workspace's team whose habits.teams.name_key is `key`, if any."""
        ...

    async def delete(self, team: Team) -> None: ...

    async def of_person(self, person: PersonRef) -> list[Team]:
        """Teams the person is a member or a manager of."""
        ...

    async def in_workspace(self, workspace: WorkspaceRef) -> list[Team]: ...


class Mark(StrEnum):
    TAKEN = "taken"        # first to send it
    TAKEN_OVER = "taken_over"  # a tick took it before and died: it may have been sent
    BUSY = "busy"          # sent already, or being sent right now by another tick


class NudgeMarks(Protocol):
    """One nudge a day per person: a mark taken before sending and confirmed after."""

    async def begin(self, person: PersonRef, day: date, now: datetime, lease_seconds: int,
                    purpose: str = "nudge") -> Mark:
        """Take the mark for `day`, unless that message was sent or is being sent by a tick
        whose lease (counted from `now`) has not run out."""
        ...

    async def begin_many(self, days: Sequence[tuple[PersonRef, date]], now: datetime,
                         lease_seconds: int, purpose: str = "nudge") -> list[Mark]:
        """`begin` for many (person, day) pairs in one round trip, in the order given."""
        ...

    async def sent(self, person: PersonRef, day: date, purpose: str = "nudge") -> None: ...

    async def sent_many(self, days: Sequence[tuple[PersonRef, date]],
                        purpose: str = "nudge") -> None: ...

    async def release(self, person: PersonRef, day: date, purpose: str = "nudge",
                      uncertain: bool = True) -> None:
        """The send failed and will be retried: free the mark. When the failure leaves it
        `uncertain` whether the platform got the message (a 5xx, a timeout), the retry takes
        the mark over and asks the platform first."""
        ...


class DashboardLinks(Protocol):
    """Single-use links to the team dashboard page (bot.dashboard, adapters/web/dashboard.py)."""

    async def issue(self, viewer: PersonRef, is_admin: bool) -> str | None:
        """A new link for `viewer` alone, which opens once and soon expires (`is_admin`: what
        the platform said when they asked); None when this Rapport has no public address
        (RAPPORT_PUBLIC_URL)."""
        ...


class TeamFigures(Protocol):
    """Weekly aggregates per team, kept as events happen so a summary is a few reads."""

    async def record(self, person: PersonRef, week: str, counts: Mapping[str, int],
                     active: Habit | None = None) -> None:
        """Add `counts` to every team the person is a member of for `week`, and mark them active
        in a habit; nothing at all while the person does not count (habits.teams.counts_in_teams:
        not yet told, or opted out), and nothing for the teams they only manage."""
        ...

    async def weeks(self, team: Team, weeks: Sequence[str]) -> list[WeekFigures]: ...

    async def forget(self, person: PersonRef, teams: Sequence[Team]) -> None:
        """Remove the person from the teams' raw figures (who was active which week)."""
        ...


@dataclass(frozen=True, slots=True)
class NudgeInputs:
    """Everything the daily nudge is planned from, for one person."""

    open_promises: list[Commitment]
    teams: list[Team]
    recognitions_given: list[Recognition]
    handovers_given: list[Handover]
    history: tuple[dict[Habit, YearBits], YearBits, date]
    favours_received: list[Favour] = field(default_factory=list)
    favours_given: list[Favour] = field(default_factory=list)
    last_contact: dict[str, date] = field(default_factory=dict)
    not_suggested: dict[str, date | None] = field(default_factory=dict)
    preps: list[Prep] = field(default_factory=list)  # negotiation preps (habits.negotiation)


class Planning(Protocol):
    async def nudge_inputs(self, person: PersonRef, years: Sequence[int]) -> NudgeInputs:
        """The nudge's inputs in two round trips (`years`: the habit years to read)."""
        ...

    async def nudge_inputs_many(self, wanted: Sequence[tuple[PersonRef, Sequence[int]]],
                                ) -> list[NudgeInputs]:
        """Many people's inputs in the same two round trips, in the order asked."""
        ...


class Health(Protocol):
    async def ping(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Ports:
    """Every storage port the core uses, wired once by the composition root."""

    people: People
    commitments: Commitments
    recognitions: Recognitions
    handovers: Handovers
    habits: HabitLog
    personal_data: PersonalData
    dedupe: Dedupe
    health: Health
    offers: Offers
    stats: Stats
    due: DueWork
    teams: Teams
    nudge_marks: NudgeMarks
    figures: TeamFigures
    dashboard_links: DashboardLinks
    planning: Planning
    favours: Favours
    contacts: Contacts
    coaching: Coaching
    preps: Preps
    requests: Requests


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"      # rate limited or a passing failure: try again after `retry_after`
    GONE = "gone"        # permanent: the person left, deactivated, or blocked the bot


@dataclass(frozen=True, slots=True)
class Delivery:
    outcome: DeliveryOutcome
    retry_after: float | None = None
    detail: str = ""
    # For RETRY: True when the platform surely did not take the message (a 429), False when
    # it may have (a 5xx or a timeout after the request went out).
    refused: bool = False


class Messenger(Protocol):
    """Sends a reply proactively (a DM to `reply.to`, or a post in `reply.channel`).

    One implementation per platform, in its adapter; the scheduler and the core's fan-out of
    replies to other people use it.
    """

    platform: str

    async def deliver(self, reply: Reply) -> Delivery: ...

    async def delivered(self, reply: Reply) -> bool:
        """Whether a message with `reply.key` already reached `reply.to`. Asked only when a
        tick died mid-send, so that recovery never sends the same nudge twice."""
        ...


@dataclass(frozen=True, slots=True)
class Job:
    """A piece of due work: what to do (`kind`), for whom, about what (`subject`), and when."""

    kind: str
    person: PersonRef
    subject: str
    due: datetime


class DueWork(Protocol):
    """Work indexed by due time, claimed atomically so that one tick runs each job once."""

    async def schedule(self, job: Job) -> None:
        """Add the job, or move it to its new due time if it is already scheduled."""
        ...

    async def cancel(self, kind: str, person: PersonRef, subject: str) -> None: ...

    async def claim(self, now: datetime, lease_seconds: float, limit: int) -> list[Job]:
        """Take up to `limit` jobs due by `now`; they come back by themselves if not settled
        within the lease (a crashed tick loses nothing)."""
        ...

    async def settle_many(self, settled: Sequence[tuple[Job, Job | None]]) -> None:
        """The claimed jobs are done; each one's next occurrence (the same person's), when
        given, is scheduled in the same atomic step; all in one round trip."""
        ...

    async def retry(self, job: Job, at: datetime) -> None:
        """The claimed job could not be done now: try again at `at`."""
        ...

    async def recover(self, now: datetime) -> int:
        """Put back claimed jobs whose lease ran out; returns how many."""
        ...
