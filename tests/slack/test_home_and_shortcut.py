"""The Home tab, and the "Track as promise" message shortcut with its modal."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_harness import SlackDriver


async def open_home(slack: SlackDriver, user: str = "U1") -> dict[str, Any]:
    answer = await slack.envelope({"type": "app_home_opened", "user": user, "channel": "DU1",
                                   "tab": "home"})
    assert answer.status == 200
    await slack.settled()
    call = slack.api.last("views.publish")
    assert call.args["user_id"] == user
    view: dict[str, Any] = call.args["view"]
    return view


async def test_home_tab_shows_streaks_open_promises_with_buttons_and_settings(
        slack: SlackDriver) -> None:
    await slack.command("promise", "send the deck to <@U2|priya> by Friday")
    await slack.settled()
    view = await open_home(slack)
    call = slack.api.last("views.publish")
    text = call.all_text()
    assert view["type"] == "home"
    assert "Your habits" in text and "this week" in text
    assert "Your open promises" in text and "send the deck" in text
    assert "Your settings" in text and "Time zone: Europe/London" in text
    assert call.element("Kept")["value"] == "1"


async def test_a_button_on_the_home_tab_updates_the_home_tab(slack: SlackDriver) -> None:
    await slack.command("promise", "send the deck to <@U2|priya> by Friday")
    await slack.settled()
    await open_home(slack)
    kept = slack.api.last("views.publish").element("Kept")
    await slack.press(kept, home=True)
    await slack.settled()
    call = slack.api.last("views.publish")
    assert len(slack.api.called("views.publish")) == 2
    assert "Kept on time" in call.all_text()          # the answer, as a banner
    assert "no open promises" in call.all_text()      # and the list, up to date
    # Home-tab buttons have no response_url: the only one used was the /promise answer.
    assert [c.args["name"] for c in slack.api.called("response_url")] == ["cmd"]


async def test_other_tabs_are_left_alone(slack: SlackDriver) -> None:
    await slack.envelope({"type": "app_home_opened", "user": "U1", "channel": "DU1",
                          "tab": "messages"})
    await slack.settled()
    assert slack.api.called("views.publish") == []


def shortcut(slack: SlackDriver, text: str) -> dict[str, Any]:
    ts = slack.ts(-60)  # the message was written a minute ago
    return {"type": "message_action", "callback_id": "rapport.track_as_promise",
            "user": {"id": "U1", "username": "u1", "team_id": "T1"},
            "channel": {"id": "C1", "name": "general"},
            "message": {"type": "message", "user": "U1", "ts": ts, "text": text},
            "response_url": slack.api.response_url("shortcut"), "message_ts": ts}


def coming(weekday: int, today: date) -> date:
    """The next `weekday` (0 = Monday) after `today`."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


async def test_track_as_promise_opens_a_prefilled_modal(slack: SlackDriver) -> None:
    answer = await slack.interaction(shortcut(slack, "I'll review <@U2>'s pull request by Friday"))
    assert (answer.status, answer.text) == (200, "")
    await slack.settled()
    call = slack.api.last("views.open")
    assert call.args["trigger_id"].startswith("trigger-")
    view = call.args["view"]
    assert view["callback_id"] == "rapport.track_promise"
    what, due = view["blocks"][0], view["blocks"][1]
    assert "review" in what["element"]["initial_value"]
    # "by Friday", read on the bot's clock (a Tuesday) in the user's zone: this week's Friday.
    today = slack.clock.now().astimezone(ZoneInfo("Europe/London")).date()
    assert due["element"]["initial_date"] == coming(4, today).isoformat()
    assert json.loads(view["private_metadata"])["channel"] == "C1"


async def test_the_shortcut_on_chatter_prefills_the_text_only(slack: SlackDriver) -> None:
    await slack.interaction(shortcut(slack, "lunch was great, thanks all"))
    await slack.settled()
    view = slack.api.last("views.open").args["view"]
    assert view["blocks"][0]["element"]["initial_value"] == "lunch was great, thanks all"
    assert "initial_date" not in view["blocks"][1]["element"]


def submission(what: str, due: str | None) -> dict[str, Any]:
    return {"type": "view_submission", "user": {"id": "U1", "username": "u1", "team_id": "T1"},
            "view": {"id": "V9", "type": "modal", "callback_id": "rapport.track_promise",
                     "private_metadata": json.dumps({"channel": "C1", "ref": "1.1"}),
                     "state": {"values": {"what": {"what": {"type": "plain_text_input",
                                                            "value": what}},
                                          "due": {"due": {"type": "datepicker",
                                                          "selected_date": due}}}}}}


async def test_submitting_the_modal_tracks_the_promise(slack: SlackDriver) -> None:
    answer = await slack.interaction(submission("review Sam's pull request", "2026-12-04"))
    assert (answer.status, answer.text) == (200, "")   # the modal closes
    await slack.settled()
    call = slack.api.last("chat.postEphemeral")
    assert (call.args["channel"], call.args["user"]) == ("C1", "U1")
    assert "Tracking your promise." in call.all_text()
    assert "review Sam's pull request" in call.all_text() and "4 Dec" in call.all_text()


async def test_an_empty_modal_is_refused_with_a_field_error(slack: SlackDriver) -> None:
    answer = await slack.interaction(submission("   ", None))
    assert answer.status == 200
    assert answer.json() == {"response_action": "errors",
                             "errors": {"what": "Say what you promised, e.g. send the deck to Priya."}}
    await slack.settled()
    assert slack.api.called("chat.postEphemeral") == []


async def test_modal_confirmation_falls_back_to_a_dm_outside_the_bots_channels(
        slack: SlackDriver) -> None:
    slack.api.fail("chat.postEphemeral", "channel_not_found")
    await slack.interaction(submission("draft the roadmap", None))
    await slack.settled()
    dm = slack.api.last("chat.postMessage")
    assert dm.conversation == "DU1" and "draft the roadmap" in dm.all_text()
