# The two commands: `make run` and `make test`. Both need only Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
WITH_SERVICES := $(PY) -m saas_platform.devservices --

.PHONY: run test install lint bench lock browser-deps clean

$(VENV)/.installed: requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(WITH_SERVICES) $(PY) -m saas_platform.devrun

test: install
	$(WITH_SERVICES) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(WITH_SERVICES) $(PY) bench/provisioning.py
	$(WITH_SERVICES) $(PY) bench/tenancy_overhead.py
	$(WITH_SERVICES) $(PY) bench/tenant_count.py
	$(WITH_SERVICES) $(PY) bench/entitlements.py
	$(WITH_SERVICES) $(PY) bench/crm.py
	$(WITH_SERVICES) $(PY) bench/imports.py
	$(WITH_SERVICES) $(PY) bench/signup.py
	$(WITH_SERVICES) $(PY) bench/order_flow.py
	$(WITH_SERVICES) $(PY) bench/integrated_flow.py
	$(WITH_SERVICES) $(PY) bench/ledger.py

# Debian's Chromium for the browser tests (root only; CI runs as root).
browser-deps:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }

lock: install
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var
