# Common tasks. `make run` and `make test` work on a fresh clone: they create .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# Exact versions of every dependency, the ones CI tested (`make lock` rewrites it).
CONSTRAINTS := constraints.txt
# The data folder: DATA, else DATA_DIR (the setting every entry point reads), else data/. It is
# exported as DATA_DIR, so `DATA_DIR=data/real make run` builds data/real and the bot (or the
# API) it starts serves that same folder.
DATA_DIR ?= data
DATA   ?= $(DATA_DIR)
override DATA_DIR := $(DATA)
export DATA_DIR
# The real Kaggle titles (never committed) and demo ratings for their ids: `make real` makes
# REAL_DATA a data folder of its own, so the demo data `make run` trains on stays as it was.
REAL_TITLES  ?= ../shared/data/raw/titles
REAL_DATA    ?= data/real
REAL_RATINGS ?= 1000000
# Demo data sizes for `make run`: small enough for seconds; full scale is 23000 / 11000000.
DEMO_TITLES  ?= 2000
DEMO_RATINGS ?= 200000
SEED ?= 42
# Seconds `make train` spends searching hyper-parameters on the demo ratings (model train's own
# default, 180 s, is for real data; docs/model.md).
TRAIN_BUDGET ?= 30

.PHONY: help venv lock data etl train evaluate run bot console api report export-ratings test test-slow lint format bench clean chromium postgres java nginx docker docker-image real

help:
	@echo "make run        demo data -> etl -> model -> bot (console chat when no token is set)"
	@echo "make test       the test suite (fast part); make test-slow: the slow-marked tests"
	@echo "make data etl train evaluate report api console export-ratings refresh bench lint format clean"
	@echo "make real       the real titles ($(REAL_TITLES)) + demo ratings for them in $(REAL_DATA)/raw;"
	@echo "                then DATA_DIR=$(REAL_DATA) make run (or api, report) builds and serves them"
	@echo "make java       install Debian's Java 17 runtime when java is missing (Spark engine; CI runs it)"
	@echo "make chromium   install Debian's headless Chromium (the API docs-page tests; CI runs it)"
	@echo "make postgres   install Debian's PostgreSQL server (the store tests on a real server; CI runs it)"
	@echo "make nginx      install Debian's nginx, not started (the nginx -t test of deploy/nginx.conf; CI runs it)"
	@echo "make docker     install Debian's Docker engine, start it, build the stand-in base image (the image tests; CI runs it)"
	@echo "make docker-image  build the streamrec image (docker build; the stand-in base where it exists)"
	@echo "make lock       pin the working venv's packages in constraints.txt (after a dependency change)"

# A changed pyproject.toml or constraints.txt reinstalls; the pins make a fresh machine install
# what CI tested.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --constraint $(CONSTRAINTS) -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# After changing dependencies in pyproject.toml: install, test, then pin what was tested.
lock: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' $(CONSTRAINTS); $(PY) -m pip freeze --exclude-editable; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)

$(DATA)/raw/titles: | $(STAMP)
	$(PY) -m etl.demo --out $(DATA)/raw --titles $(DEMO_TITLES) --ratings $(DEMO_RATINGS) --seed $(SEED)

# The real titles linked (not copied: they stay where they are) into REAL_DATA/raw/titles, and
# ratings for their ids written beside them; every other target then works on DATA=REAL_DATA.
real: $(STAMP)
	@test -d $(REAL_TITLES) || { echo "no real titles at $(REAL_TITLES) (set REAL_TITLES=...)"; exit 2; }
	mkdir -p $(REAL_DATA)/raw
	ln -sfn $(abspath $(REAL_TITLES)) $(REAL_DATA)/raw/titles
	$(PY) -m etl.demo --out $(REAL_DATA)/raw --titles-from $(REAL_TITLES) --ratings $(REAL_RATINGS) --seed $(SEED)

data: $(STAMP)
	$(PY) -m etl.demo --out $(DATA)/raw --titles $(DEMO_TITLES) --ratings $(DEMO_RATINGS) --seed $(SEED)

etl: $(STAMP) | $(DATA)/raw/titles
	$(PY) -m etl --raw $(DATA)/raw --out $(DATA)/processed

train: etl
	$(PY) -m model train --data-dir $(DATA) --budget $(TRAIN_BUDGET)

evaluate: etl
	$(PY) -m model evaluate --data-dir $(DATA)

report: etl
	$(PY) -m etl.eda --data-dir $(DATA)

run: train
	$(PY) -m bot

bot: run

console: train
	$(PY) -m bot --console

# The ratings people gave in the chat, as a raw ratings CSV the next ETL + training picks up.
# From the store DATABASE_URL names (environment or .env); unset: $(DATA)/state/ratings.sqlite3.
export-ratings: $(STAMP)
	DATA_DIR=$(DATA) $(PY) -m people export \
		--out $(DATA)/raw/ratings/telegram_ratings.csv

api: train
	$(PY) -m api

# Inbox (DATA/inbox: titles/ and ratings/) -> ETL -> training -> quality gates -> a release
# behind DATA/releases/current, which the bot and the API follow (docs/refresh.md). Options go in
# REFRESH_ARGS, e.g. REFRESH_ARGS="--raw data/raw" or "--force"; TRAIN_BUDGET is the search budget.
.PHONY: refresh
refresh: $(STAMP)
	DATA_DIR=$(DATA) $(PY) -m refresh run --budget $(TRAIN_BUDGET) $(REFRESH_ARGS)

test: $(STAMP)
	$(PY) -m pytest

test-slow: $(STAMP)
	$(PY) -m pytest -m slow

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Debian's headless Chromium, for tests/api/test_api_pages.py (the API's /docs and /redoc rendered
# offline); those tests skip without it. .ci/run calls this; needs root (CI and these machines).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		chromium fonts-liberation; }
	@chromium --version 2>/dev/null

# Debian's Java 17 runtime for Spark (`python -m model train --engine spark`, the Spark tests);
# nothing to do when a java is already on PATH. .ci/run calls this; needs root.
java:
	@command -v java >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		openjdk-17-jre-headless; }
	@java -version 2>&1 | head -n 1

# Debian's PostgreSQL server, for the store tests on a real server (tests/pg_cluster.py starts a
# throwaway cluster; they skip without it). .ci/run calls this; needs root (CI and these machines).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		postgresql; }
	@ls /usr/lib/postgresql/*/bin/initdb

# Debian's nginx (and openssl, for a throwaway certificate), for the `nginx -t` test of
# deploy/nginx.conf in tests/deploy/test_compose_scale.py; it skips without them. Installed, never
# started: a policy-rc.d that refuses (the one Docker images ship, else a temporary one) keeps
# the package's scripts from starting the service. .ci/run calls this; needs root.
nginx:
	@{ command -v nginx && command -v openssl; } >/dev/null 2>&1 || { \
		policy=/usr/sbin/policy-rc.d; added=; \
		if [ ! -e $$policy ]; then \
			printf '#!/bin/sh\nexit 101\n' > $$policy && chmod 755 $$policy && added=1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends nginx openssl; status=$$?; \
		if [ -n "$$added" ]; then rm -f $$policy; fi; exit $$status; }
	@nginx -v

# Debian's Docker engine (docker.io) for tests/deploy/test_docker_image.py (the image built and run;
# they skip without it, and fail under CI=true). Starts dockerd when none answers
# (docker/start-engine.sh: no init system here), then builds the stand-in for the Dockerfile's
# base image from Debian's packages (docker/base-image.sh), since no image registry can be
# reached here; elsewhere `docker build .` uses the pinned official base. .ci/run calls this;
# needs root.
DOCKER_BASE ?= streamrec-base:bookworm
docker:
	@command -v dockerd >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		docker.io; }
	@sh docker/start-engine.sh
	@sh docker/base-image.sh $(DOCKER_BASE)

# The image, as the tests build it: on the stand-in base when it exists (`make docker`), else on
# the Dockerfile's pinned official base. Host network: the build reaches PyPI and Debian's archive
# as this machine does (the engine `make docker` starts has no bridge).
docker-image:
	DOCKER_BUILDKIT=0 docker build --network host \
		$$(docker image inspect $(DOCKER_BASE) >/dev/null 2>&1 && \
			echo --build-arg BASE_IMAGE=$(DOCKER_BASE)) -t streamrec:latest .

bench: $(STAMP)
	$(PY) -m bench all

clean:
	rm -rf $(DATA)/raw $(DATA)/processed $(DATA)/models $(DATA)/reports .pytest_cache
