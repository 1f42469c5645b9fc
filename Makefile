# The two commands: `make run` and `make test`. Everything else is set-up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test install demo clean

install: $(VENV)/.installed

# The package is installed editable, so `python -m mdplan_core` and `mdplan` work from any directory
# and still find data/ in this checkout.
$(VENV)/.installed: pyproject.toml requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Demo mode is the default for `make run`; MDPLAN_DEMO=0 serves real data only.
run: install
	@if [ "$${MDPLAN_DEMO-1}" != "0" ]; then MDPLAN_DEMO=1 $(PY) -m mdplan_core demo --if-empty; fi
	MDPLAN_DEMO=$${MDPLAN_DEMO-1} $(PY) -m streamlit run dashboard.py \
		--server.address localhost --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: install
	$(PY) -m ruff check .
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache *.egg-info
