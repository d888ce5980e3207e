# Every target installs what is missing first, so `make test` and `make run`
# work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: install test run bench clean erlang

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

# The distribution tests and benches talk to real erl/iex peers: install them
# from the system's package manager when missing (CI runs as root).
erlang:
	@command -v erl >/dev/null && command -v elixir >/dev/null && command -v erl_call >/dev/null || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq erlang-base elixir; \
	    else echo "make: erlang-base and elixir are needed (run as root, or install them)"; exit 1; fi; }

test: install erlang
	$(BIN)/python -m pytest $(PYTEST_ARGS)

run: install
	$(BIN)/pyex $(ARGS)

bench: $(BENCH_STAMP) erlang
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
