"""A local HTTP server playing the Slack Web API (and response_urls), recording every call.

Tests point `SLACK_API_URL` at it and assert on what Slack would have received. Answers are
Slack's shapes; `fail()` queues errors (`channel_not_found`, a 429 with Retry-After, a 500).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER, BOT_ID, TEAM = "UBOT", "BBOT", "T1"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str = ""

    @property
    def conversation(self) -> str:
        """Where Slack puts the message: a user id as `channel` means the bot's DM with them."""
        return conversation_of(str(self.args.get("channel", "")))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.args.get("blocks") or (self.args.get("view") or {}).get("blocks") or []
        return list(blocks)

    def texts(self) -> list[str]:
        """Every mrkdwn / plain text in the call's blocks, top-level text first."""
        found = [str(self.args["text"])] if self.args.get("text") else []
        for block in self.blocks:
            found.extend(_texts(block))
        return found

    def all_text(self) -> str:
        return "\n".join(self.texts())

    def elements(self) -> Iterator[dict[str, Any]]:
        for block in self.blocks:
            if block.get("type") == "actions":
                yield from block.get("elements", [])

    def element(self, label: str) -> dict[str, Any]:
        """The button (by its label) or date picker (by its placeholder) in the blocks."""
        for element in self.elements():
            shown = (element.get("text") or element.get("placeholder") or {}).get("text")
            if shown == label:
                return element
        raise AssertionError(f"no element {label!r} in {[e.get('action_id') for e in self.elements()]}")


def conversation_of(channel: str) -> str:
    return "D" + channel if channel[:1] in ("U", "W") else channel


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") in {"mrkdwn", "plain_text"} and "text" in node:
            yield str(node["text"])
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None


@dataclass
class FakeSlack:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    base: str = ""
    _runner: web.AppRunner | None = None
    _ts: int = 0

    @property
    def url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/response/{name}"

    def fail(self, method: str, error: str | None = None, *, status: int = 200,
             retry_after: int | None = None, times: int = 1) -> None:
        self.failures.setdefault(method, []).extend(
            Failure(status, error, retry_after) for _ in range(times))

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def last(self, method: str) -> Call:
        found = self.called(method)
        assert found, f"Slack never got {method}; it got {[c.method for c in self.calls]}"
        return found[-1]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_post("/upload/{file}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        for key in ("blocks", "view", "users", "metadata"):
            if isinstance(args.get(key), str) and args[key][:1] in "[{":
                args[key] = json.loads(args[key])
        return args

    def _next_ts(self) -> str:
        self._ts += 1
        return f"1795510800.{self._ts:06d}"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.calls.append(Call(method, args, token))
        queued = self.failures.get(method)
        if queued:
            failure = queued.pop(0)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            if failure.status != 200:
                body = {"ok": False, "error": failure.error or "ratelimited"}
                return web.json_response(body, status=failure.status, headers=headers)
            return web.json_response({"ok": False, "error": failure.error}, headers=headers)
        return web.json_response({"ok": True, **self._answer(method, args)})

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM, "team": "Acme",
                    "url": "https://acme.slack.com/"}
        if method == "users.info":
            user = args.get("user", "")
            return {"user": self.users.get(user, {"id": user, "name": user.lower(),
                                                  "real_name": user, "tz": "Europe/London"})}
        if method == "conversations.open":
            return {"channel": {"id": "D" + str(args.get("users", "")).split(",")[0]}}
        if method == "chat.postMessage":
            return {"channel": conversation_of(str(args.get("channel", ""))), "ts": self._next_ts()}
        if method == "conversations.history":
            posted = [c.args for c in self.called("chat.postMessage")
                      if c.conversation == args.get("channel")]
            return {"messages": [{"type": "message", "text": p.get("text"),
                                  **({"metadata": p["metadata"]} if "metadata" in p else {})}
                                 for p in reversed(posted)], "has_more": False}
        if method == "chat.postEphemeral":
            return {"message_ts": self._next_ts()}
        if method in {"views.publish", "views.open", "views.update"}:
            return {"view": {"id": "V1", **(args.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            return {"upload_url": f"{self.base}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"files": [{"id": "F1", "title": args.get("files", "")}]}
        if method == "files.info":
            return {"file": {"id": "F1"}}
        if method == "oauth.v2.access":
            return {"app_id": "A1", "authed_user": {"id": "U9"}, "scope": "commands,chat:write",
                    "token_type": "bot", "access_token": "xoxb-installed", "bot_user_id": BOT_USER,
                    "team": {"id": "T2", "name": "Beta"}, "enterprise": None,
                    "is_enterprise_install": False}
        return {}

    async def _response_url(self, request: web.Request) -> web.Response:
        args = await request.json()
        args["name"] = request.match_info["name"]
        self.calls.append(Call("response_url", args))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        content = await request.read()
        self.calls.append(Call("upload", {"file": request.match_info["file"], "size": len(content),
                                          "content": content}))
        return web.Response(text="OK")
