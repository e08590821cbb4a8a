"""Slack: slack-bolt on the app's aiohttp server, translating to and from the neutral core.

`mount(app, runtime)` adds `POST /slack/events` (and the OAuth pages in multi-workspace mode)
when SLACK_BOT_TOKEN or SLACK_CLIENT_ID is set; docs/slack.md describes the whole adapter.
"""

from adapters.slack.http import SLACK, SlackAdapter, SlackOptions, mount

__all__ = ["SLACK", "SlackAdapter", "SlackOptions", "mount"]
