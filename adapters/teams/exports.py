"""Files for Teams (a data export): a short-lived, unguessable download link on our server.

Bots cannot attach a file to a Teams message directly: the options are the file consent flow
(upload to the user's OneDrive, personal chats only, an extra click and Graph permissions) or a
link. Rapport stores the file in Redis for 15 minutes under the hash of a random 256-bit token
and shows a "Download" button to `GET /teams/files/<token>`. Only someone holding the link can
fetch it, and it is gone after 15 minutes (docs/teams.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets

from aiohttp import web
from redis.asyncio import Redis

from adapters.teams import ids
from bot.replies import Attachment

EXPORT_TTL = 15 * 60
ROUTE = "/teams/files/{token}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Exports:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def put(self, attachment: Attachment) -> str:
        """Keep the file for EXPORT_TTL seconds; returns the token for its link."""
        token = secrets.token_urlsafe(32)
        entry = {"filename": attachment.filename, "mime_type": attachment.mime_type,
                 "content": base64.b64encode(attachment.content).decode()}
        await self.redis.set(ids.export_key(_hash(token)), json.dumps(entry), ex=EXPORT_TTL)
        return token

    async def download(self, request: web.Request) -> web.Response:
        """GET /teams/files/<token>: the file, once per request, until it expires."""
        token = request.match_info.get("token", "")
        raw = await self.redis.get(ids.export_key(_hash(token))) if 20 <= len(token) <= 64 \
            else None
        if not raw:
            return web.Response(status=404, text="This link has expired. Ask for a new export.")
        entry = json.loads(raw)
        filename = "".join(c for c in str(entry["filename"]) if c.isalnum() or c in "._-") \
            or "export.json"
        return web.Response(body=base64.b64decode(entry["content"]),
                            content_type=str(entry.get("mime_type") or "application/json"),
                            headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                     "Cache-Control": "no-store",
                                     "X-Content-Type-Options": "nosniff"})
