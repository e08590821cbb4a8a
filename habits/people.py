"""People and their working rhythm: who someone is, where they are, when they work."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})
SUNDAY_TO_THURSDAY = frozenset({6, 0, 1, 2, 3})
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True, order=True)
class PersonRef:
    """A person as the platform knows them: opaque ids only a platform adapter can mint.

    >>> PersonRef("slack", "T123", "U456").workspace_ref
    WorkspaceRef(platform='slack', workspace='T123')
    """

    platform: str
    workspace: str
    user: str

    @property
    def workspace_ref(self) -> WorkspaceRef:
        return WorkspaceRef(self.platform, self.workspace)

    def colleague(self, user: str) -> PersonRef:
        """Someone else in the same workspace."""
        return PersonRef(self.platform, self.workspace, user)


@dataclass(frozen=True, slots=True, order=True)
class WorkspaceRef:
    """A Slack workspace or a Microsoft Teams tenant."""

    platform: str
    workspace: str


@dataclass(frozen=True, slots=True)
class TimeOff:
    """Days away (vacation, holiday, a day off), both ends included, in local dates."""

    first: date
    last: date

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone called `name`; ValueError naming it when there is no such zone.

    >>> zone("Asia/Kathmandu").key
    'Asia/Kathmandu'
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/London)") from error


def parse_working_days(spec: str) -> frozenset[int]:
    """Working days from text such as "mon-fri", "sun-thu" or "mon,tue,thu".

    >>> sorted(parse_working_days("sun-thu"))
    [0, 1, 2, 3, 6]
    """
    days: set[int] = set()
    for part in spec.lower().replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            start, _, end = part.partition("-")
            first, last = _weekday(start), _weekday(end)
            day = first
            while True:
                days.add(day)
                if day == last:
                    break
                day = (day + 1) % 7
        else:
            days.add(_weekday(part))
    if not days:
        raise ValueError("name at least one working day, e.g. mon-fri or sun-thu")
    return frozenset(days)


def _weekday(token: str) -> int:
    for index, name in enumerate(WEEKDAY_NAMES):
        if token[:3] == name and len(token) >= 3:
            return index
    raise ValueError(f"unknown day {token!r}; use mon, tue, wed, thu, fri, sat, sun")


def format_working_days(days: frozenset[int]) -> str:
    """The inverse of parse_working_days, compact: "mon-fri", "sun-thu", "mon,wed"."""
    for start in range(7):
        run = [(start + offset) % 7 for offset in range(len(days))]
        if set(run) == days and len(days) > 1:
            return f"{WEEKDAY_NAMES[run[0]]}-{WEEKDAY_NAMES[run[-1]]}"
    return ",".join(WEEKDAY_NAMES[d] for d in sorted(days))


@dataclass(frozen=True, slots=True)
class Profile:
    """What Rapport knows about how and when a person works, and what they agreed to."""

    person: PersonRef
    display_name: str = ""
    tz: str = "UTC"
    tz_override: bool = False
    working_days: frozenset[int] = MONDAY_TO_FRIDAY
    nudge_time: time = time(9, 30)
    nudges_on: bool = True
    paused_until: date | None = None
    time_off: tuple[TimeOff, ...] = field(default_factory=tuple)
    detection_on: bool = True
    auto_track: bool = False
    share_with_managers: bool = False
    since: date | None = None  # the first local day Rapport knew this person
    # The notification budget (habits.budget): working hours, consent, back-off.
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    enrolled: bool = False     # used Rapport, or was added to a team by a manager
    quiet_days: int = 0        # scheduled mornings sent since the person last interacted

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.tz)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def is_working_day(self, day: date) -> bool:
        """A day the person works: a working weekday not covered by time off."""
        return day.weekday() in self.working_days and not self.is_away(day)

    def working_flags(self, since: date, days: int) -> str:
        """One character per day from `since`: "1" on working days (as is_working_day says),
        built from the weekly pattern and the time-off spans rather than day by day."""
        week = "".join("1" if (since.weekday() + offset) % 7 in self.working_days else "0"
                       for offset in range(7))
        flags = list((week * (days // 7 + 1))[:days])
        for span in self.time_off:
            first = max((span.first - since).days, 0)
            last = min((span.last - since).days, days - 1)
            if first <= last:
                flags[first:last + 1] = "0" * (last - first + 1)
        return "".join(flags)

    def is_away(self, day: date) -> bool:
        return any(span.covers(day) for span in self.time_off)

    def is_paused(self, day: date) -> bool:
        return self.paused_until is not None and day <= self.paused_until

    def with_changes(self, **changes: object) -> Profile:
        return replace(self, **changes)  # type: ignore[arg-type]
