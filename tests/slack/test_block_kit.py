"""Block Kit for chat messages: what Slack receives equals the validated slack_sdk models,
whether a part is built for the first time or reused from an earlier message."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackObjectFormationError

from adapters.slack import render
from bot.replies import Button, ButtonStyle, Reply, Section

labels = st.text(min_size=1, max_size=40).filter(str.strip)
buttons = st.builds(Button, label=labels, action=st.sampled_from(["promise.kept", "nudge.snooze"]),
                    value=st.text(max_size=20), style=st.sampled_from(list(ButtonStyle)),
                    asks_for_date=st.booleans())
sections = st.builds(Section, text=st.text(max_size=200),
                     buttons=st.lists(buttons, max_size=4).map(tuple))
replies = st.builds(Reply, text=st.text(max_size=300),
                    sections=st.lists(sections, max_size=3).map(tuple))


@settings(max_examples=150, deadline=None)
@given(replies)
def test_a_message_is_its_validated_blocks_every_time(reply: Reply) -> None:
    expected = [block.to_dict() for block in render.reply_blocks(reply)]
    assert render.message(reply)["blocks"] == expected
    assert render.message(reply)["blocks"] == expected  # again, from the reused parts


def test_many_blocks_end_with_a_pointer_to_the_rest() -> None:
    reply = Reply("Open promises", sections=tuple(Section(f"#{n} item") for n in range(80)))
    blocks = render.message(reply)["blocks"]
    assert len(blocks) == render.MESSAGE_BLOCKS
    assert blocks == [block.to_dict() for block in render.reply_blocks(reply)]
    assert "/kept" in blocks[-1]["elements"][0]["text"]


def test_a_part_slack_would_refuse_is_refused_every_time() -> None:
    too_long = Section("", (Button("Kept", "promise.kept", "x" * 2001),))  # value limit: 2000
    for _ in range(2):
        with pytest.raises(SlackObjectFormationError):
            render.message(Reply("Hi", sections=(too_long,)))
