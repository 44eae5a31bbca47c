#!/bin/sh
# Container entrypoint (also run as-is by tests/test_deploy.py outside a container).
# Usage: entrypoint.sh bot|api|etl|train|shell
# When DATA_DIR holds no processed data yet (a fresh volume), it builds demo data, runs the ETL
# and trains the model first, so the service always starts with something to answer from.
set -eu
DATA_DIR="${DATA_DIR:-/data}"
PYTHON="${PYTHON:-python}"
export DATA_DIR

prepare() {
    if [ ! -f "$DATA_DIR/processed/titles.parquet" ]; then
        if [ ! -d "$DATA_DIR/raw/titles" ]; then
            echo "entrypoint: no data in $DATA_DIR; generating demo data" >&2
            "$PYTHON" -m etl.demo --out "$DATA_DIR/raw" \
                --titles "${DEMO_TITLES:-2000}" --ratings "${DEMO_RATINGS:-200000}"
        fi
        "$PYTHON" -m etl --raw "$DATA_DIR/raw" --out "$DATA_DIR/processed"
    fi
    if [ ! -f "$DATA_DIR/models/svd.pkl" ]; then
        "$PYTHON" -m model train --data-dir "$DATA_DIR"
    fi
}

cmd="${1:-bot}"
[ $# -gt 0 ] && shift
case "$cmd" in
    bot) prepare; exec "$PYTHON" -m bot "$@" ;;
    api) prepare; exec "$PYTHON" -m api "$@" ;;
    etl) exec "$PYTHON" -m etl --raw "$DATA_DIR/raw" --out "$DATA_DIR/processed" "$@" ;;
    train) exec "$PYTHON" -m model train --data-dir "$DATA_DIR" "$@" ;;
    prepare) prepare ;;
    *) exec "$@" ;;
esac
