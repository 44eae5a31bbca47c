#!/bin/sh
# Start Debian's Docker engine (dockerd) when none answers: `make docker` on machines with no
# init system (CI here). Nothing to do when `docker info` already answers.
#
# The engine gets no bridge network and leaves iptables and IP forwarding alone: the tests and
# `make docker-image` use `--network host`, so a container reaches only what the host reaches
# (loopback for the services under test, the package registries for a build). Storage: overlay2,
# else vfs (slower and larger, but works on any file system).
set -eu
LOG="${DOCKERD_LOG:-/var/log/streamrec-dockerd.log}"

if docker info >/dev/null 2>&1; then
    echo "docker: engine running ($(docker info --format '{{.ServerVersion}}, {{.Driver}}'))"
    exit 0
fi
command -v dockerd >/dev/null 2>&1 || {
    echo "docker: no dockerd (Debian: apt-get install docker.io)" >&2
    exit 1
}
for driver in overlay2 vfs; do
    # its own session: a Ctrl-C of make does not stop it
    setsid dockerd --storage-driver="$driver" --iptables=false --ip-forward=false \
        --bridge=none >"$LOG" 2>&1 </dev/null &
    pid=$!
    i=0
    while [ "$i" -lt 60 ]; do
        if docker info >/dev/null 2>&1; then
            echo "docker: dockerd started (storage $driver, pid $pid, log $LOG)"
            exit 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
        i=$((i + 1))
    done
    echo "docker: dockerd with storage $driver did not start: $(tail -n 1 "$LOG")" >&2
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
echo "docker: no Docker engine could start here; $LOG says:" >&2
tail -n 5 "$LOG" >&2
exit 1
