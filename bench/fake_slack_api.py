"""A local HTTP server playing the Slack Web API for benchmarks: conversations.open,
chat.postMessage and conversations.history, counting every message per recipient, with an
optional rate limit that answers 429 with Retry-After like Slack does.

    python -m bench.fake_slack_api PORT [RATE_PER_SECOND]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter

from aiohttp import web

POSTS = web.AppKey("posts", Counter[str])


class Limit:
    """A token bucket over chat.postMessage: `rate` a second, bursts up to one second's worth."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.stamp = time.monotonic()
        self.limited = 0

    def take(self) -> float:
        """0 when the call may go, else the seconds to wait."""
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        self.limited += 1
        return (1 - self.tokens) / self.rate


def make_app(rate: float | None) -> web.Application:
    app = web.Application()
    posts: Counter[str] = Counter()
    app[POSTS] = posts
    limit = Limit(rate) if rate else None
    first_post = [0.0]
    last_post = [0.0]

    async def form(request: web.Request) -> dict[str, str]:
        # slack-sdk sends arguments as JSON, as a form, or in the query string.
        found = {k: str(v) for k, v in request.query.items()}
        if request.content_type == "application/json":
            found.update(await request.json())
        else:
            found.update({k: str(v) for k, v in (await request.post()).items()})
        return found

    async def open_dm(request: web.Request) -> web.Response:
        args = await form(request)
        return web.json_response({"ok": True, "channel": {"id": "D" + args["users"]}})

    async def post_message(request: web.Request) -> web.Response:
        args = await form(request)
        if limit is not None:
            wait = limit.take()
            if wait:
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": str(max(1, round(wait)))})
        channel = str(args["channel"])
        if channel[:1] in ("U", "W"):  # a user id: Slack posts in the bot's DM with them
            channel = "D" + channel
        posts[channel] += 1
        now = time.monotonic()
        first_post[0] = first_post[0] or now
        last_post[0] = now
        return web.json_response({"ok": True, "channel": channel, "ts": f"{now:.6f}"})

    async def history(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "messages": []})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response({
            "posts": dict(posts), "limited": limit.limited if limit else 0,
            "first": first_post[0], "last": last_post[0]})

    async def reset(request: web.Request) -> web.Response:
        posts.clear()
        first_post[0] = last_post[0] = 0.0
        return web.json_response({"ok": True})

    app.router.add_post("/api/conversations.open", open_dm)
    app.router.add_post("/api/chat.postMessage", post_message)
    app.router.add_post("/api/conversations.history", history)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    return app


if __name__ == "__main__":
    port = int(sys.argv[1])
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else None
    print(json.dumps({"listening": port, "rate": rate}), flush=True)
    web.run_app(make_app(rate), host="127.0.0.1", port=port, print=None, access_log=None)
