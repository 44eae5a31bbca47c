"""`python -m api`: serve the HTTP API with uvicorn (API_HOST, API_PORT, DATA_DIR, ...)."""

from __future__ import annotations

import os

# One BLAS thread per request thread. The model's matrix-vector products (top, similar) are
# 23,000 x 50: OpenBLAS's own threads only add hand-offs, and with the threadpool's concurrent
# requests they oversubscribe 2 cores (measured: /top from 17 to ~1,000 req/s at 8 connections,
# docs/api.md). Set before numpy is imported; an explicit setting in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import logging  # noqa: E402
import sys  # noqa: E402

import uvicorn  # noqa: E402

from api.app import create_app  # noqa: E402
from api.connections import bounded_protocol  # noqa: E402
from api.settings import ApiSettings  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print(
            "usage: python -m api\n\nServes the HTTP API; OpenAPI docs at /docs. Configured by "
            "environment variables (or .env):\n  API_HOST (127.0.0.1), API_PORT (8000), "
            "DATA_DIR (data), RECOMMEND_THRESHOLD (3.5),\n  LOG_LEVEL (INFO), API_ADMIN_TOKEN "
            "(unset: POST /admin/reload disabled),\n  API_HEADER_TIMEOUT (10), "
            "API_KEEP_ALIVE_TIMEOUT (5), API_MAX_HEADER_BYTES (16384), API_LIMIT_CONCURRENCY "
            "(1000), API_BACKLOG (2048)"
        )
        return 0
    settings = ApiSettings()
    level = settings.log_level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.api_host,
        port=settings.api_port,
        log_level=level.lower(),
        access_log=level == "DEBUG",
        # Connection limits (docs/api.md, "Connections"): uvicorn's own, plus the request-head
        # timeout it lacks (api/connections.py).
        http=bounded_protocol(settings.api_header_timeout),
        timeout_keep_alive=settings.api_keep_alive_timeout,
        h11_max_incomplete_event_size=settings.api_max_header_bytes,
        limit_concurrency=settings.api_limit_concurrency,
        backlog=settings.api_backlog,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
