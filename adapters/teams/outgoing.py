"""A neutral reply as the Teams activity that carries it: the card, the mentions' names, the
download link of an attached file, and the notification summary."""

from __future__ import annotations

from collections.abc import Callable

from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams.cards import CARD_TYPE, reply_card, summary
from adapters.teams.exports import ROUTE, Exports
from adapters.teams.store import Conversations
from bot.markup import mentioned
from bot.replies import Reply


def card_attachment(card: dict[str, object]) -> Attachment:
    return Attachment(content_type=CARD_TYPE, content=card)


class Outgoing:
    def __init__(self, store: Conversations, exports: Exports,
                 public_url: Callable[[], str | None]) -> None:
        self.store = store
        self.exports = exports
        self.public_url = public_url

    async def card(self, reply: Reply, tenant: str) -> dict[str, object]:
        texts = [reply.text, *(section.text for section in reply.sections)]
        users = mentioned("\n".join(texts))
        names = await self.store.names(tenant, users)
        download: tuple[str, str] | None = None
        base = self.public_url()
        if reply.attachment is not None and base:
            token = await self.exports.put(reply.attachment)
            download = (f"Download {reply.attachment.filename} (link works for 15 minutes)",
                        base.rstrip("/") + ROUTE.format(token=token))
        return reply_card(reply, names, download)

    async def activity(self, reply: Reply, tenant: str) -> Activity:
        return Activity(type=ActivityTypes.message, summary=summary(reply),
                        attachments=[card_attachment(await self.card(reply, tenant))])
