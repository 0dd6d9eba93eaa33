# Everyday commands. Each one creates the virtual environment first if needed.
#   make book        build the rendered book into _build/html
#   make unit        unit tests and doctests of course_utils, without the slow ones (about a minute)
#   make test        every check: lint, book build + browser, all unit tests, nbval, papermill, Colab-like
#   make test-smoke  papermill runs every notebook with FAST=True (SMOKE_PYTHON: on another Python)
#   make test-colab  explorer tests and every notebook's setup cell with Colab's ipywidgets 7.7.1
#   make lab         open the notebooks in JupyterLab (jupyterlab-myst renders their MyST boxes)
#   make notebooks   re-execute every notebook in place (after changing code they use)
#   make bench       measure notebook times, explorer latency, from-scratch vs PyTorch, throughput

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

# The interpreter of the papermill smoke run, and so of its kernels. Point it at
# another environment, e.g. Colab's Python 3.12, with `make test SMOKE_PYTHON=PATH`:
# that environment needs the course package and requirements.txt installed
# (pytest, pytest-xdist, papermill and ipykernel included).
SMOKE_PYTHON ?= $(BIN)/python

# Automated runs show per-epoch summaries instead of live progress bars.
export COURSE_PROGRESS = 0

# The Colab-like environment: Colab's ipywidgets 7.7.1 installed into its own folder and
# put first on PYTHONPATH, on top of .venv (everything else is shared).
COLAB_ENV := .venv-colab
COLAB_STAMP := $(COLAB_ENV)/.installed
BENCH_ARGS ?=

PYTEST := OMP_NUM_THREADS=$(THREADS) $(BIN)/python -m pytest -n $(JOBS) -rs
# Every test and doctest under src/, benchmarks/ and tests/ but the browser check; UNIT
# leaves out the notebook tests too; NOT_HERE, those that test-smoke and test-colab run.
TESTS := --doctest-modules src benchmarks tests --ignore=tests/test_book_browser.py
UNIT := $(TESTS) --ignore=tests/notebooks
NOT_HERE := --ignore=tests/notebooks/test_papermill_smoke.py --ignore=tests/notebooks/test_colab_setup.py
NBVAL := --nbval-current-env --nbval-sanitize-with tests/notebooks/sanitize.cfg

.PHONY: venv book unit test test-book test-notebooks test-smoke test-colab bench lint lab notebooks clean

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

# The quick loop while changing course_utils: no notebook, no browser, no test marked
# slow (training a model, parsing a large data set; see tests/conftest.py).
unit: $(STAMP)
	$(PYTEST) --dist loadscope -m "not slow" $(UNIT) $(PYTEST_ARGS)

# The full gate. Each notebook executes twice: once under nbval (full size, outputs
# compared) and once in the papermill smoke run (FAST=True); the Colab-like run only
# runs the setup cells. How the 2 cores are kept busy:
# - Every pytest run has JOBS worker processes, each with THREADS OpenMP threads
#   (one per core on 2 cores): kernels inherit OMP_NUM_THREADS, so two notebooks at
#   once use two threads in all, never four fighting over two cores.
# - The book build is one single-threaded Sphinx process, and the browser check mostly
#   waits for Chromium. They run beside the nbval run (make -j2) instead of before
#   it, so the second core is not idle for their few minutes; their output goes to
#   _build/*.log (shown if they fail) so that it does not interleave with pytest's.
# - nbval runs with --dist loadscope (one notebook's cells share one kernel, so a
#   notebook is one unit of work), the notebooks first: the long units start early
#   and the many short unit-test modules fill the gaps at the end.
# - The smoke run is a separate run, --dist load (each notebook is an independent
#   test; loadscope would put the whole module on one worker), with SMOKE_PYTHON.
# - The Colab-like run is last and short: explorer tests and one interpreter running
#   every setup cell (tests/notebooks/test_colab_setup.py).
test: lint
	$(MAKE) --no-print-directory -j2 test-book test-notebooks
	$(MAKE) --no-print-directory test-smoke
	$(MAKE) --no-print-directory test-colab

# The book build with -W (warnings are errors), then a real browser opens every page.
test-book: $(STAMP)
	@mkdir -p _build
	@echo "book build and browser check: running beside the notebooks (log in _build/)"
	@$(BIN)/jupyter-book build . -W -n --keep-going --builder html >_build/book.log 2>&1 \
		|| { cat _build/book.log; echo "make test-book: the book build failed"; exit 1; }
	@$(BIN)/python -m pytest -rs tests/test_book_browser.py >_build/browser.log 2>&1 \
		|| { cat _build/browser.log; echo "make test-book: the browser check failed"; exit 1; }
	@sed -n '/short test summary/,$$p' _build/browser.log | grep . || tail -n 1 _build/browser.log

# nbval on every notebook, every unit test (slow ones included) and the notebooks'
# anatomy (tests/notebooks/test_structure.py).
test-notebooks: $(STAMP)
	$(PYTEST) --dist loadscope --nbval chapters $(NBVAL) $(TESTS) $(NOT_HERE) $(PYTEST_ARGS)

# papermill runs every notebook with FAST=True injected, in SMOKE_PYTHON's kernel.
test-smoke: $(STAMP)
	OMP_NUM_THREADS=$(THREADS) $(SMOKE_PYTHON) -m pytest -n $(JOBS) --dist load -rs \
		tests/notebooks/test_papermill_smoke.py $(PYTEST_ARGS)

$(COLAB_STAMP): requirements-colab.txt $(STAMP)
	rm -rf $(COLAB_ENV)
	$(BIN)/python -m pip install --quiet --no-deps --target $(COLAB_ENV) -r requirements-colab.txt
	touch $(COLAB_STAMP)

# Every explorer test, and every notebook's setup cell on a simulated Colab, with
# ipywidgets 7.7.1 (kernels included: they inherit PYTHONPATH).
test-colab: $(COLAB_STAMP)
	PYTHONPATH=$(abspath $(COLAB_ENV))$${PYTHONPATH:+:$$PYTHONPATH} COURSE_EXPECT_IPYWIDGETS=7.7.1 \
		$(PYTEST) --dist loadscope \
		-W 'ignore:The `ipykernel.comm.Comm` class has been deprecated:DeprecationWarning' \
		tests/test_colab_env.py tests/notebooks/test_colab_setup.py \
		tests/test_explorers.py $(wildcard tests/test_widgets*.py)

# Writes benchmarks/results.md (shown in the book's appendix) and results.json.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lab: $(STAMP)
	COURSE_PROGRESS=1 $(BIN)/jupyter lab chapters

notebooks: $(STAMP)
	$(BIN)/python -m course_utils.notebooks

clean:
	rm -rf _build $(COLAB_ENV)
