"""Every slash command, through signed requests, answered where Slack users would see it."""

from __future__ import annotations

import json

from fake_slack import Call
from slack_harness import SlackDriver


async def answer_to(slack: SlackDriver, name: str, text: str = "", **kwargs: str) -> Call:
    response = await slack.command(name, text, **kwargs)
    assert (response.status, response.text) == (200, "")
    await slack.settled()
    return slack.api.last("response_url")


async def test_promise_is_tracked_with_buttons_in_an_ephemeral_answer(slack: SlackDriver) -> None:
    call = await answer_to(slack, "promise", "send the deck to <@U2|priya> by Friday")
    assert call.args["response_type"] == "ephemeral"
    assert call.args["replace_original"] is False
    assert "Tracking your promise." in call.all_text()
    assert "send the deck" in call.all_text() and "<@U2>" in call.all_text()
    assert call.element("Kept")["action_id"].startswith("promise.kept")
    assert call.element("Need more time")["type"] == "datepicker"
    assert call.element("Drop it")["style"] == "danger"
    # Slack's user lookup told us the time zone; it is cached, not asked again.
    await answer_to(slack, "promise", "review the budget by Monday")
    assert len(slack.api.called("users.info")) == 1


async def test_usage_help_for_every_command(slack: SlackDriver) -> None:
    for name, needle in [("promise", "/promise"), ("kept", "/kept"), ("kudos", "/kudos"),
                         ("handover", "/handover"), ("team", "/team"), ("rapport", "/rapport")]:
        call = await answer_to(slack, name, "help")
        assert needle in call.all_text(), name
        assert "Example" in call.all_text() or "e.g." in call.all_text(), name
    assert "/habits" in (await answer_to(slack, "habits", "nonsense")).all_text()


async def test_kept_lists_then_keeps_a_promise(slack: SlackDriver) -> None:
    await answer_to(slack, "promise", "fix the login bug by Friday")
    listing = await answer_to(slack, "kept")
    assert "Your open promises" in listing.all_text() and "fix the login bug" in listing.all_text()
    kept = await answer_to(slack, "kept", "1")
    assert "Kept on time" in kept.all_text()
    assert "no open promises" in (await answer_to(slack, "kept")).all_text()


async def test_kudos_is_posted_in_the_channel_and_sent_to_the_recipient(slack: SlackDriver) -> None:
    mine = await answer_to(slack, "kudos", "<@U2|sam> your test plan caught the billing bug",
                           channel="C42")
    post, dm = slack.api.called("chat.postMessage")
    assert post.args["channel"] == "C42"
    assert post.args["parse"] == "none" and post.args["link_names"] is False
    assert "Kudos from <@U1> to <@U2>" in post.all_text()
    assert "caught the billing bug" in post.all_text()
    assert dm.conversation == "DU2"
    assert not slack.api.called("conversations.open")  # a DM is one call, not two
    assert "<@U1> recognised you" in dm.all_text()
    assert "Posted, and sent to <@U2>" in mine.all_text()


async def test_kudos_text_can_never_ping_the_channel_or_forge_links(slack: SlackDriver) -> None:
    text = ("<@U2|sam> for <!channel> and <!here> and @everyone, see <https://evil.example|docs> "
            "and <#C9|secret> and <@U3|not-really>")
    await answer_to(slack, "kudos", text)
    post = slack.api.called("chat.postMessage")[0]
    shown = post.all_text()
    assert "<!channel>" not in shown and "<!here>" not in shown
    assert "&lt;!channel&gt;" in shown and "&lt;!here&gt;" in shown
    assert "<https://evil.example|docs>" not in shown and "<#C9|secret>" not in shown
    assert "@everyone" in shown  # plain text, and...
    assert post.args["parse"] == "none" and post.args["link_names"] is False  # ...never a ping
    assert all(block["text"]["verbatim"] for block in post.blocks if block["type"] == "section")


async def test_vague_kudos_get_coached_and_nothing_is_posted(slack: SlackDriver) -> None:
    call = await answer_to(slack, "kudos", "<@U2|sam> great job")
    assert "Nothing was posted yet" in call.all_text()
    assert slack.api.called("chat.postMessage") == []


async def test_handover_sends_the_receiver_accept_and_discuss(slack: SlackDriver) -> None:
    mine = await answer_to(slack, "handover", "<@U2|lee> choose the venue for the offsite")
    dm = slack.api.last("chat.postMessage")
    assert dm.conversation == "DU2"
    assert "choose the venue" in dm.all_text()
    assert dm.element("Accept")["action_id"].startswith("handover.accept")
    assert dm.element("Discuss first")["action_id"].startswith("handover.discuss")
    assert "Handed over to <@U2>" in mine.all_text()


async def test_habits_shows_streaks(slack: SlackDriver) -> None:
    call = await answer_to(slack, "habits")
    assert "Your habits" in call.all_text() and "streak" in call.all_text()


async def test_team_create_and_overview(slack: SlackDriver) -> None:
    refused = await answer_to(slack, "team", "create Shadow", user="U7")
    assert "Only workspace admins create teams" in refused.all_text()
    # Slack's users.info says who is an admin; only they create teams.
    slack.api.users["U1"] = {"id": "U1", "name": "root", "real_name": "Root", "is_admin": True,
                             "tz": "Europe/London"}
    created = await answer_to(slack, "team", "create Platform")
    assert "Created team *Platform*" in created.all_text()
    await answer_to(slack, "team", "add platform <@U2|ana> <@U3|ben>")
    overview = await answer_to(slack, "team")
    assert "Platform" in overview.all_text()
    welcome = [c for c in slack.api.called("chat.postMessage") if c.conversation == "DU2"]
    assert welcome and "added you to the team *Platform*" in welcome[-1].all_text()


async def test_rapport_settings_change_and_show(slack: SlackDriver) -> None:
    saved = await answer_to(slack, "rapport", "settings tz Asia/Kolkata")
    assert "Saved." in saved.all_text() and "Asia/Kolkata (set by you)" in saved.all_text()
    bad = await answer_to(slack, "rapport", "settings tz Mars/Olympus")
    assert "Nothing changed" in bad.all_text()


async def test_rapport_export_uploads_a_json_file_in_the_dm(slack: SlackDriver) -> None:
    await answer_to(slack, "promise", "ship the release notes by Friday")
    await slack.command("rapport", "export")
    await slack.settled()
    assert slack.api.last("chat.postMessage").conversation == "DU1"
    assert "everything Rapport stores about you" in slack.api.last("chat.postMessage").all_text()
    upload = slack.api.last("upload")
    assert b"ship the release notes" in upload.args["content"]
    complete = slack.api.last("files.completeUploadExternal")
    assert complete.args["channel_id"] == "DU1"
    assert json.loads(complete.args["files"])[0]["title"] == "rapport-export.json"


async def test_unknown_command_text_gets_usage_not_an_error(slack: SlackDriver) -> None:
    call = await answer_to(slack, "rapport", "frobnicate")
    assert "I don't know `/rapport frobnicate`" in call.all_text()
