"""Every card button, clicked the way Teams reports an Action.Submit, updating the card it was on."""

from __future__ import annotations

from fake_connector import Call
from teams_harness import CHANNEL, PRIYA, TeamsDriver

from adapters.teams.cards import Mentions, card_text


async def sent_card(teams: TeamsDriver, text: str, **options: object) -> tuple[Call, str]:
    before = len(teams.connector.sent)
    assert (await teams.say(text, **options)).status == 200
    call = teams.connector.sent[before]
    return call, call.id


async def click(teams: TeamsDriver, call: Call, card_id: str, title: str,
                **inputs: str) -> Call:
    before = len(teams.connector.of("update"))
    answer = await teams.click(call.button(title), card_id, inputs=inputs or None)
    assert (answer.status, answer.text) == (200, "")
    updates = teams.connector.of("update")
    assert len(updates) == before + 1, "the card was not updated in place"
    assert updates[-1].activity_id == card_id
    return updates[-1]


async def test_a_promise_in_chat_is_offered_tracked_and_kept(teams: TeamsDriver) -> None:
    offer, card_id = await sent_card(teams, "I'll send the deck by Friday")
    assert "That sounds like a promise" in offer.all_text()
    assert offer.button("Track")["data"]["action"] == "promise.track"
    tracked = await click(teams, offer, card_id, "Track")
    assert "Tracking your promise" in tracked.all_text()
    kept = await click(teams, tracked, card_id, "Kept")
    assert "Kept on time" in kept.all_text()
    habits, _ = await sent_card(teams, "habits")
    assert "**Keep your promises** — streak 1" in habits.all_text()


async def test_not_a_promise(teams: TeamsDriver) -> None:
    offer, card_id = await sent_card(teams, "I'll send the deck by Friday")
    answer = await click(teams, offer, card_id, "Not a promise")
    assert "not a promise" in answer.all_text()


async def test_need_more_time_sends_the_picked_date(teams: TeamsDriver) -> None:
    tracked, card_id = await sent_card(teams, "promise send the deck by Friday")
    answer = await click(teams, tracked, card_id, "Need more time", date="2026-12-04")
    assert "New date for #1" in answer.all_text() and "4 Dec" in answer.all_text()


async def test_drop_it(teams: TeamsDriver) -> None:
    tracked, card_id = await sent_card(teams, "promise send the deck by Friday")
    answer = await click(teams, tracked, card_id, "Drop it")
    assert "Dropped #1" in answer.all_text()


async def test_forget_me_buttons(teams: TeamsDriver) -> None:
    asked, card_id = await sent_card(teams, "rapport forget-me")
    kept = await click(teams, asked, card_id, "Keep my data")
    assert "nothing was deleted" in kept.all_text()
    gone = await click(teams, asked, card_id, "Yes, delete everything")
    assert "deleted" in gone.all_text().lower()


async def test_accept_a_handover_from_its_card(teams: TeamsDriver) -> None:
    await teams.say("hi", user=PRIYA)
    await teams.say("handover <at>Priya Patel</at> choose the venue", entities=[
        {"type": "mention", "text": "<at>Priya Patel</at>",
         "mentioned": {"id": PRIYA["id"], "name": PRIYA["name"]}}])
    offer = next(c for c in teams.connector.sent if c.conversation == "a:personal-29:priya")
    card_id = offer.id
    answer = await teams.click(offer.button("Accept"), card_id, user=PRIYA)
    assert answer.status == 200
    update = teams.connector.of("update")[-1]
    assert update.activity_id == card_id and "It's yours" in update.all_text()
    told = teams.connector.sent[-1]
    assert told.conversation == "a:personal-29:alex" and "accepted" in told.all_text()
    assert {"id": PRIYA["id"], "name": PRIYA["name"]} in [
        e["mentioned"] for e in told.card["msteams"]["entities"]]


async def test_a_promise_in_a_channel_is_offered_only_in_the_1_1_chat(teams: TeamsDriver) -> None:
    await teams.say("hi")
    teams.connector.calls.clear()
    await teams.say("I'll send the deck by Friday", conversation=CHANNEL)
    assert [c.conversation for c in teams.connector.sent] == ["a:personal-29:alex"]
    assert "That sounds like a promise" in teams.connector.sent[0].all_text()


async def test_export_comes_as_a_short_lived_download_link(teams: TeamsDriver) -> None:
    call, _ = await sent_card(teams, "rapport export")
    link = next(a for a in call.actions() if a["type"] == "Action.OpenUrl")
    assert link["url"].startswith("https://rapport.example/teams/files/")
    local = teams.url.replace("/api/messages", link["url"].removeprefix("https://rapport.example"))
    async with teams.session.get(local) as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert (await response.json())
    async with teams.session.get(local[:-3] + "xyz") as response:
        assert response.status == 404


def test_card_text_escapes_user_markup_and_renders_mentions() -> None:
    mentions = Mentions({"29:p": "Priya"})
    text = card_text("*Thanks* <@29:p>: &lt;at&gt;Boss&lt;/at&gt; [x]: https://e [y][x]", mentions)
    assert text.startswith("**Thanks** <at>Priya</at>: <\u2060at>Boss<\u2060/at>")
    assert "]:" not in text and "][" not in text
    assert mentions.entities == [{"type": "mention", "text": "<at>Priya</at>",
                                  "mentioned": {"id": "29:p", "name": "Priya"}}]
