"""A local HTTP server playing the Bot Framework connector (Teams' side of the bot's outgoing
calls), recording every call. Activities posted to the bot carry `serviceUrl` pointing here.

`fail(kind, status, retry_after)` queues failures for the next calls of a kind: "send"
(new activities and replies), "update", "create" (a new conversation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    kind: str                 # "send", "update", "create", "members"
    conversation: str
    body: dict[str, Any]
    activity_id: str = ""      # the activity replied to or updated
    id: str = ""               # the id the connector gave a new activity

    @property
    def card(self) -> dict[str, Any]:
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(attachment["content"])
        raise AssertionError(f"no Adaptive Card in {self.body}")

    def texts(self) -> list[str]:
        return [str(block["text"]) for block in _walk(self.card) if block.get("type") == "TextBlock"]

    def all_text(self) -> str:
        return "\n".join(self.texts())

    def actions(self) -> list[dict[str, Any]]:
        return [action for block in _walk(self.card) if block.get("type") == "ActionSet"
                for action in block["actions"]] + list(self.card.get("actions") or [])

    def button(self, title: str) -> dict[str, Any]:
        for action in self.actions():
            if action.get("title") == title:
                return action
        raise AssertionError(f"no button {title!r} in {[a.get('title') for a in self.actions()]}")


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "type" in node:
            found.append(node)
        for key, value in node.items():
            if key != "msteams":
                found.extend(_walk(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_walk(item))
    return found


@dataclass
class Failure:
    status: int
    retry_after: int | None = None


@dataclass
class FakeConnector:
    roster: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    url: str = ""
    _runner: web.AppRunner | None = None
    _ids: int = 0

    def fail(self, kind: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        self.failures.setdefault(kind, []).extend([Failure(status, retry_after)] * times)

    def of(self, kind: str) -> list[Call]:
        return [call for call in self.calls if call.kind == kind]

    @property
    def sent(self) -> list[Call]:
        return self.of("send")

    def _next_id(self) -> str:
        self._ids += 1
        return f"act-{self._ids}"

    def _failure(self, kind: str) -> web.Response | None:
        queue = self.failures.get(kind) or []
        if not queue:
            return None
        failure = queue.pop(0)
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None \
            else {}
        return web.json_response({"error": {"code": "Failure", "message": str(failure.status)}},
                                 status=failure.status, headers=headers)

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = Call("send", request.match_info["conversation"], body,
                    request.match_info.get("activity", ""))
        self.calls.append(call)
        failed = self._failure("send")
        if failed is not None:
            return failed
        call.id = self._next_id()
        return web.json_response({"id": call.id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call("update", request.match_info["conversation"], body,
                               request.match_info["activity"]))
        return self._failure("update") or web.json_response({"id": request.match_info["activity"]})

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        member = (body.get("members") or [{}])[0].get("id", "")
        self.calls.append(Call("create", "", body))
        return self._failure("create") or web.json_response(
            {"id": f"a:dm-{member}", "activityId": "", "serviceUrl": self.url}, status=201)

    async def _members(self, request: web.Request) -> web.Response:
        self.calls.append(Call("members", request.match_info["conversation"], {}))
        return web.json_response({"members": self.roster})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        app.router.add_get("/v3/conversations/{conversation}/pagedmembers", self._members)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
