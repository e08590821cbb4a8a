"""The app manifest an admin pastes into Slack matches what the adapter serves."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack.bolt import BOT_SCOPES
from adapters.slack.render import TRACK_SHORTCUT
from bot.commands.registry import CHAT_COMMANDS, Surface

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"
SOCKET_MANIFEST = MANIFEST.with_name("manifest.socket.yml")


def test_manifest_declares_every_command_scope_event_and_url() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    commands = manifest["features"]["slash_commands"]
    assert all(c["should_escape"] is True for c in commands)  # mentions arrive as <@U1|name>
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert [s["callback_id"] for s in manifest["features"]["shortcuts"]] == [TRACK_SHORTCUT]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "app_uninstalled", "tokens_revoked", "user_change",
        "message.channels", "message.groups", "message.im", "message.mpim"}
    urls = {c["url"] for c in commands} | {
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"]}
    assert urls == {"https://rapport.example.com/slack/events"}
    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://rapport.example.com/slack/oauth_redirect"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_the_slash_commands_are_the_registry_s_slack_commands_word_for_word() -> None:
    """A command added to (or changed in) the registry fails here until the manifest says the
    same: name, order, description and usage hint."""
    listed = yaml.safe_load(MANIFEST.read_text())["features"]["slash_commands"]
    declared = [{"command": f"/{c.name}", "description": c.summary,
                 **({"usage_hint": c.hint} if c.hint else {})}
                for c in CHAT_COMMANDS.shown_on(Surface.SLACK)]
    assert [{k: v for k, v in c.items() if k in {"command", "description", "usage_hint"}}
            for c in listed] == declared


def test_the_socket_mode_manifest_is_the_same_app_without_urls() -> None:
    """slack/manifest.socket.yml (README, "Try it in your Slack workspace in five minutes"):
    Socket Mode on, no URL anywhere, and otherwise the main manifest word for word."""
    main = yaml.safe_load(MANIFEST.read_text())
    socket = yaml.safe_load(SOCKET_MANIFEST.read_text())
    assert socket["settings"]["socket_mode_enabled"] is True
    assert main["settings"]["socket_mode_enabled"] is False
    assert "https://" not in SOCKET_MANIFEST.read_text().split("display_information:")[1]
    for command in main["features"]["slash_commands"]:
        del command["url"]
    del main["settings"]["event_subscriptions"]["request_url"]
    del main["settings"]["interactivity"]["request_url"]
    del main["oauth_config"]["redirect_urls"]
    main["settings"]["socket_mode_enabled"] = True
    assert socket == main
    declared = [f"/{c.name}" for c in CHAT_COMMANDS.shown_on(Surface.SLACK)]
    assert [c["command"] for c in socket["features"]["slash_commands"]] == declared
    assert sorted(socket["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
