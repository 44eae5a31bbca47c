# streamrec: one image for the bot and the API (docker-compose.yml runs both on one data volume).
# Build:  docker build -t streamrec .
# Run:    docker run --env-file .env -v streamrec-data:/data streamrec bot

# The base image is pinned to the exact Python and Debian release CI tests on (3.11.7, bookworm):
# bump it together with the machine's Python. Where the registry can be reached, pin the digest
# too: `docker buildx imagetools inspect python:3.11.7-slim-bookworm` and append
# `@sha256:<digest>` to BASE_IMAGE below (docs/deploy.md).
# Dependencies: constraints.txt pins every package to the version CI tested (`make lock`).
#
# BASE_IMAGE is that pinned official image. Only where no image registry can be reached (CI on
# these machines) is it replaced, by a stand-in made from Debian bookworm's own packages
# (docker/base-image.sh: Debian's python3, also 3.11): `make docker-image` passes
# --build-arg BASE_IMAGE=streamrec-base:bookworm. Nothing else in this file differs between them.
ARG BASE_IMAGE=python:3.11.7-slim-bookworm

# --- build stage: compilers for scikit-surprise's Cython extension, a venv with everything ---
FROM ${BASE_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH PIP_NO_CACHE_DIR=1
COPY pyproject.toml constraints.txt ./
# The dependencies first, in a layer of their own: a change to the code or the README below
# reuses it from Docker's cache (compiling scikit-surprise alone takes minutes).
RUN pip install --upgrade pip \
    && python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > /tmp/requirements.txt \
    && pip install --constraint constraints.txt --requirement /tmp/requirements.txt
COPY README.md ./
COPY config config
COPY domain domain
COPY locales locales
COPY etl etl
COPY model model
COPY catalog catalog
COPY charts charts
COPY chat chat
COPY alerts alerts
COPY people people
COPY bot bot
COPY api api
COPY bench bench
COPY refresh refresh
RUN pip install --no-deps --constraint constraints.txt .

# --- runtime stage: no compilers, non-root user, data on a volume ---
FROM ${BASE_IMAGE} AS runtime
RUN useradd --create-home --uid 10001 streamrec && mkdir /data && chown streamrec /data
COPY --from=build /venv /venv
COPY docker/entrypoint.sh /usr/local/bin/streamrec-entrypoint
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 DATA_DIR=/data MPLBACKEND=Agg \
    API_HOST=0.0.0.0 API_PORT=8000
USER streamrec
WORKDIR /home/streamrec
# Demo data and model baked at build time; a mounted volume at /data replaces them. A named
# volume starts as a copy of them. TRAIN_BUDGET: seconds of hyper-parameter search on the demo
# ratings (model train's own 180 s default is for real data and made the build take 6 minutes).
ARG DEMO_TITLES=2000
ARG DEMO_RATINGS=200000
ARG TRAIN_BUDGET=15
RUN DEMO_TITLES=$DEMO_TITLES DEMO_RATINGS=$DEMO_RATINGS TRAIN_BUDGET=$TRAIN_BUDGET \
    streamrec-entrypoint prepare
VOLUME ["/data"]
EXPOSE 8000 8443
# One check for the service this container runs (the entrypoint records it; STREAMREC_SERVICE
# or an argument overrides): the bot's heartbeat and fetches (`python -m bot --check`), or the
# API's own /health. Never one passing for the other (docker/entrypoint.sh).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["streamrec-entrypoint", "healthcheck"]
ENTRYPOINT ["streamrec-entrypoint"]
CMD ["bot"]
