"""How long a client may hold a connection to the API without using it.

uvicorn closes a kept-alive connection `timeout_keep_alive` seconds after its last response,
but it has no timeout of its own for a connection that never completes a request head: a
client that connects and stays silent, or sends half a header and stops (slowloris), holds a
socket and a slot of `limit_concurrency` for as long as it likes (the fault run held 350 for
40 s; nothing was ever closed). `BoundedH11Protocol` adds that timeout, as nginx's
`client_header_timeout` does: from the moment a connection opens, or the first byte of the next
request on a kept-alive one, the whole request head must arrive within `header_timeout`
seconds, or the connection is closed. A request whose head arrived is the application's (its
body and response time are bounded elsewhere: `h11_max_incomplete_event_size` caps the head's
size, the routes take no large bodies).

It is uvicorn's own h11 protocol (the `http` protocol class is part of uvicorn's configuration)
with two of its public protocol methods extended; h11's connection state says whether the
peer's request head is complete.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("api.connections")


class BoundedH11Protocol(H11Protocol):
    """H11Protocol that closes a connection whose request head is not complete in time."""

    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    # The ignore below: uvicorn's H11Protocol narrows BaseTransport to Transport
    # the same way (and ignores it the same way); we only extend its method.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a silent connection: nothing may come at all

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._head_deadline is None:
            self._arm()  # the next request on a kept-alive connection starts now
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the head is complete: the request is the application's now

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._head_deadline = asyncio.get_running_loop().call_later(
            self.header_timeout, self._head_timed_out
        )

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            log.debug(
                "closing %s: no complete request head in %g s", self.client, self.header_timeout
            )
            self.transport.close()


def bounded_protocol(header_timeout: float) -> type[BoundedH11Protocol]:
    """The protocol class for uvicorn's `http` setting, with this header timeout."""
    return type("BoundedH11Protocol", (BoundedH11Protocol,), {"header_timeout": header_timeout})
