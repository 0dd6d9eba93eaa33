# Everyday commands. Each one creates the virtual environment first if needed.
#   make book   build the rendered book into _build/html
#   make test   every check: lint, book build, unit tests, notebooks (nbval + papermill), browser
#   make lab    open the notebooks in JupyterLab
#   make notebooks   re-execute every notebook in place (after changing code they use)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= 2
PYTEST_ARGS ?=
# Threads per test process: cores / JOBS. Several processes each running as many
# OpenMP threads as there are cores oversubscribe the CPU and run ten times slower.
CORES := $(shell nproc 2>/dev/null || echo 2)
THREADS ?= $(shell echo $$(( $(CORES) / $(JOBS) > 0 ? $(CORES) / $(JOBS) : 1 )))

# Automated runs show per-epoch summaries instead of live progress bars.
export COURSE_PROGRESS = 0

.PHONY: venv book test lint lab notebooks clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going --builder html

lint: $(STAMP)
	$(BIN)/ruff check src tests chapters
	$(BIN)/ruff format --check src tests chapters

# One pytest run, spread over $(JOBS) processes. --dist loadscope keeps each notebook's
# cells (nbval) on one worker, since they share one kernel.
test: lint book
	OMP_NUM_THREADS=$(THREADS) $(BIN)/python -m pytest -n $(JOBS) --dist loadscope -rs \
		--doctest-modules src tests \
		--nbval chapters --nbval-current-env \
		--nbval-sanitize-with tests/notebooks/sanitize.cfg \
		$(PYTEST_ARGS)

lab: $(STAMP)
	COURSE_PROGRESS=1 $(BIN)/jupyter lab chapters

notebooks: $(STAMP)
	$(BIN)/python tests/notebooks/execute.py

clean:
	rm -rf _build
