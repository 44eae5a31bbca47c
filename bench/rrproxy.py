"""A round-robin TCP proxy for the replicas benchmark: `python -m bench.rrproxy PORT BACKEND...`.

It stands in for nginx or Caddy (docs/deploy.md's compose profile) where neither can run: each
accepted connection goes to the next backend port on 127.0.0.1, and bytes are copied both ways
until either side closes. Balancing is per connection, as nginx's `stream` module does (the
webhook sender keeps its connections alive, so each one's updates stay on one replica).
Prints {"port": N} when listening; exits when stdin closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sys
import threading


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def serve(port: int, backends: list[int]) -> None:
    ring = itertools.cycle(backends)

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", next(ring))
        except OSError:
            client_w.close()
            return
        await asyncio.gather(_pipe(client_r, up_w), _pipe(up_r, client_w))

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    threading.Thread(
        target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(done.set)), daemon=True
    ).start()
    async with server:
        await done.wait()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), [int(p) for p in sys.argv[2:]]))
