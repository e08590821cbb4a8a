"""Messages are rendered as JSON directly (adapters/slack/render.message), for speed; the JSON is
the one slack-sdk's Block Kit models give for the same reply, limits included."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.basic_objects import SlackObjectFormationError

from adapters.slack import render
from bot.replies import Audience, Button, ButtonStyle, Reply, Section
from habits.people import PersonRef

texts = st.one_of(
    st.sampled_from(["", " ", "\n", "*Due today:* #3 send the deck", "Tip of the day: ask first.",
                     "<@U0RAPPORT1> & co", "a\nb", "x" * 2999, "x" * 3001 + "\nmore"]),
    st.text(max_size=80),
    st.text(alphabet="ab \n", min_size=2990, max_size=6100),
)
buttons = st.builds(
    Button,
    label=st.one_of(st.sampled_from(["Kept", "Need more time", "Drop it", "", "x" * 160]),
                    st.text(max_size=90)),
    action=st.sampled_from(["promise.kept", "promise.more_time", "nudge.snooze", "a" * 250]),
    value=st.one_of(st.sampled_from(["", "7", "2026-12-02", "U0RAPPORT2"]), st.text(max_size=20)),
    style=st.sampled_from(list(ButtonStyle)),
    asks_for_date=st.booleans(),
)
sections = st.builds(Section, text=texts, buttons=st.lists(buttons, max_size=30).map(tuple))
replies = st.builds(Reply, text=texts, sections=st.lists(sections, max_size=30).map(tuple),
                    audience=st.just(Audience.DIRECT), to=st.just(PersonRef("slack", "T0RAP", "U0RAP")))


def _by_models(reply: Reply) -> list[dict[str, object]]:
    return [block.to_dict() for block in render.reply_blocks(reply)]


@settings(max_examples=400, deadline=None)
@given(reply=replies)
def test_message_json_is_what_the_block_kit_models_give(reply: Reply) -> None:
    try:
        expected = _by_models(reply)
    except SlackObjectFormationError:
        with pytest.raises(SlackObjectFormationError):
            render.message(reply)
        return
    assert render.message(reply)["blocks"] == expected


def test_a_value_slack_would_refuse_is_refused_as_the_models_do() -> None:
    reply = Reply("Hi", sections=(Section("", (Button("Go", "x", "v" * 2001),)),))
    with pytest.raises(SlackObjectFormationError):
        render.message(reply)
