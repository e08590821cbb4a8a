"""Fifteen days of simulated working life, checked against the notification budget.

Eight people in five zones (London, New York, Kolkata, Tokyo, Los Angeles), across the two
autumn clock changes of 2027 (Europe on 31 October, the US on 7 November). They talk to the
real core; the real tick runs every 30 minutes with a controllable clock and sends through the
real Slack messenger to a local HTTP server playing Slack's Web API. The test counts the
`chat.postMessage` calls each person received, per local day and hour, and asserts every rule
of docs/followup.md: working hours only, at most two scheduled DMs a working day, nothing on
days off, on vacation or while paused, nobody written to who never used Rapport, a weekly
rhythm for someone who never answers, catch-up after downtime but never yesterday's nudge.

`.venv/bin/pytest tests/integration/test_life_simulation.py -s` prints the figures that
docs/followup.md quotes.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))
from fake_slack import Call, FakeSlack

from adapters.slack.client import Pacer, SlackClients
from adapters.slack.messenger import SlackMessenger
from bot.clock import FixedClock
from bot.core import Rapport
from bot.events import Action, Actor, Command, Message
from bot.ports import Ports
from bot.tick import Ticker
from habits.people import PersonRef

UTC = ZoneInfo("UTC")
START = datetime(2027, 10, 27, 0, 0, tzinfo=UTC)      # a Wednesday
DAYS = 15
STEP = timedelta(minutes=30)
DOWN_FROM = datetime(2027, 11, 3, 20, 0, tzinfo=UTC)   # Wednesday evening ...
DOWN_UNTIL = datetime(2027, 11, 8, 14, 0, tzinfo=UTC)  # ... to Monday 14:00 UTC: nothing ran
WORKSPACE = "T0LIFE"
THANKS_DAY = date(2027, 11, 2)  # a Tuesday: Eve thanks Ana after her morning nudge
THANKS_FOR = "for helping me with the release checklist"


@dataclass(frozen=True)
class Resident:
    user: str
    tz: str

    @property
    def person(self) -> PersonRef:
        return PersonRef("slack", WORKSPACE, self.user)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)


ANA = Resident("UANA", "Europe/London")        # many promises, at awkward times
BEN = Resident("UBEN", "America/New_York")     # a vacation, with a promise due during it
CHI = Resident("UCHI", "Asia/Kolkata")         # a pause
DAI = Resident("UDAI", "Asia/Tokyo")           # used Rapport once, then never answered
EVE = Resident("UEVE", "America/Los_Angeles")  # answers every day
FAY = Resident("UFAY", "Europe/London")        # only chats, ignores the offers
GUS = Resident("UGUS", "America/New_York")     # only receives kudos
HAL = Resident("UHAL", "Asia/Kolkata")         # only mentioned
ENROLLED = (ANA, BEN, CHI, DAI, EVE)
NEVER_USED = (FAY, GUS, HAL)
EVERYONE = ENROLLED + NEVER_USED


def actor(resident: Resident) -> Actor:
    return Actor(resident.person, resident.user.lower())


@dataclass
class Sent:
    to: Resident
    at: datetime     # the tick's moment
    call: Call

    @property
    def local(self) -> datetime:
        return self.to.local(self.at)


class Life:
    """The people, the core, the clock and the tick, and every DM Slack was asked to post."""

    def __init__(self, ports: Ports, api: FakeSlack, clients: SlackClients) -> None:
        self.clock = FixedClock(START)
        self.core = Rapport(ports, self.clock)
        self.ticker = Ticker(ports, {"slack": SlackMessenger(clients)})
        self.api = api
        self.sent: list[Sent] = []
        self.by_user = {r.user: r for r in EVERYONE}

    async def command(self, who: Resident, name: str, text: str) -> str:
        replies = await self.core.handle(Command(actor(who), name, text, "C1"))
        return "\n".join(r.text for r in replies)

    async def tick(self) -> None:
        before = len(self.api.calls)
        await self.ticker.tick(self.clock.now())
        for call in self.api.calls[before:]:
            if call.method == "chat.postMessage":
                channel = str(call.args.get("channel"))
                assert channel in self.by_user, f"a DM to someone unknown: {channel}"
                self.sent.append(Sent(self.by_user[channel], self.clock.now(), call))

    def to(self, who: Resident) -> list[Sent]:
        return [s for s in self.sent if s.to == who]


def local_at(who: Resident, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=who.zone)


@pytest.fixture
async def life(ports: Ports) -> AsyncIterator[Life]:
    api = FakeSlack()
    await api.start()

    async def token(workspace: str) -> str:
        return "xoxb-fake-token-for-tests"

    clients = SlackClients(api.url, token, pacer=Pacer(scale=1000.0))
    try:
        yield Life(ports, api, clients)
    finally:
        await clients.close()
        await api.stop()


async def live(life: Life) -> None:
    """Run the fifteen days: who does what when, and the tick every half hour."""
    wed = date(2027, 10, 27)
    life.clock.set(START + timedelta(hours=1))
    for resident, settings in ((ANA, ()), (BEN, ()), (CHI, ("hours 08:30-17:30",)),
                               (DAI, ()), (EVE, ("nudge 10:00",))):
        await life.command(resident, "rapport", f"settings tz {resident.tz}")
        for setting in settings:
            await life.command(resident, "rapport", f"settings {setting}")
    # Ana (London, UTC+1 until Sunday): six promises due on Thursday, some at awkward times.
    life.clock.set(local_at(ANA, wed, 11))
    for what, when in (("send the agenda", "thursday 9:45am"), ("review Lee's PR", "thursday 10am"),
                       ("book the room", "thursday 12pm"), ("draft the memo", "thursday 3pm"),
                       ("call the vendor", "thursday 5:30pm"), ("ship the notes", "thursday 11pm")):
        assert "Tracking" in await life.command(ANA, "promise", f"{what} to <@UHAL> by {when}")
    # Ben (New York) goes away Monday 1 to Wednesday 3 November; a promise falls due Tuesday.
    life.clock.set(local_at(BEN, wed, 10))
    await life.command(BEN, "promise", "send the budget to <@UGUS> by 2027-11-02 2pm")
    told = await life.command(BEN, "rapport", "vacation 2027-11-01 2027-11-03")
    assert "Enjoy the time off" in told
    # Chi (Kolkata) pauses until Tuesday 2 November.
    life.clock.set(local_at(CHI, wed, 12))
    await life.command(CHI, "rapport", "pause until 2027-11-02")
    # Kudos for Gus and mentions of Hal enrol neither; Fay's promise-like chatter enrols nobody.
    await life.command(EVE, "kudos", "<@UGUS> your runbook for the failover saved the release")
    for n in range(3):
        await life.core.handle(Message(actor(FAY), f"I'll send the numbers to <@UHAL> by Friday {n}",
                                       "C1", f"fay-{n}"))

    moment = START
    while moment < START + timedelta(days=DAYS):
        life.clock.set(moment)
        if not DOWN_FROM <= moment < DOWN_UNTIL:
            await life.tick()
        if moment == local_at(ANA, date(2027, 10, 28), 18):  # Ana answers her follow-up
            kept = life.to(ANA)[-1].call.element("Kept")  # the first promise of her follow-up
            await life.core.handle(Action(actor(ANA), "promise.kept", kept["value"], "D1"))
        eve_local = EVE.local(moment)
        if eve_local.hour == 12 and eve_local.minute == 0 and eve_local.weekday() < 5:
            await life.command(EVE, "habits", "")  # Eve answers every working day
        if eve_local == local_at(EVE, THANKS_DAY, 13):  # Ana helped Eve; Eve says thanks
            said = await life.command(EVE, "thanks", f"<@UANA> {THANKS_FOR}")
            assert "Thanked, and sent to <@UANA>" in said
        moment += STEP


async def test_two_weeks_of_life_keep_the_notification_budget(life: Life) -> None:
    await live(life)
    per_day: dict[tuple[str, date], list[Sent]] = defaultdict(list)
    for sent in life.sent:
        per_day[(sent.to.user, sent.local.date())].append(sent)

    # Nobody who never used Rapport hears from it: chatting, mentions and kudos enrol no one.
    for resident in NEVER_USED:
        assert life.to(resident) == [], resident
    for resident in ENROLLED:
        for sent in life.to(resident):
            local = sent.local
            # Working hours (09:00-18:00, Chi 08:30-17:30), working days only.
            start, end = ((8, 30), (17, 30)) if resident is CHI else ((9, 0), (18, 0))
            assert start <= (local.hour, local.minute) < end, (resident.user, local)
            assert local.weekday() < 5, (resident.user, local)
    # At most two scheduled DMs a person a local day; one message per promise never.
    assert max(len(v) for v in per_day.values()) <= 2

    # Ana's Thursday: one morning message with every promise, each with its own buttons, then
    # one follow-up at 17:30 for the five due within hours; 23:00's is asked on Friday morning.
    thursday = [s for s in life.to(ANA) if s.local.date() == date(2027, 10, 28)]
    assert [s.local.strftime("%H:%M") for s in thursday] == ["09:30", "17:30"]
    morning, follow_up = thursday
    rows = [b for b in morning.call.blocks if b.get("type") == "actions"
            and b["elements"][0].get("text", {}).get("text") == "Kept"]
    assert len(rows) == 6
    assert all(len(row["elements"]) == 3 for row in rows)  # Kept, Need more time, Drop it
    assert "ship the notes" not in follow_up.call.all_text()
    assert "call the vendor" in follow_up.call.all_text()
    friday = [s for s in life.to(ANA) if s.local.date() == date(2027, 10, 29)]
    assert "ship the notes" in friday[0].call.all_text() and friday[0].local.hour == 9

    # Ben: nothing while away; the promise due then is brought up when he is reachable again.
    assert not [s for s in life.to(BEN) if date(2027, 11, 1) <= s.local.date() <= date(2027, 11, 3)]
    back = [s for s in life.to(BEN) if s.local.date() > date(2027, 11, 3)]
    assert "send the budget" in back[0].call.all_text()
    # Chi: nothing while paused (until Tuesday 2 November).
    assert not [s for s in life.to(CHI) if s.local.date() <= date(2027, 11, 2)]
    # Ana answered on Thursday evening: her count starts again, so the back-off comes only
    # after five more unanswered mornings (Fri, Mon, Tue, Wed, and Monday's caught-up one).
    (ana_notice,) = [s for s in life.to(ANA) if "once a week" in s.call.all_text()]
    assert ana_notice.local.date() == date(2027, 11, 9)

    # Dai never answered: five mornings, the back-off notice, then at most one a week.
    dai = life.to(DAI)
    notice = [s for s in dai if "once a week" in s.call.all_text()]
    assert len(notice) == 1
    after = [s for s in dai if s.at > notice[0].at]
    weeks = Counter(s.local.isocalendar()[:2] for s in after)
    assert all(count <= 1 for count in weeks.values()), weeks
    assert len([s for s in dai if s.at < notice[0].at]) == 5

    # Eve answers every day: a morning every working day she was reachable, at 10:00 local.
    eve_mornings = [s for s in life.to(EVE) if s.local.strftime("%H:%M") == "10:00"]
    assert len(eve_mornings) >= 7

    # Eve's thanks to Ana on Tuesday: Wednesday's one morning message suggests paying it
    # forward, inside that message (no extra DM), and only that morning.
    wednesday = [s for s in life.to(EVE) if s.local.date() == THANKS_DAY + timedelta(days=1)]
    assert [s.local.strftime("%H:%M") for s in wednesday] == ["10:00"]
    assert "helped you with the release checklist" in wednesday[0].call.all_text()
    assert "Who could you help this week?" in wednesday[0].call.all_text() or \
        "who could use a hand" in wednesday[0].call.all_text()
    paid = [s for s in life.to(EVE) if "helped you" in s.call.all_text()]
    assert paid == wednesday
    assert not [s for s in life.to(ANA) if "helped you" in s.call.all_text()]

    # Downtime from Wednesday 3 Nov 20:00 UTC to Monday 8 Nov 14:00 UTC: Monday's morning still
    # reaches those whose working day had not ended (London 14:00, New York 09:00, LA 06:00 ->
    # at 09:00-ish once hours begin); nobody got Thursday's or Friday's late.
    recovered = [s for s in life.sent if s.at == DOWN_UNTIL]
    assert {s.to for s in recovered} >= {ANA}
    assert not [s for s in life.sent if DOWN_FROM <= s.at < DOWN_UNTIL]
    for sent in recovered:
        assert sent.local.date() == date(2027, 11, 8)

    # The figures docs/followup.md quotes.
    working_days = [v for (user, _), v in per_day.items()]
    mean = sum(len(v) for v in working_days) / len(working_days)
    print(f"\nlife simulation: {len(life.sent)} DMs to {len(ENROLLED)} enrolled people over "
          f"{DAYS} days; per person per day with any DM: max {max(len(v) for v in working_days)}, "
          f"mean {mean:.2f}; outside working hours: 0; to people who never used Rapport: 0")

