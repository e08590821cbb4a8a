"""Whatever people type, the core answers and never crashes (hypothesis over real Redis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.registry import CHAT_COMMANDS
from bot.core import Rapport
from bot.events import Action, Actor, Command, Message
from habits.people import PersonRef

ME = Actor(PersonRef("slack", "T1", "U1"), "me")
NAMES = [*sorted(CHAT_COMMANDS.words()), "nope", ""]
PIECES = ["by", "friday", "tomorrow", "3pm", "<@U2>", "<@U1>", "<!channel>", "<https://x|y>",
          "to", "#3", "settings", "tz", "nudge", "days", "pause", "until", "vacation", "export",
          "forget-me", "add", "junior", "create", "more", "list", "close", "edit", "snooze",
          "drop", "delete", "undo", "cancel", "leave", "20m", "next week", "31 Feb", "25:00",
          "yesterday", "@", "*", "`", "\n", "💥",
          "0", "-1", "99999999999", "&amp;", "<", ">", "|"]
text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=8).map(" ".join)


@given(name=st.sampled_from(NAMES), words=text)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_any_command_text_gets_an_answer(core: Rapport, name: str, words: str) -> None:
    replies = await core.handle(Command(ME, name, words, "C1"))
    assert replies, (name, words)
    assert all(reply.text for reply in replies)
    for reply in replies:
        # Nothing a user typed becomes a broadcast or a link in what Rapport says.
        assert "<!channel>" not in reply.text and "<https://x|y>" not in reply.text


@given(action=st.sampled_from(["promise.kept", "promise.more_time", "promise.drop",
                               "promise.track", "promise.not_promise", "handover.accept",
                               "handover.discuss", "nudge.snooze", "nudge.kudos",
                               "promise.undo", "kudos.post_anyway", "kudos.undo", "bogus"]),
       value=st.text(max_size=20), date=st.text(max_size=20))
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_any_button_value_is_handled(core: Rapport, action: str, value: str,
                                           date: str) -> None:
    replies = await core.handle(Action(ME, action, value, "C1", {"date": date}))
    assert all(reply.text for reply in replies)


@given(words=text)
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_any_chat_message_is_handled(core: Rapport, words: str) -> None:
    for reply in await core.handle(Message(ME, words, "C1", "1.0")):
        assert reply.buttons and reply.buttons[0].action == "promise.track"
