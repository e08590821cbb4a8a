"""Slack: slack-bolt on the app's aiohttp server, translating to and from the neutral core.

`SlackPlatform(parts)` serves `POST /slack/events` (and the OAuth pages in multi-workspace
mode); the composition root builds it when SLACK_BOT_TOKEN or SLACK_CLIENT_ID is set.
docs/slack.md describes the whole adapter.
"""

from adapters.slack.http import SlackAdapter, SlackOptions
from adapters.slack.platform import SlackPlatform, slack_enabled

__all__ = ["SlackAdapter", "SlackOptions", "SlackPlatform", "slack_enabled"]
