# Everyday commands. Each one creates the virtual environment first if needed.
#   make book   build the rendered book into _build/html
#   make test   every check: lint, book build, unit tests, notebooks (nbval + papermill), browser
#   make lab    open the notebooks in JupyterLab
#   make notebooks   re-execute every notebook in place (after changing code they use)
#   make test-colab  explorers and notebooks again with Colab's ipywidgets 7.7.1 (part of make test)
#   make bench  measure notebook times, explorer latency, from-scratch vs PyTorch, throughput

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

# The Colab-like environment: Colab's ipywidgets 7.7.1 installed into its own folder and
# put first on PYTHONPATH, on top of .venv (everything else is shared).
COLAB_ENV := .venv-colab
COLAB_STAMP := $(COLAB_ENV)/.installed
BENCH_ARGS ?=

.PHONY: venv book test test-colab bench lint lab notebooks clean

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going --builder html

lint: $(STAMP)
	$(BIN)/ruff check src tests chapters benchmarks
	$(BIN)/ruff format --check src tests chapters benchmarks

# One pytest run, spread over $(JOBS) processes. --dist loadscope keeps each notebook's
# cells (nbval) on one worker, since they share one kernel.
test: lint book
	OMP_NUM_THREADS=$(THREADS) $(BIN)/python -m pytest -n $(JOBS) --dist loadscope -rs \
		--doctest-modules src tests \
		--nbval chapters --nbval-current-env \
		--nbval-sanitize-with tests/notebooks/sanitize.cfg \
		$(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-colab

$(COLAB_STAMP): requirements-colab.txt $(STAMP)
	rm -rf $(COLAB_ENV)
	$(BIN)/python -m pip install --quiet --no-deps --target $(COLAB_ENV) -r requirements-colab.txt
	touch $(COLAB_STAMP)

# Every explorer test and the papermill smoke run of every notebook, with ipywidgets 7.7.1.
test-colab: $(COLAB_STAMP)
	PYTHONPATH=$(abspath $(COLAB_ENV)) COURSE_EXPECT_IPYWIDGETS=7.7.1 OMP_NUM_THREADS=$(THREADS) \
		$(BIN)/python -m pytest -n $(JOBS) --dist loadscope -rs -p no:cacheprovider \
		-W "ignore:The .ipykernel.comm.Comm. class has been deprecated:DeprecationWarning" \
		tests/test_colab_env.py tests/test_explorers.py $(wildcard tests/test_widgets*.py) \
		tests/notebooks/test_papermill_smoke.py

# Writes benchmarks/results.md (shown in the book's appendix) and results.json.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lab: $(STAMP)
	COURSE_PROGRESS=1 $(BIN)/jupyter lab chapters

notebooks: $(STAMP)
	$(BIN)/python tests/notebooks/execute.py

clean:
	rm -rf _build $(COLAB_ENV)
