"""The Bot API requests' bodies as JSON instead of PTB's form encoding.

PTB's HTTPXRequest posts every parameter form-encoded, and httpx percent-encodes the body one
byte at a time in Python: about 100 µs for one of our list replies (650 characters of text and
a 10-button keyboard) against 50 µs for the same request as JSON, which the Bot API accepts
for every method without a file (core.telegram.org/bots/api#making-requests). Requests that
upload a file (/chart's photo) keep PTB's multipart encoding. docs/benchmarks.md, bot section.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}
_DEFAULT = type(BaseRequest.DEFAULT_NONE)  # PTB's "not given" marker for a timeout


class JsonRequest(HTTPXRequest):
    """HTTPXRequest sending JSON bodies; timeouts and errors exactly as HTTPXRequest's."""

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
        if request_data is None or request_data.contains_files:
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        if self._client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        defaults = self._client.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, defaults.connect),
            read=_given(read_timeout, defaults.read),
            write=_given(write_timeout, defaults.write),
            pool=_given(pool_timeout, defaults.pool),
        )
        body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
        try:
            res = await self._client.request(
                method=method, url=url, headers=JSON_HEADERS, timeout=timeout, content=body
            )
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(
                    message=(
                        "Pool timeout: All connections in the connection pool are occupied. "
                        "Request was *not* sent to Telegram. Consider adjusting the connection "
                        "pool size or the pool timeout."
                    )
                ) from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return res.status_code, res.content


def _given(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, _DEFAULT) else value
