"""The pure rules of Help and pay it forward, and Stay in touch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from habits.familiarity import QUIET_FOR, quiet_teammate, teammates
from habits.helpfulness import Favour, helped_with, reads_as_help, to_pass_on
from habits.people import PersonRef, WorkspaceRef
from habits.teams import Team

WS = WorkspaceRef("slack", "T1")
USERS = st.sampled_from(["U1", "U2", "U3", "U4", "U5", "U6"])
TODAY = date(2026, 11, 24)
DAYS = st.dates(min_value=date(2026, 1, 1), max_value=TODAY)


def team(members: set[str], managers: set[str]) -> Team:
    return Team(WS, "t", "T", members=frozenset(members), managers=frozenset(managers))


@given(me=USERS, teams=st.lists(st.tuples(st.sets(USERS), st.sets(USERS)), max_size=3),
       seen=st.dictionaries(USERS, DAYS), skipped=st.dictionaries(
           USERS, st.one_of(st.none(), DAYS)), opted_out=st.frozensets(USERS), since=DAYS)
def test_the_suggested_teammate_is_a_fellow_member_never_me_never_excluded_and_the_quietest(
    me: str, teams: list[tuple[set[str], set[str]]], seen: dict[str, date],
    skipped: dict[str, date | None], opted_out: frozenset[str], since: date,
) -> None:
    built = [team(members, managers) for members, managers in teams]
    chosen = quiet_teammate(me, built, seen, skipped, since, TODAY, opted_out)
    mates = teammates(me, built)
    blocked = {u for u, until in skipped.items() if until is None or until >= TODAY}
    eligible = {u: max(seen.get(u, since), since) for u in mates - opted_out - blocked}
    quiet = {u: d for u, d in eligible.items() if TODAY - d >= QUIET_FOR}
    if not quiet:
        assert chosen is None
        return
    assert chosen is not None and chosen != me
    assert any(me in t.members and chosen in t.members for t in built)  # a fellow member
    assert chosen not in opted_out and chosen not in blocked
    assert eligible[chosen] == min(quiet.values())  # unseen the longest


def test_someone_only_managed_is_not_a_teammate() -> None:
    led = team({"U2", "U3"}, {"U1"})
    assert teammates("U1", [led]) == frozenset()
    assert quiet_teammate("U1", [led], {}, {}, date(2026, 1, 1), TODAY) is None


ME, PRI = PersonRef("slack", "T1", "U1"), PersonRef("slack", "T1", "U2")
AT = datetime(2026, 11, 24, 12, tzinfo=UTC)


@given(offsets=st.lists(st.integers(min_value=-72, max_value=72), max_size=6),
       gave=st.lists(st.integers(min_value=-72, max_value=72), max_size=3))
def test_help_to_pass_on_is_the_newest_in_the_window_unless_i_helped_since(
    offsets: list[int], gave: list[int],
) -> None:
    since, until = AT - timedelta(hours=24), AT
    received = [Favour(PRI, ME, f"thing {h}", AT + timedelta(hours=h)) for h in offsets]
    given_ = [Favour(ME, PRI, "x", AT + timedelta(hours=h)) for h in gave]
    chosen = to_pass_on(received, given_, since, until)
    inside = [f for f in received if since <= f.at < until]
    if chosen is None:
        assert not inside or any(g.at > max(f.at for f in inside) for g in given_)
    else:
        assert chosen in inside and chosen.at == max(f.at for f in inside)
        assert not any(g.at > chosen.at for g in given_)


def test_offers_of_help_read_as_help_and_other_promises_do_not() -> None:
    for what in ("take a look at that for you", "help with the migration", "review your PR",
                 "pair with <@U2> on the outage", "give Sam a hand with the release notes",
                 "walk you through the deploy"):
        assert reads_as_help(what), what
    for what in ("send the deck", "write the quarterly report", "book the room",
                 "ship the notes"):
        assert not reads_as_help(what), what


def test_the_new_nudge_words_never_speak_of_debts_nor_reveal_labels() -> None:
    from bot import nudges
    from bot.commands import thanks
    for line in nudges._PAY_FORWARD:
        assert not any(w in line.lower() for w in ("owe", "debt", "repay", "return the favour"))
    for line in nudges._STAY_IN_TOUCH:
        assert not any(w in line.lower() for w in ("junior", "senior", "report", "manager"))
    assert "owe" not in (thanks.__doc__ or "").replace("never becomes a tally of who owes", "")
    assert helped_with("for helping me with the migration") == "with the migration"
