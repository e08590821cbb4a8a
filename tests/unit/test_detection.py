"""Unit tests for habits.detection: markup cleaning, accept/reject rules, what/to/due."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from habits.detection import DetectedPromise, clean_markup, detect, parse_due

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 10, 15, tzinfo=LONDON)  # a Tuesday morning


def promise(text: str) -> DetectedPromise | None:
    return detect(text, sent_at=NOW, tz=LONDON)


# --- markup -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<@U123> hi", "@U123 hi"),
        ("<@U123|priya> hi", "@priya hi"),
        ("see <#C1|general>", "see #general"),
        ("<!here> standup", "@here standup"),
        ("<!subteam^S1|@design> ping", "@design ping"),
        ("read <https://x.io/a|the spec> pls", "read the spec pls"),
        ("read <https://x.io/a>", "read https://x.io/a"),
        ("ship it :rocket: :+1::skin-tone-2:", "ship it"),
        ("ship it 🚀👍🏽", "ship it"),
        ("<at>Priya Das</at> thanks", "Priya Das thanks"),
        ("<p>one</p><p>two&nbsp;&amp; three</p>", "one\ntwo & three"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("> I'll send it\nok", "ok"),
        ("&gt; I'll send it\nok", "ok"),
        ("<blockquote>I'll send it</blockquote>ok", "ok"),
        ("before\n```\nI'll fix it\n```\nafter", "before\nafter"),
        ("use `I'll` here", "use here"),
        ("I’ll do it", "I'll do it"),
        ("I&#39;ll do it", "I'll do it"),
        ("at 10:30: done", "at 10:30: done"),
        ("plain text", "plain text"),
    ],
)
def test_clean_markup(raw: str, clean: str) -> None:
    assert clean_markup(raw) == clean


# --- accepted commitments -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("I'll send the deck to Priya", "send the deck to Priya"),
        ("I will review your PR", "review your PR"),
        ("i'll update the ticket", "update the ticket"),
        ("Ill send it", "send it"),
        ("ill send it tmrw", "send it"),
        ("I'm going to write the postmortem", "write the postmortem"),
        ("gonna push the fix", "push the fix"),
        ("Imma fix that typo", "fix that typo"),
        ("let me check and get back to you", "check and get back to you"),
        ("lemme check with the team", "check with the team"),
        ("I can take this", "take this"),
        ("I'll take care of it", "take care of it"),
        ("on it", "on it"),
        ("I'm on it!", "i'm on it"),
        ("will do", "will do"),
        ("Will do :+1:", "will do"),
        ("leave it with me", "leave it with me"),
        ("Consider it done", "consider it done"),
        ("Will send it tomorrow", "send it"),
        ("Sure thing, I'll get the contract over 2moro", "get the contract over"),
        ("Thanks all! The build is green. I'll cut the release", "cut the release"),
        ("Can't do today, but I'll do it tomorrow", "do it"),
        ("I'll be honest, it needs work. I'll rewrite the intro tonight", "rewrite the intro"),
        ("I'll send it tomorrow, ok?", "send it"),
        ("If that's ok, I'll send it tomorrow", "send it"),
        ("I'll think about it and get back to you", "get back to you"),
        ("I'll let you know by Friday", "let you know"),
        ("I'll be sending the quote", "be sending the quote"),
        ("I'm swamped but will send it later", "send it later"),
        ("Will do, I'll send the file once I'm back", "send the file once I'm back"),
    ],
)
def test_accepts_commitments(text: str, what: str) -> None:
    found = promise(text)
    assert found is not None, text
    assert found.what == what


# --- rejected messages ------------------------------------------------------------------

REJECTED = {
    "requests": [
        "can you send it?",
        "please send the deck",
        "Could you let me know by Friday?",
        "lmk if you need anything",
        "Let me know when it's done",
        "You'll send it tomorrow, right?",
    ],
    "questions": [
        "should I send it?",
        "Will I need to bring my laptop?",
        "Shall I book the room",
        "Can I take this one?",
        "I'll send it tomorrow?",
    ],
    "third parties": [
        "Sam will send it",
        "they'll do it",
        "She'll take care of it",
        "He's going to send the deck",
        "Will is going to handle the release",
        "We'll see about that",
        "That'll do",
        "It'll be ready tomorrow",
    ],
    "past": ["I sent it", "I already did", "I was going to send it but Sam did"],
    "negations": [
        "I won't",
        "I can't make it",
        "I'll not be able to join",
        "I'm not going to send it",
        "I will never understand regex",
        "I don't think I'll manage today",
        "No, I'm not on it",
    ],
    "states": [
        "I'll be out tomorrow",
        "I'll be late",
        "I'll be in the office on Thursday",
        "I'll probably be there",
        "I'm going to be out sick",
        "I'll need the numbers by Friday",
        "I'll have to leave early",
        "I'm going to the conference",
        "I'm ill today",
    ],
    "idioms": [
        "I'll be honest",
        "I'll admit it's clever",
        "I'll bet it's DNS",
        "I'll let you know if anything changes",
        "I'll take that as a yes",
        "I'll see what I can do",
        "I'll keep that in mind",
    ],
    "conditionals": [
        "if I have time I'll look",
        "I'll send it if I get a chance",
        "If Sam approves, I'll merge it",
        "I'd send it but I'm on my phone",
    ],
    "hedges": [
        "I might send it",
        "maybe I'll look at it later",
        "I'll probably get to it",
        "hopefully I'll have it done by Friday",
        "I think I'll skip it",
        "I'll try, but no promises",
    ],
    "code and quotes": [
        "```\nI'll fix this later\n```",
        "`I'll` is a contraction",
        "> I'll send it tomorrow\nthanks",
        "&gt; I'll send it tomorrow\nany update?",
        'He said "I\'ll do it tomorrow" weeks ago',
    ],
    "chatter": ["thanks!", "LGTM 🚀", "Meeting moved to Tuesday 3pm", "I think we should"],
}


@pytest.mark.parametrize(
    "text", [pytest.param(t, id=f"{k}: {t[:30]}") for k, ts in REJECTED.items() for t in ts]
)
def test_rejects_non_commitments(text: str) -> None:
    assert promise(text) is None


# --- who and when -----------------------------------------------------------------------


def test_mentions_become_recipients() -> None:
    found = promise("<@U1|priya> I'll send the deck to <@U2> and <at>Sam Lee</at> by Friday")
    assert found is not None
    assert found.to == ("U1", "U2", "Sam Lee")
    assert found.what == "send the deck to @U2 and Sam Lee"
    assert found.due == datetime(2026, 11, 27, 17, 0, tzinfo=LONDON)


def test_console_mentions_and_broadcasts() -> None:
    found = promise("@here @priya I'll send it, mail me at a@b.com")
    assert found is not None
    assert found.to == ("priya",)


def test_mentions_in_quotes_are_ignored() -> None:
    found = promise("> <@U9> asked for it\nI'll send it")
    assert found is not None
    assert found.to == ()


def test_due_is_in_authors_zone_even_if_sent_at_is_utc() -> None:
    sydney = ZoneInfo("Australia/Sydney")
    sent = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("UTC"))  # Wed 07:00 in Sydney
    found = detect("I'll send it tomorrow", sent_at=sent, tz=sydney)
    assert found is not None and found.due is not None
    assert found.due == datetime(2026, 11, 26, 17, 0, tzinfo=sydney)
    assert found.due.utcoffset() == timedelta(hours=11)


def test_due_from_following_sentence() -> None:
    found = promise("On it. ETA 20 mins")
    assert found is not None
    assert found.due == NOW + timedelta(minutes=20)


def test_due_before_the_cue_is_not_used_when_one_follows() -> None:
    found = promise("Meeting moved to Friday. I'll send the notes")
    assert found is not None
    assert found.due is None


def test_no_due_when_none_said() -> None:
    found = promise("I'll take care of it")
    assert found is not None
    assert found.due is None


def test_naive_sent_at_is_rejected() -> None:
    with pytest.raises(ValueError):
        detect("I'll do it", sent_at=datetime(2026, 1, 1), tz=LONDON)


# --- properties ---------------------------------------------------------------------------

ZONES = [ZoneInfo(z) for z in ("UTC", "America/New_York", "Asia/Kathmandu", "Australia/Sydney")]
WORDS = [
    "I'll", "ill", "will", "send", "it", "by", "fri", "Friday", "tomorrow", "tmrw", "eod",
    "3pm", "15:00", "at", "5", "Dec", "12/5", "the", "1st", "31st", "in", "2", "hours", "days",
    "next", "week", "month", "end", "of", "tonight", "noon", "2026-12-05", "<@U1>", "<at>x</at>",
    "on it", "let me", "?", ",", ".", "\n", "> ", "```", "if", "not", "be", "2099-01-01",
]  # fmt: skip
chat_text = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(WORDS), max_size=14).map(" ".join),
)
moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.sampled_from(ZONES)
)


@settings(max_examples=300, deadline=None)
@given(text=chat_text, sent_at=moments, tz=st.sampled_from(ZONES))
def test_detect_never_raises_and_due_is_sane(text: str, sent_at: datetime, tz: ZoneInfo) -> None:
    found = detect(text, sent_at=sent_at, tz=tz)
    if found is not None and found.due is not None:
        assert found.due.tzinfo is not None
        assert found.due >= sent_at - timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(text=chat_text, now=moments, tz=st.sampled_from(ZONES))
def test_parse_due_never_raises_and_is_sane(text: str, now: datetime, tz: ZoneInfo) -> None:
    due = parse_due(text, now=now, tz=tz)
    if due is not None:
        assert due.tzinfo is not None
        assert due >= now - timedelta(days=1)


def test_docstring_examples() -> None:
    import doctest

    from bench.detection_report import load_pure_sources

    pure = load_pure_sources()  # the compiled modules' docstrings are read from their sources
    for module in (pure.promise, pure.due, pure.intent, pure.markup):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__


# --- messy chat (issue 18): forms without "I'll", markup, tone -----------------------------

MESSY_ACCEPTED = {
    "deploying the hotfix now": 0,
    "you'll get the draft before lunch": 0,
    "we'll have the fix out by Friday": 3,
    "the summary will come from me tomorrow": 1,
    "sure, mine": None,
    "on it, today": 0,
    "ill do it tmrw": 1,
    "wil send by frday": 3,
    "EOD latest from my end": 0,
    "will update by EOD itself": 0,
    "next update in 30 min": 0,
    "- me: the pricing slide by Thu": 2,
    "I think I can get this done by Thursday": 2,
    "glad to pick this up": None,
    "I'll be IC": None,
}


@pytest.mark.parametrize("text", list(MESSY_ACCEPTED))
def test_messy_chat_promises(text: str) -> None:
    got = promise(text)
    assert got is not None, text
    days = MESSY_ACCEPTED[text]
    if days is None:
        return
    assert got.due is not None and (got.due.date() - NOW.date()).days == days, (text, got.due)


@pytest.mark.parametrize(
    "text",
    [
        "sure, I'll have it done by yesterday 🙄",
        "oh yeah I'll totally do it :upside_down_face:",
        "I'll drink to that",
        "I'll sleep on it",
        "~I'll do it today~ can't, sorry",
        "<s>I'll do it today</s> can't, sorry",
        "Lee: I'll send the notes Friday",
        "> I'll send it",
        "```\nI'll fix it tomorrow\n```",
        "the pipeline is deploying now",
        "merging is blocked by CI",
        "not mine",
        "ack, thanks",
        "we'll see",
        "you'll get an email from HR",
    ],
)
def test_messy_chat_false_alarms(text: str) -> None:
    assert promise(text) is None
