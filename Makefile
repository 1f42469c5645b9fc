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

# Demo mode is the default for `make run`, in its own database (var/demo.sqlite3). MDPLAN_DEMO=0
# (or false, no, empty: as settings.py reads it) serves a real installation and loads nothing.
run: install
	@demo=$${MDPLAN_DEMO-1}; case "$$demo" in ""|0|false|no) demo=0;; *) demo=1;; esac; \
	if [ $$demo = 1 ]; then MDPLAN_DEMO=1 $(PY) -m mdplan_core demo --if-empty || exit $$?; fi; \
	MDPLAN_DEMO=$$demo exec $(PY) -m streamlit run server.py \
		--server.address localhost --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: install
	$(PY) -m ruff check .
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache *.egg-info
