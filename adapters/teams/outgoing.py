"""A neutral reply as the Teams activity that carries it: the card, the mentions' names, the
download link of an attached file, and the notification summary.

A download link's base is RAPPORT_PUBLIC_URL (in local mode, http://localhost:PORT), never a
request's Host or X-Forwarded-* headers. Without one the file is not stored at all and the card
says why: a link we cannot vouch for is worse than none.
"""

from __future__ import annotations

from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams.cards import CARD_TYPE, reply_card, summary
from adapters.teams.exports import ROUTE, Exports
from adapters.teams.store import Conversations
from bot.markup import mentioned
from bot.replies import Reply

NO_LINK = ("I can't give you a download link here: this Rapport has no public address "
           "(RAPPORT_PUBLIC_URL), so the file was not sent. Ask your Rapport admin to set it, "
           "then ask again.")


def card_attachment(card: dict[str, object]) -> Attachment:
    return Attachment(content_type=CARD_TYPE, content=card)


class Outgoing:
    def __init__(self, store: Conversations, exports: Exports, public_url: str | None) -> None:
        self.store = store
        self.exports = exports
        self.public_url = public_url.rstrip("/") if public_url else None

    async def card(self, reply: Reply, tenant: str) -> dict[str, object]:
        texts = [reply.text, *(section.text for section in reply.sections)]
        users = mentioned("\n".join(texts))
        names = await self.store.names(tenant, users)
        download: tuple[str, str] | None = None
        if reply.attachment is not None and self.public_url:
            token = await self.exports.put(reply.attachment)
            download = (f"Download {reply.attachment.filename} (link works for 15 minutes)",
                        self.public_url + ROUTE.format(token=token))
        card = reply_card(reply, names, download)
        if reply.attachment is not None and download is None:
            body = card["body"]
            assert isinstance(body, list)
            body.append({"type": "TextBlock", "text": NO_LINK, "wrap": True})
        return card

    async def activity(self, reply: Reply, tenant: str) -> Activity:
        return Activity(type=ActivityTypes.message, summary=summary(reply),
                        attachments=[card_attachment(await self.card(reply, tenant))])
