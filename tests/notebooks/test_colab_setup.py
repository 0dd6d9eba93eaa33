"""The Colab setup cell of every notebook, run with a simulated Colab.

On Colab the first cell runs ``pip install "course-utils @ git+<repository>"``.
Here that command is intercepted (no network): the test checks that it names
this repository (the URL in ``_config.yml``) and this package (the name in
``pyproject.toml``), then installs the package the same way pip would on Colab,
from a git clone of this repository (``git+file://``, committed files only),
into a separate folder. The rest of the cell, the notebook's imports, then runs
against that installed copy, not against ``src/``.

This is part of the Colab-like run (``make test-colab``), where Colab's ipywidgets
is first on the path. All setup cells run in one interpreter, one after another,
each in its notebook's folder and with its own fresh globals (a cell that uses a
name it does not import fails as it would on Colab); they share the module cache,
so the book's forty notebooks cost one ``import torch``, not forty.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml

from .common import ROOT, book_notebooks, code_cells, read

REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
PACKAGE = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
REQUIREMENT = re.compile(r"^(?P<name>[\w.-]+) @ git\+(?P<url>\S+)$")
NOTEBOOKS = book_notebooks()
EXPECTED_IPYWIDGETS = os.environ.get("COURSE_EXPECT_IPYWIDGETS")

# Runs in a fresh interpreter: a fake google.colab module, a subprocess.run that records
# the command instead of reaching the network, then every setup cell given on stdin.
SIMULATED_COLAB = """
import contextlib, importlib.machinery, io, json, os, subprocess, sys, traceback, types
# Real modules have a __spec__: libraries probe for Colab with importlib.util.find_spec.
for _name in ("google", "google.colab"):
    sys.modules[_name] = types.ModuleType(_name)
    sys.modules[_name].__spec__ = importlib.machinery.ModuleSpec(_name, None)
_calls = []
def _record(command, *args, **kwargs):
    _calls.append(list(command))
    return subprocess.CompletedProcess(command, 0)
subprocess.run = _record

report = {}
for path, source in json.loads(sys.stdin.read()):
    os.chdir(os.path.dirname(path))
    _calls.clear()
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            exec(compile(source, path, "exec"), {"__name__": "__main__"})
        error = None
    except BaseException:
        error = traceback.format_exc()
    ipywidgets = sys.modules.get("ipywidgets")
    report[path] = {
        "calls": list(_calls),
        "error": error,
        "course_utils": getattr(sys.modules.get("course_utils"), "__file__", None),
        "ipywidgets": getattr(ipywidgets, "__version__", None),
    }
with open(sys.argv[1], "w") as file:
    json.dump(report, file)
"""


def test_repository_and_package_names_agree():
    homepage = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert homepage["Homepage"] == REPOSITORY


@pytest.fixture(scope="module")
def colab_install(tmp_path_factory) -> Path:
    """Install the package the way Colab's pip would, from a clone of this repository."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    target = tmp_path_factory.mktemp("colab-site-packages")
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",  # Colab already has torch, numpy, ...
        "--no-build-isolation",  # use this environment's setuptools: no download
        "--target",
        str(target),
        f"{PACKAGE} @ git+file://{ROOT}",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (target / "course_utils" / "__init__.py").exists()
    return target


@pytest.fixture(scope="module")
def setup_cells_on_colab(colab_install, tmp_path_factory) -> dict:
    """Run every notebook's setup cell on a simulated Colab; what each one did, by path."""
    cells = [[str(path), code_cells(read(path))[0].source] for path in NOTEBOOKS]
    report = tmp_path_factory.mktemp("colab-setup") / "report.json"
    path = [str(colab_install), os.environ.get("PYTHONPATH", "")]
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in path if p),  # Colab's ipywidgets stays
        "MPLBACKEND": "Agg",
    }
    result = subprocess.run(
        [sys.executable, "-c", SIMULATED_COLAB, str(report)],
        input=json.dumps(cells),
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert result.returncode == 0, f"the simulated Colab failed:\n{result.stderr}"
    return {"install": colab_install, **json.loads(report.read_text())}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_setup_cell_installs_this_repository_on_colab(path, setup_cells_on_colab):
    report = setup_cells_on_colab[str(path)]
    assert report["error"] is None, (
        f"setup cell failed on simulated Colab:\n{report['error']}"
    )

    pip_calls = [c for c in report["calls"] if c[1:4] == ["-m", "pip", "install"]]
    assert len(pip_calls) == 1, f"expected one pip install, got {report['calls']}"
    requirement = REQUIREMENT.match(pip_calls[0][-1])
    assert requirement, f"not a 'name @ git+url' requirement: {pip_calls[0][-1]!r}"
    assert requirement["name"] == PACKAGE
    assert requirement["url"] == REPOSITORY
    # The imports ran against the copy installed from git, not against src/.
    assert Path(report["course_utils"]).is_relative_to(setup_cells_on_colab["install"])
    if EXPECTED_IPYWIDGETS and report["ipywidgets"] is not None:
        assert report["ipywidgets"] == EXPECTED_IPYWIDGETS
