"""The Bot API requests' bodies as JSON instead of PTB's form encoding.

PTB's HTTPXRequest posts every parameter form-encoded, and httpx percent-encodes the body one
byte at a time in Python: about 100 µs for one of our list replies (650 characters of text and
a 10-button keyboard) against 50 µs for the same request as JSON, which the Bot API accepts
for every method without a file (core.telegram.org/bots/api#making-requests). Requests that
upload a file (/chart's photo) go as multipart, as PTB's own. docs/benchmarks.md, bot section.

`JsonRequest` is a `telegram.request.BaseRequest`, PTB's documented extension point for the
network layer: it owns its `httpx.AsyncClient` (one pool per instance, HTTP/1.1, as
HTTPXRequest builds it) and maps httpx's failures to PTB's errors the way HTTPXRequest does,
so PTB's `BaseRequest.post` turns status codes into BadRequest/Forbidden/RetryAfter as usual.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"User-Agent": BaseRequest.USER_AGENT, "Content-Type": "application/json"}
FORM_HEADERS = {"User-Agent": BaseRequest.USER_AGENT}
_DEFAULT = type(BaseRequest.DEFAULT_NONE)  # PTB's "not given" marker for a timeout

POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* sent "
    "to Telegram. Consider adjusting the connection pool size or the pool timeout."
)


class JsonRequest(BaseRequest):
    """Bot API requests over one httpx client: JSON bodies, multipart when a file goes up.

    The arguments and their defaults are HTTPXRequest's (timeouts in seconds, None for none)."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self.timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=write_timeout, pool=pool_timeout
        )
        self.media_write_timeout = media_write_timeout
        self.limits = httpx.Limits(max_connections=connection_pool_size)
        self.client = self._build_client()

    def _build_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self.timeout, limits=self.limits, http1=True, http2=False)

    @property
    def read_timeout(self) -> float | None:
        return self.timeout.read

    async def initialize(self) -> None:
        # a Bot can be started again after a shutdown: it gets a fresh client
        if self.client.is_closed:
            self.client = self._build_client()

    async def shutdown(self) -> None:
        if not self.client.is_closed:
            await self.client.aclose()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self.client.is_closed:
            raise RuntimeError("This JsonRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        defaults = self.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, defaults.connect),
            read=_given(read_timeout, defaults.read),
            write=_given(write_timeout, self.media_write_timeout if files else defaults.write),
            pool=_given(pool_timeout, defaults.pool),
        )
        try:
            if request_data is None:
                res = await self.client.request(method, url, headers=FORM_HEADERS, timeout=timeout)
            elif files:
                res = await self.client.request(
                    method, url, headers=FORM_HEADERS, timeout=timeout,
                    files=request_data.multipart_data, data=request_data.json_parameters,
                )  # fmt: skip
            else:
                body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
                res = await self.client.request(
                    method, url, headers=JSON_HEADERS, timeout=timeout, content=body
                )
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(message=POOL_TIMEOUT_MESSAGE) from err
            raise TimedOut from err
        except httpx.HTTPError as err:  # the base of httpx's errors: last
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return res.status_code, res.content


def _given(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, _DEFAULT) else value
