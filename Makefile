# Every target installs what is missing first, so `make test` and `make run`
# work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: install test test-fast lint run bench clean peers

# The real peers the tests drive: tmux (a terminal emulator for the console
# tests) and erl/iex (BEAM nodes for the distribution tests). Installed from the
# system's package manager when missing and possible (CI runs as root); a test
# that needs a peer that could not be installed says so and is skipped.
PEERS_MISSING = $(shell for c in tmux erl epmd erl_call iex; do command -v $$c >/dev/null 2>&1 || echo $$c; done)

peers:
ifneq ($(strip $(PEERS_MISSING)),)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing the test peers ($(strip $(PEERS_MISSING))) with apt-get"; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux erlang-base elixir >/dev/null; \
	else \
		echo "missing $(strip $(PEERS_MISSING)) and cannot install them here: their tests will be skipped"; \
	fi
endif

install: $(STAMP)

# setup.py builds the compiled fast path (pyex/runtime/_fastpath.c) in place.
$(STAMP): pyproject.toml setup.py pyex/runtime/_fastpath.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

# Types and lint first: any finding of mypy or ruff fails the build.
lint: install
	$(BIN)/ruff check pyex
	$(BIN)/mypy pyex

test: lint peers
	# A wedged run fails in 15 minutes (every test has its own timeout too).
	timeout -k 10 900 $(BIN)/python -m pytest $(PYTEST_ARGS)

# The in-process tests only (no terminal, no fresh interpreter, no BEAM peer): seconds.
test-fast: install
	timeout -k 10 300 $(BIN)/python -m pytest -m 'not slow and not console' -q $(PYTEST_ARGS)

run: install
	$(BIN)/pyex $(ARGS)

bench: $(BENCH_STAMP) peers
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
