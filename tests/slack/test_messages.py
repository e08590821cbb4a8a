"""Chat the bot can see: channels, private channels, DMs and group DMs; edits, deletions,
time zones from Slack."""

from __future__ import annotations

from redis.asyncio import Redis
from slack_harness import SlackDriver, keys

from adapters.bootstrap import Runtime
from habits.people import PersonRef

ME = PersonRef("slack", "T1", "U1")


async def test_promises_are_noticed_in_every_kind_of_conversation(slack: SlackDriver) -> None:
    for channel, kind in [("C1", "channel"), ("G1", "group"), ("D1", "im"), ("G2", "mpim")]:
        await slack.message("I'll send you the figures tomorrow", channel=channel,
                            channel_type=kind)
    await slack.settled()
    offers = slack.api.called("chat.postEphemeral")
    assert [o.args["channel"] for o in offers] == ["C1", "G1", "D1", "G2"]
    assert all("send you the figures" in o.all_text() for o in offers)


async def test_chatter_gets_no_answer(slack: SlackDriver) -> None:
    await slack.message("morning all, coffee anyone?")
    await slack.settled()
    assert slack.api.called("chat.postEphemeral") == []


async def test_chatter_is_counted_once_and_its_text_never_stored(slack: SlackDriver,
                                                                 redis: Redis) -> None:
    event = {"type": "message", "user": "U1", "text": "lunch at 12? the usual place",
             "channel": "C1", "ts": slack.ts()}
    assert (await slack.envelope(event, event_id="EvChat")).status == 200
    assert (await slack.envelope(event, event_id="EvChat", retry=1)).status == 200
    await slack.settled()
    assert await redis.hget("rp:{w:slack:T1}:stats", "slack_events") == b"1"
    everything = b""
    async for key in redis.scan_iter():
        kind = await redis.type(key)
        if kind == b"string":
            everything += await redis.get(key) or b""
        elif kind == b"hash":
            everything += b"".join(await redis.hvals(key))
        elif kind == b"stream":
            everything += repr(await redis.xrange(key)).encode()
        elif kind == b"list":
            everything += b"".join(await redis.lrange(key, 0, -1))
        elif kind == b"set":
            everything += b"".join(await redis.smembers(key))
        elif kind == b"zset":
            everything += b"".join(await redis.zrange(key, 0, -1))
    assert b"usual place" not in everything


async def test_the_speakers_slack_time_zone_is_used_and_cached(slack: SlackDriver,
                                                               runtime: Runtime) -> None:
    slack.api.users["U1"] = {"id": "U1", "name": "priya", "real_name": "Priya Das",
                             "tz": "Asia/Kolkata", "is_admin": True,
                             "profile": {"display_name": "priya"}}
    await slack.message("I'll send the deck by 5pm")
    await slack.message("I'll book the room tomorrow")
    await slack.settled()
    profile = await runtime.ports.people.profile(ME)
    assert (profile.tz, profile.display_name) == ("Asia/Kolkata", "priya")
    assert len(slack.api.called("users.info")) == 1
    assert "17:00" in slack.api.called("chat.postEphemeral")[0].all_text()


async def test_user_change_moves_the_time_zone(slack: SlackDriver, runtime: Runtime) -> None:
    await slack.command("habits")
    await slack.settled()
    assert (await runtime.ports.people.profile(ME)).tz == "Europe/London"
    await slack.envelope({"type": "user_change", "user": {
        "id": "U1", "name": "u1", "tz": "America/New_York", "profile": {"display_name": "u1"}}})
    await slack.settled()
    assert (await runtime.ports.people.profile(ME)).tz == "America/New_York"
    await slack.command("habits")
    await slack.settled()
    assert len(slack.api.called("users.info")) == 1  # the event told us; no need to ask


async def test_user_change_for_a_stranger_stores_nothing(slack: SlackDriver, redis: Redis) -> None:
    await slack.envelope({"type": "user_change", "user": {"id": "U77", "tz": "Asia/Tokyo"}})
    await slack.settled()
    assert await keys(redis, "rp:{u:slack:T1:U77}*") == []


async def test_a_time_zone_the_person_chose_wins_over_slacks(slack: SlackDriver,
                                                              runtime: Runtime) -> None:
    await slack.command("rapport", "settings tz Europe/Berlin")
    await slack.settled()
    await slack.envelope({"type": "user_change", "user": {"id": "U1", "tz": "Asia/Tokyo"}})
    await slack.settled()
    assert (await runtime.ports.people.profile(ME)).tz == "Europe/Berlin"


async def test_an_edit_updates_the_offer_and_a_deletion_withdraws_it(slack: SlackDriver) -> None:
    ts = slack.ts()
    await slack.message("I'll send the deck by Friday", ts=ts)
    await slack.settled()
    await slack.envelope({"type": "message", "subtype": "message_changed", "channel": "C1",
                          "ts": slack.ts(5), "hidden": True,
                          "message": {"type": "message", "user": "U1", "ts": ts,
                                      "text": "I'll send the budget by Friday",
                                      "edited": {"user": "U1", "ts": slack.ts(5)}},
                          "previous_message": {"type": "message", "user": "U1", "ts": ts,
                                               "text": "I'll send the deck by Friday"}})
    await slack.settled()
    first, second = slack.api.called("chat.postEphemeral")
    assert "send the deck" in first.all_text() and "send the budget" in second.all_text()
    await slack.envelope({"type": "message", "subtype": "message_deleted", "channel": "C1",
                          "ts": slack.ts(9), "deleted_ts": ts, "hidden": True,
                          "previous_message": {"type": "message", "user": "U1", "ts": ts,
                                               "text": "I'll send the budget by Friday"}})
    await slack.settled()
    await slack.press(second.element("Track"))
    await slack.settled()
    assert "expired" in slack.api.last("response_url").all_text()


async def test_unfurls_are_not_edits(slack: SlackDriver) -> None:
    ts = slack.ts()
    same = "I'll send the deck by Friday https://example.com"
    await slack.envelope({"type": "message", "subtype": "message_changed", "channel": "C1",
                          "message": {"user": "U1", "ts": ts, "text": same, "attachments": [{}]},
                          "previous_message": {"user": "U1", "ts": ts, "text": same}})
    await slack.settled()
    assert slack.api.called("chat.postEphemeral") == []


async def test_deleting_a_tracked_promises_message_keeps_the_promise(slack: SlackDriver) -> None:
    ts = slack.ts()
    await slack.message("I'll send the deck by Friday", ts=ts)
    await slack.settled()
    await slack.press(slack.api.last("chat.postEphemeral").element("Track"))
    await slack.settled()
    await slack.envelope({"type": "message", "subtype": "message_deleted", "channel": "C1",
                          "deleted_ts": ts, "previous_message": {"user": "U1", "ts": ts,
                                                                 "text": "gone"}})
    await slack.settled()
    notice = slack.api.last("chat.postEphemeral")
    assert "was deleted" in notice.all_text() and "still tracking" in notice.all_text()
