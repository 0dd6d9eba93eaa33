"""The Colab setup cell of every notebook, run with a simulated Colab.

On Colab the first cell runs ``pip install "course-utils @ git+<repository>"``.
Here that command is intercepted (no network): the test checks that it names
this repository (the URL in ``_config.yml``) and this package (the name in
``pyproject.toml``), then installs the package the same way pip would on Colab,
from a git clone of this repository (``git+file://``, committed files only),
into a separate folder. The rest of the cell, the notebook's imports, then runs
against that installed copy, not against ``src/``.
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

# Runs before the setup cell in a fresh interpreter: a fake google.colab module, and a
# subprocess.run that records the command instead of reaching the network.
SIMULATED_COLAB = """
import json, subprocess, sys, types
sys.modules["google"] = types.ModuleType("google")
sys.modules["google.colab"] = types.ModuleType("google.colab")
_calls = []
def _record(command, *args, **kwargs):
    _calls.append(list(command))
    return subprocess.CompletedProcess(command, 0)
subprocess.run = _record
"""
REPORT = """
import course_utils
print(json.dumps({"calls": _calls, "course_utils": course_utils.__file__}))
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


@pytest.mark.parametrize(
    "path", book_notebooks(), ids=lambda p: str(p.relative_to(ROOT))
)
def test_setup_cell_installs_this_repository_on_colab(path, colab_install):
    setup = code_cells(read(path))[0].source
    environment = {**os.environ, "PYTHONPATH": str(colab_install), "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-c", SIMULATED_COLAB + setup + REPORT],
        capture_output=True,
        text=True,
        cwd=path.parent,
        env=environment,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"setup cell failed on simulated Colab:\n{result.stderr}"
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])

    pip_calls = [c for c in report["calls"] if c[1:4] == ["-m", "pip", "install"]]
    assert len(pip_calls) == 1, f"expected one pip install, got {report['calls']}"
    requirement = REQUIREMENT.match(pip_calls[0][-1])
    assert requirement, f"not a 'name @ git+url' requirement: {pip_calls[0][-1]!r}"
    assert requirement["name"] == PACKAGE
    assert requirement["url"] == REPOSITORY
    # The imports ran against the copy installed from git, not against src/.
    assert Path(report["course_utils"]).is_relative_to(colab_install)
