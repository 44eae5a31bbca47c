#!/bin/sh
# Container entrypoint (also run as-is by tests/test_deploy.py outside a container).
# Usage: entrypoint.sh bot|console|api|refresh ARGS|etl|train|prepare|healthcheck [bot|api|refresh]|<any command>
# When DATA_DIR holds no processed data yet (a fresh volume), it builds demo data, runs the ETL
# and trains the model first, so the service always starts with something to answer from.
#
# `healthcheck` is the image's HEALTHCHECK: it checks the one service this container runs —
# the argument, else STREAMREC_SERVICE, else the service this entrypoint recorded when it
# started (RUN_DIR/streamrec-service) — so an API container is never passed by a fresh bot
# heartbeat on the shared volume, nor a bot container by an API answering. Unknown: unhealthy.
set -eu
DATA_DIR="${DATA_DIR:-/data}"
PYTHON="${PYTHON:-python}"
RUN_DIR="${STREAMREC_RUN_DIR:-/tmp}"
SERVICE_FILE="$RUN_DIR/streamrec-service"
export DATA_DIR

prepare() {
    # A published release (python -m refresh) serves instead of processed/ and models/.
    if [ -e "$DATA_DIR/releases/current/manifest.json" ]; then
        return 0
    fi
    # TRAIN_BUDGET: seconds of hyper-parameter search. Unset: 30 on demo data generated here
    # (as `make train`), else model train's own default (180 s, for real data).
    budget="${TRAIN_BUDGET:-}"
    if [ ! -f "$DATA_DIR/processed/titles.parquet" ]; then
        if [ ! -d "$DATA_DIR/raw/titles" ]; then
            echo "entrypoint: no data in $DATA_DIR; generating demo data" >&2
            "$PYTHON" -m etl.demo --out "$DATA_DIR/raw" \
                --titles "${DEMO_TITLES:-2000}" --ratings "${DEMO_RATINGS:-200000}"
            budget="${budget:-30}"
        fi
        "$PYTHON" -m etl --raw "$DATA_DIR/raw" --out "$DATA_DIR/processed"
    fi
    if [ ! -f "$DATA_DIR/models/svd.pkl" ]; then
        "$PYTHON" -m model train --data-dir "$DATA_DIR" ${budget:+--budget "$budget"}
    fi
}

# Remember which service this container runs, for `healthcheck` (a HEALTHCHECK process does not
# inherit what this script exports, so the record is a file; the container's own /tmp).
record_service() {
    if [ -n "${STREAMREC_SERVICE:-}" ] && [ "$STREAMREC_SERVICE" != "$1" ]; then
        echo "entrypoint: STREAMREC_SERVICE=$STREAMREC_SERVICE but the command is $1" >&2
        exit 2
    fi
    if ! { mkdir -p "$RUN_DIR" && printf '%s\n' "$1" > "$SERVICE_FILE"; } 2>/dev/null; then
        echo "entrypoint: cannot write $SERVICE_FILE; set STREAMREC_SERVICE=$1 for the health check" >&2
    fi
    STREAMREC_SERVICE="$1"
    export STREAMREC_SERVICE
}

healthcheck() {
    service="${1:-${STREAMREC_SERVICE:-}}"
    if [ -z "$service" ] && [ -r "$SERVICE_FILE" ]; then
        service=$(cat "$SERVICE_FILE")
    fi
    case "$service" in
        # the bot: its heartbeat is fresh and updates are being fetched (bot/health.py)
        bot) exec "$PYTHON" -m bot --check ;;
        # the API: its own /health answers on this container's port with a catalogue
        api) exec "$PYTHON" -c 'import json, os, sys, urllib.request
url = "http://127.0.0.1:%s/health" % os.environ.get("API_PORT", "8000")
try:
    with urllib.request.urlopen(url, timeout=4) as r:
        body = json.load(r)
except Exception as e:
    sys.exit("unhealthy: %s: %s" % (url, e))
if not isinstance(body, dict) or "data_version" not in body:
    sys.exit("unhealthy: %s is not the streamrec API" % url)
print("ok: %s status %s, data %s" % (url, body.get("status"), body["data_version"]))' ;;
        # the refresh scheduler: its heartbeat is fresh (a refresh may be running meanwhile)
        refresh) exec "$PYTHON" -m refresh health ;;
        *)
            echo "unhealthy: which service does this container run? none recorded in" \
                "$SERVICE_FILE; set STREAMREC_SERVICE=bot or api" >&2
            exit 1 ;;
    esac
}

cmd="${1:-bot}"
[ $# -gt 0 ] && shift
case "$cmd" in
    # the Telegram bot only: a container has no terminal, so no token stops it with one line
    # and exit 2 (python -m bot --telegram), checked before `prepare` builds data on an empty
    # volume (minutes); `console` is the console chat (docker run -it)
    bot) record_service bot
         "$PYTHON" -m bot --telegram --check-settings "$@"
         prepare; exec "$PYTHON" -m bot --telegram "$@" ;;
    console) prepare; exec "$PYTHON" -m bot --console "$@" ;;
    api) record_service api; prepare; exec "$PYTHON" -m api "$@" ;;
    # `refresh serve` (the compose service), or `refresh run|list|rollback VERSION` by hand
    refresh)
        if [ "${1:-}" = "serve" ]; then record_service refresh; fi
        exec "$PYTHON" -m refresh "$@" ;;
    healthcheck) healthcheck "$@" ;;
    etl) exec "$PYTHON" -m etl --raw "$DATA_DIR/raw" --out "$DATA_DIR/processed" "$@" ;;
    train) exec "$PYTHON" -m model train --data-dir "$DATA_DIR" "$@" ;;
    prepare) prepare ;;
    *) exec "$@" ;;
esac
