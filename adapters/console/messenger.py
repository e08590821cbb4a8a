"""Messages for console people (reminders, kudos, handovers) wait in a Redis inbox until that
person next types in a console, like a direct message waiting in Slack."""

from __future__ import annotations

import json

from redis.asyncio import Redis

from adapters.redis.keys import PersonKeys
from bot.ports import Delivery, DeliveryOutcome
from bot.replies import Audience, Button, ButtonStyle, Reply, Section
from habits.people import PersonRef

MAX_INBOX = 200


def reply_to_json(reply: Reply) -> str:
    return json.dumps({
        "key": reply.key,
        "text": reply.text,
        "sections": [{"text": s.text, "buttons": [
            {"label": b.label, "action": b.action, "value": b.value, "style": b.style.value,
             "date": b.asks_for_date} for b in s.buttons]} for s in reply.sections],
    })


def reply_from_json(raw: str | bytes, to: PersonRef) -> Reply:
    data = json.loads(raw)
    return Reply(
        text=data["text"], audience=Audience.DIRECT, to=to,
        sections=tuple(Section(s["text"], tuple(
            Button(b["label"], b["action"], b["value"], ButtonStyle(b["style"]), b["date"])
            for b in s["buttons"])) for s in data["sections"]),
    )


class ConsoleMessenger:
    platform = "console"

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def deliver(self, reply: Reply) -> Delivery:
        if reply.to is None:
            return Delivery(DeliveryOutcome.GONE, detail="console messages go to a person")
        inbox = PersonKeys(reply.to).inbox
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(inbox, reply_to_json(reply))
            pipe.ltrim(inbox, -MAX_INBOX, -1)
            await pipe.execute()
        return Delivery(DeliveryOutcome.SENT)

    async def delivered(self, reply: Reply) -> bool:
        if reply.to is None or reply.key is None:
            return False
        waiting = await self.redis.lrange(PersonKeys(reply.to).inbox, 0, -1)
        return any(json.loads(item).get("key") == reply.key for item in waiting)

    async def collect(self, person: PersonRef) -> list[Reply]:
        """Take everything waiting for `person`."""
        inbox = PersonKeys(person).inbox
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lrange(inbox, 0, -1)
            pipe.delete(inbox)
            raw, _ = await pipe.execute()
        return [reply_from_json(item, person) for item in raw]
