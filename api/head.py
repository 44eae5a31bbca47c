"""HEAD on every GET route: the GET answer's status and headers, no body (RFC 9110 §9.3.2).

FastAPI registers GET routes for GET only (Starlette's plain routes add HEAD; APIRoute does not),
so `curl -I` and link checkers got 405. This ASGI middleware runs a HEAD request as a GET and
drops the body: Content-Length and Content-Type stay the GET's, as HEAD promises. A path without
GET still answers 405 with its Allow header.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # a chunk of a streamed body: dropped; the last one ends the answer
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
