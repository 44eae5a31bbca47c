"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests and the bot benchmark.

It speaks just enough of the Bot API for python-telegram-bot's real `Application` (real
HTTPXRequest, real polling) to run against it through `base_url`: getMe, deleteWebhook,
getUpdates (offset/limit/timeout long poll), sendMessage, editMessageText,
answerCallbackQuery, setMyCommands, sendPhoto (multipart), sendChatAction. It enforces the
limits real Telegram enforces (4,096 characters after entity parsing, 64-byte callback data,
well-formed HTML, "message is not modified") with Telegram's own error JSON, because a fake
that accepts what Telegram rejects lets bugs through. Every call is recorded.

Tests drive it in-process (`async with FakeTelegramServer(token) as server`); the benchmark
runs it in its own process (`python -m tests.fakes.telegram_server`) and talks to it through
the `/_test/...` control endpoints.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import itertools
import json
import random
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "StreamRec",
    "username": "streamrec_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters Telegram treats as plain strings; everything else arrives JSON-encoded.
STRING_PARAMS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "language_code",
    "url",
    "secret_token",
    "action",
    "inline_message_id",
}
HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}  # fmt: skip
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64


class ApiError(Exception):
    """An error answered in Telegram's JSON shape."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class Call:
    """One recorded Bot API call."""

    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True
    error: str | None = None
    result: Any = None
    # the Chaos fault applied to this call, if any ("429", "500", "drop", "drop_after", ...)
    fault: str | None = None
    # editMessageText: the message as it was before this edit (text, reply_markup)
    previous: dict[str, Any] | None = None
    # the visible text as this call left it (`text` follows later edits of the same message)
    text_then: str | None = None

    @property
    def message_id(self) -> int | None:
        """The id of the message this call sent or edited."""
        if isinstance(self.result, dict):
            return self.result.get("message_id")
        return self.params.get("message_id")

    @property
    def text(self) -> str:
        """What the person sees: the visible text (tags removed) or the caption."""
        if isinstance(self.result, dict):
            return self.result.get("text") or self.result.get("caption") or ""
        return self.params.get("text") or ""


@dataclass
class Fault:
    """What to do to the next matching call: fail it (429/500/...) and/or delay it."""

    method: str | None = None  # None: any method
    code: int | None = None
    description: str = "Internal Server Error"
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1


CHAOS_KINDS = ("429", "500", "drop", "drop_after", "delay", "timeout")


@dataclass
class Chaos:
    """Random faults on a share of calls, drawn per call from a seeded generator.

    Kinds: "429" (Too Many Requests with `retry_after`), "500" (Internal Server Error), "drop"
    (connection closed before the call is handled: nothing happened), "drop_after" (handled --
    the message exists -- then the connection is closed: the client cannot know it worked),
    "delay" (answered late, within the client's timeouts) and "timeout" (answered after
    `timeout_delay`, past the client's read timeout: it happened, the client saw a timeout;
    at most `max_timeouts` of them, never on getUpdates). getUpdates draws with `poll_rate`.
    """

    rate: float = 0.15
    poll_rate: float = 0.05
    weights: dict[str, float] = field(
        default_factory=lambda: {
            "429": 0.1, "500": 0.3, "drop": 0.2, "drop_after": 0.15, "delay": 0.2, "timeout": 0.05,
        }
    )  # fmt: skip
    retry_after: int = 1
    delay: tuple[float, float] = (0.1, 1.0)
    timeout_delay: float = 16.0
    max_timeouts: int = 2
    methods: frozenset[str] | None = None  # None: every method
    seed: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self, method: str) -> str | None:
        if self.methods is not None and method not in self.methods:
            return None
        rate = self.poll_rate if method == "getUpdates" else self.rate
        if self._rng.random() >= rate:
            return None
        kinds = list(self.weights)
        kind = self._rng.choices(kinds, [self.weights[k] for k in kinds])[0]
        if kind == "timeout" and (method == "getUpdates" or self.counts[kind] >= self.max_timeouts):
            kind = "delay"
        self.counts[kind] += 1
        return kind


class _HtmlChecker(HTMLParser):
    """Parses like Telegram's HTML mode: known tags only, balanced, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.parts: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = f'Unmatched end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def parse_html(text: str) -> str:
    """Return the visible text of an HTML message or raise Telegram's "can't parse" error."""
    # A bare '<' or '&' that is not a tag or entity is rejected by Telegram.
    for m in re.finditer(r"<(/?)([a-zA-Z-]*)", text):
        if m.group(2).lower() not in HTML_TAGS:
            raise ApiError(
                400,
                "Bad Request: can't parse entities: Unsupported start tag "
                f'"{m.group(2)}" at byte offset {m.start()}',
            )
    for m in re.finditer(r"&([^;\s]{0,10});?", text):
        if not re.fullmatch(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", m.group(0)):
            raise ApiError(
                400,
                "Bad Request: can't parse entities: Character entity expected at byte "
                f"offset {m.start()}",
            )
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.error or checker.stack:
        what = (
            checker.error or f'Can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
        )
        raise ApiError(400, f"Bad Request: can't parse entities: {what}")
    return "".join(checker.parts)


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def visible_text(text: str, parse_mode: str | None) -> str:
    if parse_mode and parse_mode.upper() == "HTML":
        return parse_html(text)
    return text


class FakeTelegramServer:
    """The fake Bot API. Use `async with FakeTelegramServer(token) as s:`; `s.base_url`."""

    def __init__(self, token: str = "123456:TEST-token", port: int = 0) -> None:
        self.token = token
        self.port = port
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.chaos: Chaos | None = None  # random faults on a share of calls while set
        self.inflight = 0  # calls being handled now (getUpdates not counted)
        self._previous: dict[str, Any] | None = None
        self.delay = 0.0  # added to every call, e.g. 0.02 to mimic Telegram's round trip
        self.method_delay: dict[str, float] = {}  # added to calls of one method, e.g. sendMessage
        # getUpdates bookkeeping: the highest offset the bot confirmed (updates below it are
        # gone for good) and every `limit` it asked for
        self.confirmed_offset = 0
        self.poll_limits: list[int | None] = []
        self.on_call: Callable[[Call], None] | None = None
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        # chat_id -> message_id -> message dict, so presses and edits act on real messages
        self.messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._runner: web.AppRunner | None = None
        self._waiters: dict[int, list[asyncio.Future[float]]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None

    # ----- lifecycle -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 2**20)
        app.router.add_post("/bot{token}/{method}", self._handle_api)
        app.router.add_get("/bot{token}/{method}", self._handle_api)
        app.router.add_post("/_test/update", self._ctl_update)
        app.router.add_get("/_test/calls", self._ctl_calls)
        app.router.add_post("/_test/fault", self._ctl_fault)
        app.router.add_post("/_test/load", self._ctl_load)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]  # the port the OS chose for port 0

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----- injecting updates -------------------------------------------------------------
    def push_update(self, payload: dict[str, Any]) -> int:
        """Queue one update (without update_id); returns the update_id given to it."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        self._new_update.set()
        return update_id

    @staticmethod
    def user(user_id: int, language_code: str | None = "es", first_name: str = "Ana") -> dict:
        u: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code is not None:
            u["language_code"] = language_code
        return u

    def send_text(
        self, chat_id: int, text: str, language_code: str | None = "es", user_id: int | None = None
    ) -> int:
        """A person types `text` in a private chat (a group: a negative chat_id, as Telegram
        numbers them, and `user_id` the person); returns the update_id."""
        uid = user_id if user_id is not None else chat_id
        message_id = next(self._message_ids)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat({"chat_id": chat_id}),
            "from": self.user(uid, language_code),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.messages.setdefault(chat_id, {})[message_id] = dict(message)
        return self.push_update({"message": message})

    def press(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        language_code: str | None = "es",
        user_id: int | None = None,
    ) -> int:
        """A person presses a button with `data` under message `message_id`."""
        uid = user_id if user_id is not None else chat_id
        # Telegram puts the message as it was at the press into the update: a copy, so later
        # edits do not show through a redelivered press
        message = copy.deepcopy(self.messages.get(chat_id, {}).get(message_id)) or {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat({"chat_id": chat_id}),
            "text": "?",
        }
        query = {
            "id": str(next(self._query_ids)),
            "from": self.user(uid, language_code),
            "chat_instance": f"ci{chat_id}",
            "message": message,
            "data": data,
        }
        return self.push_update({"callback_query": query})

    # ----- reading what the bot did -------------------------------------------------------
    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def outgoing(self, chat_id: int) -> list[Call]:
        """Messages sent to or edited in a chat, in order (successful calls only)."""
        kinds = {"sendMessage", "editMessageText", "sendPhoto"}
        return [
            c
            for c in self.calls
            if c.ok and c.method in kinds and c.params.get("chat_id") == chat_id
        ]

    # Generous defaults: they only bound how long a failing test waits, and a busy machine (CI
    # shares its cores) can take seconds for what takes milliseconds on a quiet one.
    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 30.0, poll: float = 0.5
    ) -> Any:
        """Wait until predicate() is truthy (checked after every call, and every `poll` s);
        returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"condition not met in {timeout}s; last calls: "
                    f"{[(c.method, c.params) for c in self.calls[-5:]]}"
                )
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), min(remaining, poll))

    async def wait_outgoing(self, chat_id: int, count: int, timeout: float = 30.0) -> list[Call]:
        """Wait until at least `count` messages went to `chat_id`; returns them all."""
        return await self.wait_for(
            lambda: (out := self.outgoing(chat_id)) and len(out) >= count and out, timeout
        )

    # ----- the API ------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                params.update(await request.json())
                return params
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {"file": value.filename, "size": len(value.file.read())}
                    continue
                params[key] = value
        for key, value in list(params.items()):
            if key not in STRING_PARAMS and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        return params

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await self._params(request)
        call = Call(method, params, time.monotonic())
        counted = method != "getUpdates"
        self.inflight += counted
        try:
            return await self._answer(request, method, params, call)
        finally:
            self.inflight -= counted

    async def _answer(
        self, request: web.Request, method: str, params: dict[str, Any], call: Call
    ) -> web.Response:
        kind = self.chaos.draw(method) if self.chaos is not None else None
        call.fault = kind
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.method_delay.get(method):
                await asyncio.sleep(self.method_delay[method])
            if kind == "drop":
                call.ok, call.error = False, "chaos: connection dropped before handling"
                self._record(call)
                return self._drop(request)
            if kind in ("delay", "timeout"):
                assert self.chaos is not None
                low, high = self.chaos.delay
                pause = self.chaos.timeout_delay if kind == "timeout" else random.uniform(low, high)
                await asyncio.sleep(pause)
            if kind == "429":
                assert self.chaos is not None
                retry = self.chaos.retry_after
                raise ApiError(429, f"Too Many Requests: retry after {retry}", retry)
            if kind == "500":
                raise ApiError(500, "Internal Server Error")
            await self._apply_fault(method)
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            self._previous = None
            result = await handler(params)
            call.result = result
            call.previous, self._previous = self._previous, None
            if isinstance(result, dict):
                call.text_then = result.get("text") or result.get("caption") or ""
        except ApiError as e:
            call.ok, call.error = False, e.description
            self._record(call)
            return web.json_response(e.payload(), status=e.code)
        self._record(call)
        if kind == "drop_after":
            return self._drop(request)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        """Close the connection without an answer (the client sees a protocol error)."""
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)

    def _record(self, call: Call) -> None:
        # getUpdates is polling noise; keep it out of the record unless it failed
        if call.method != "getUpdates" or not call.ok:
            self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        self._new_call.set()
        chat_id = call.params.get("chat_id")
        if call.ok and call.method in ("sendMessage", "sendPhoto", "editMessageText"):
            for fut in self._waiters.pop(chat_id, []):  # type: ignore[arg-type]
                if not fut.done():
                    fut.set_result(time.monotonic())

    async def _apply_fault(self, method: str) -> None:
        for fault in self.faults:
            if fault.times > 0 and fault.method in (None, method):
                fault.times -= 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.code is not None:
                    if fault.code == 429 and fault.retry_after is not None:
                        desc = f"Too Many Requests: retry after {fault.retry_after}"
                        raise ApiError(429, desc, fault.retry_after)
                    raise ApiError(fault.code, fault.description)
                return

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        if not str(params.get("url", "")).startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook = {k: params.get(k) for k in ("url", "secret_token", "allowed_updates")}
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {"url": "", "has_custom_certificate": False}
        if self.webhook:
            info["url"] = self.webhook["url"]
        info["pending_update_count"] = len(self._updates) if self.webhook else 0
        return info

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[params.get("language_code") or ""] = commands
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self.confirmed_offset = max(self.confirmed_offset, offset)
        self.poll_limits.append(params.get("limit"))
        limit = max(1, min(int(params.get("limit") or 100), 100))
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            if offset:
                # Telegram forgets updates below the offset once it is confirmed.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if self._updates:
                return self._updates[:limit]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), remaining)

    def _check_markup(self, params: dict[str, Any]) -> None:
        markup = params.get("reply_markup")
        if not markup:
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                url = button.get("url")
                if (data is None) == (url is None):  # exactly one action per button
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button")
                if url is not None and not str(url).startswith(("http://", "https://")):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
                if not button.get("text"):
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id < 0:  # Telegram's group ids are negative
            return {"id": chat_id, "type": "group", "title": "Group"}
        return {"id": chat_id, "type": "private", "first_name": "Ana"}

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        text = params.get("text") or ""
        visible = visible_text(text, params.get("parse_mode"))
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        self._check_markup(params)
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": visible,
        }
        # Telegram's Message carries only an inline keyboard as reply_markup (not a ForceReply)
        if (params.get("reply_markup") or {}).get("inline_keyboard") is not None:
            message["reply_markup"] = params["reply_markup"]
        self.messages.setdefault(chat["id"], {})[message["message_id"]] = message
        return message

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        message = self.messages.get(chat["id"], {}).get(params.get("message_id"))  # type: ignore[arg-type]
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        visible = visible_text(params.get("text") or "", params.get("parse_mode"))
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._check_markup(params)
        markup = params.get("reply_markup")
        self._previous = {"text": message.get("text"), "reply_markup": message.get("reply_markup")}
        if visible == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        message["text"] = visible
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        caption = visible_text(params.get("caption") or "", params.get("parse_mode"))
        if utf16_len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        if not params.get("photo"):
            raise ApiError(400, "Bad Request: there is no photo in the request")
        self._check_markup(params)
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}],
            "caption": caption,
        }
        self.messages.setdefault(chat["id"], {})[message["message_id"]] = message
        return message

    async def _api_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        """Telegram's checks of an inline answer: at most 50 results with unique ids of 1-64
        bytes, each message text parseable and within the limit, each keyboard valid."""
        results = params.get("results")
        if isinstance(results, str):  # sent as a JSON string in a form body
            results = json.loads(results)
        if not params.get("inline_query_id") or not isinstance(results, list):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id", "") for r in results]
        if len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        for r in results:
            content = r.get("input_message_content") or {}
            text = content.get("message_text") or ""
            visible = visible_text(text, content.get("parse_mode"))
            if not visible.strip() or utf16_len(visible) > MAX_TEXT:
                raise ApiError(400, "Bad Request: MESSAGE_TEXT_INVALID")
            self._check_markup(r)
        return True

    def inline_query(self, user_id: int, query: str, language_code: str | None = "es") -> int:
        """A person types `@bot query` in any chat; returns the update_id."""
        inline = {
            "id": str(next(self._message_ids)),
            "from": self.user(user_id, language_code),
            "query": query,
            "offset": "",
        }
        return self.push_update({"inline_query": inline})

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        return True

    # ----- control endpoints (for a server in another process) ---------------------------
    async def _ctl_update(self, request: web.Request) -> web.Response:
        body = await request.json()
        if "text" in body:
            update_id = self.send_text(body["chat_id"], body["text"], body.get("language_code"))
        else:
            update_id = self.push_update(body)
        return web.json_response({"update_id": update_id})

    async def _ctl_calls(self, request: web.Request) -> web.Response:
        return web.json_response(
            [{"method": c.method, "params": c.params, "ok": c.ok} for c in self.calls]
        )

    async def _ctl_fault(self, request: web.Request) -> web.Response:
        body = await request.json()
        if "delay_all" in body:
            self.delay = float(body["delay_all"])
        elif "chaos" in body:  # {"chaos": {...Chaos fields...}} starts, {"chaos": null} stops
            self.chaos = Chaos(**body["chaos"]) if body["chaos"] else None
        else:
            self.faults.append(Fault(**body))
        return web.json_response({"ok": True})

    async def _ctl_load(self, request: web.Request) -> web.Response:
        """Run a closed-loop load: `users` people each send `per_user` texts, one at a time,
        waiting for the bot's reply before the next. Answers throughput and latencies."""
        body = await request.json()
        stats = await self.run_load(
            users=int(body.get("users", 50)),
            per_user=int(body.get("per_user", 20)),
            texts=list(body.get("texts") or ["/start"]),
            language_code=body.get("language_code", "en"),
            first_chat=int(body.get("first_chat", 10_000)),
            timeout=float(body.get("timeout", 10.0)),
        )
        return web.json_response(stats)

    async def run_load(
        self,
        users: int,
        per_user: int,
        texts: list[str],
        language_code: str | None = "en",
        first_chat: int = 10_000,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        latencies: list[float] = []
        timeouts = 0
        keep = self.calls  # keep memory flat during a load: do not record

        async def person(chat_id: int) -> None:
            nonlocal timeouts
            loop = asyncio.get_running_loop()
            for i in range(per_user):
                fut: asyncio.Future[float] = loop.create_future()
                self._waiters.setdefault(chat_id, []).append(fut)
                t0 = time.monotonic()
                self.send_text(chat_id, texts[(chat_id + i) % len(texts)], language_code)
                try:
                    t1 = await asyncio.wait_for(fut, timeout)
                except TimeoutError:
                    timeouts += 1
                    continue
                latencies.append(t1 - t0)

        self.calls = []
        start = time.monotonic()
        await asyncio.gather(*(person(first_chat + k) for k in range(users)))
        elapsed = time.monotonic() - start
        self.calls = keep
        self.messages.clear()
        latencies.sort()

        def pct(p: float) -> float:
            if not latencies:
                return float("nan")
            return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

        return {
            "updates": users * per_user,
            "answered": len(latencies),
            "timeouts": timeouts,
            "seconds": elapsed,
            "updates_per_s": len(latencies) / elapsed if elapsed else 0.0,
            "p50_ms": pct(0.50) * 1000,
            "p99_ms": pct(0.99) * 1000,
        }


async def _serve(token: str, port: int, lifetime: float) -> None:
    server = FakeTelegramServer(token, port)
    await server.start()
    # The parent reads the port from the first line of stdout.
    print(json.dumps({"port": server.port}), flush=True)
    # Stop by ourselves after `lifetime` seconds, or as soon as the parent closes our stdin
    # (a daemon thread, so a still-blocked read never keeps the process alive).
    loop = asyncio.get_running_loop()
    done = asyncio.Event()

    def watch_stdin() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(done.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        await asyncio.wait_for(done.wait(), lifetime)
    except TimeoutError:
        pass
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server (127.0.0.1)")
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=300.0, help="seconds before exiting")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.token, args.port, args.lifetime))
    return 0


if __name__ == "__main__":
    sys.exit(main())
