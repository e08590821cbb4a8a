"""The compiled promise detection (setup.py: mypyc over habits/detection) is its sources.

What runs is the C extension; what people read, review and type-check is the .py source. These
tests hold the two together: the extension is what is imported (unless RAPPORT_PURE_PYTHON asked
for none), and it gives the same answer as the plain source on every message of the labelled
corpora, on each of them padded to a long message, and on generated chat.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import habits.detection
from bench.detection_report import load_pure_sources
from habits.detection import chat, due, intent, markup, promise, thread, windows

DATA = Path(__file__).resolve().parent.parent / "data"
MODULES = [chat, due, intent, markup, promise, thread, windows]  # __init__ only re-exports
pure = load_pure_sources()


def _corpus() -> list[tuple[str, datetime, ZoneInfo]]:
    found = []
    for path in sorted(DATA.glob("commitments*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                found.append((row["text"], datetime.fromisoformat(row["sent_at"]), ZoneInfo(row["tz"])))
    return found


CORPUS = _corpus()


@pytest.mark.skipif(bool(os.environ.get("RAPPORT_PURE_PYTHON")), reason="built without the extension")
def test_the_detection_that_runs_is_the_compiled_one() -> None:
    for module in MODULES:
        assert module.__file__ is not None and not module.__file__.endswith(".py"), module.__name__


def test_the_loaded_sources_are_plain_python() -> None:
    assert pure.promise.__file__.endswith("promise.py") and pure.markup.__file__.endswith("markup.py")


def test_compiled_and_source_agree_on_every_corpus_message() -> None:
    assert len(CORPUS) > 1_500
    for text, sent_at, tz in CORPUS:
        for message in (text, (text + ". " + text * 40)[:2048], text * 300):
            assert repr(habits.detection.detect(message, sent_at=sent_at, tz=tz)) == \
                repr(pure.detect(message, sent_at=sent_at, tz=tz)), message[:200]
            assert markup.clean_with_mentions(message) == pure.markup.clean_with_mentions(message)


def test_compiled_and_source_agree_on_thread_requests_dates_and_sentences() -> None:
    for text, sent_at, tz in CORPUS:
        assert repr(thread.find_request(text, sent_at=sent_at, tz=tz)) == \
            repr(pure.thread.find_request(text, sent_at=sent_at, tz=tz))
        assert repr(due.find_due(text, sent_at, tz)) == repr(pure.due.find_due(text, sent_at, tz))
        clean = markup.clean_markup(text)
        assert intent.split_sentences(clean) == pure.intent.split_sentences(clean)
        assert repr(chat.find_chat_promise(clean)) == repr(pure.chat.find_chat_promise(clean))


BITS = [
    "I'll", "ill", "send", "the deck", "tmrw", "by Fri", "3pm", "EOD", "on it", "mine", "<@U1|ann>",
    "<at>Priya</at>", ":tada:", "🙄", "~no~", "`code`", "> quoted\n", "&gt;", "&amp;", "\n", " ",
    ". ", "?", "!", "if", "maybe", "can't", "next week", "07.01.", "deploying now", "we'll ship",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(BITS), max_size=40).map(" ".join))
def test_compiled_and_source_agree_on_generated_chat(text: str) -> None:
    tz = ZoneInfo("Asia/Kolkata")
    sent_at = datetime(2026, 12, 2, 9, 30, tzinfo=tz)
    assert repr(habits.detection.detect(text, sent_at=sent_at, tz=tz)) == \
        repr(pure.detect(text, sent_at=sent_at, tz=tz))
