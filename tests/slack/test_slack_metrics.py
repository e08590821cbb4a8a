"""What an operator's dashboard sees of Slack traffic on /metrics."""

from __future__ import annotations

from prometheus_client import REGISTRY
from slack_harness import SlackDriver


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_deliveries_repeats_and_failures_are_counted(slack: SlackDriver) -> None:
    received = value("rapport_events_received_total", platform="slack", kind="delivery")
    repeats = value("rapport_events_deduplicated_total", platform="slack")
    forged = value("rapport_events_failed_total", platform="slack", reason="401")

    first = await slack.envelope({"type": "message", "user": "U1", "text": "lunch?",
                                  "channel": "C1", "ts": slack.ts()}, event_id="EvMetrics")
    again = await slack.envelope({"type": "message", "user": "U1", "text": "lunch?",
                                  "channel": "C1", "ts": slack.ts()}, event_id="EvMetrics",
                                 retry=1)
    refused = await slack.post(b'{"type":"event_callback"}', "application/json", signed=False)
    await slack.settled()

    assert (first.status, again.status, refused.status) == (200, 200, 401)
    assert value("rapport_events_received_total", platform="slack",
                 kind="delivery") == received + 3
    assert value("rapport_events_deduplicated_total", platform="slack") == repeats + 1
    assert value("rapport_events_failed_total", platform="slack", reason="401") == forged + 1
