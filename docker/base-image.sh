#!/bin/sh
# A local stand-in for the Dockerfile's base image, made from Debian's own packages, for machines
# that reach Debian's archive and PyPI but no image registry (CI here: `make docker-image`).
# Usage: docker/base-image.sh [TAG]   (default streamrec-base:bookworm; nothing to do if it exists)
#
# What it is: Debian bookworm (debootstrap, minbase) with Debian's python3 (3.11, the same minor
# version as the pinned python:3.11.x-slim-bookworm), venv, the headers a C extension builds
# against (scikit-surprise), and CA certificates: what the official slim image gives the
# Dockerfile. `docker build --build-arg BASE_IMAGE=TAG` uses it; without the argument the
# Dockerfile's FROM is the pinned official image, as everywhere else.
# The archive is the one this machine's apt already uses (its sources), so no host is named here.
set -eu
TAG="${1:-streamrec-base:bookworm}"
SUITE=bookworm

if docker image inspect "$TAG" >/dev/null 2>&1; then
    echo "base-image: $TAG already there"
    exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
}

# The Debian archive apt is configured with: deb822 sources first, then the one-line format.
mirror=$(
    { grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
      grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
          | awk '{print $2}'; } | grep -v -e security -e '^$' | grep -i debian | head -n 1
)
if [ -z "$mirror" ]; then
    echo "base-image: no Debian archive in this machine's apt sources" >&2
    exit 1
fi

root=$(mktemp -d /var/tmp/streamrec-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base-image: debootstrap $SUITE from the apt archive into $root"
debootstrap --variant=minbase \
    --include=python3,python3-venv,python3-dev,python-is-python3,ca-certificates \
    "$SUITE" "$root" "$mirror" >"$root.log" 2>&1 || {
    tail -n 20 "$root.log" >&2
    rm -f "$root.log"
    exit 1
}
rm -f "$root.log"
# apt inside the image: the same archive, with updates and security as the official image has
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $SUITE main
deb $mirror $SUITE-updates main
deb ${mirror%/debian}/debian-security $SUITE-security main
EOF
# The CAs this machine trusts (its network may inspect TLS): pip in the build reaches PyPI as
# the machine's own pip does. pip reads its own bundle unless PIP_CERT names one.
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
# as Docker's Debian images do: no services started by package scripts, no caches kept
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/tmp/*

tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["python3"]' \
    - "$TAG" >/dev/null
echo "base-image: $TAG ($(docker run --rm --network none "$TAG" python3 --version))"
