"""Every notebook's setup cell, run on a simulated host where the course is not installed.

The setup block (written from one template by ``tools/setup_cells.py``) installs the
course when ``import course_utils`` fails, whatever the host: Colab, Kaggle,
ModelScope, AI Studio or a fresh local Jupyter. So the simulated host has NO Colab
marker by default; it only hides ``course_utils``. Its pip is intercepted (no network):
``pip config list`` answers with the index the scenario sets (a mirror, or none), and
``pip install`` of the course succeeds or fails as the scenario says. A successful
install "installs" the package the way pip would from the repository: a copy
installed from a git clone of this repository (``git+file://``, committed files only)
becomes importable, and the rest of the cell, the notebook's imports, runs against
that copy, not against ``src/``.

The main run covers every notebook on this Python and, where ``.venv-py312`` exists
(``make test-smoke`` builds it), on Python 3.12, Colab's. Single-notebook scenarios
cover Colab with a mirror where the package index has the course, a failed install
(pip's own error is shown), and an installed package (the cell prints nothing).

This is part of the Colab-like run (``make test-colab``), where Colab's ipywidgets is
first on the path: the cell must keep it (its pin goes into pip's constraints). All
setup cells of a run share one interpreter, each with its own fresh globals and a
fresh import of ``course_utils``; the module cache keeps the cost to one ``import
torch``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import tomllib
import yaml

from .common import ROOT, book_notebooks, code_cells, read

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
REPOSITORY, BRANCH = CONFIG["url"], CONFIG["branch"]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PACKAGE, VERSION = PROJECT["name"], PROJECT["version"]
PIN = re.compile(r"^(?P<name>[\w.-]+)(\[(?P<extra>\w+)\])?==(?P<version>\S+)$")
GIT = re.compile(
    r"^(?P<name>[\w.-]+)(\[(?P<extra>\w+)\])? @ git\+(?P<url>\S+)@(?P<ref>\S+)$"
)
NOTEBOOKS = book_notebooks()
EXPECTED_IPYWIDGETS = os.environ.get("COURSE_EXPECT_IPYWIDGETS")
PY312 = ROOT / ".venv-py312" / "bin" / "python"
PYTHONS = [sys.executable] + ([str(PY312)] if PY312.exists() else [])
MIRROR = "https://pypi.tuna.tsinghua.edu.cn/simple"

# Runs in a fresh interpreter: argv = report path, installed copy, scenario (JSON);
# stdin = [[path, source], ...].
SIMULATED_HOST = """
import contextlib, importlib.abc, importlib.machinery, io, json, os, subprocess, sys
import traceback, types
report_path, installed_copy, scenario = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if scenario["colab"]:  # real modules have a __spec__: libraries probe with find_spec
    for _name in ("google", "google.colab"):
        sys.modules[_name] = types.ModuleType(_name)
        sys.modules[_name].__spec__ = importlib.machinery.ModuleSpec(_name, None)

class Host(importlib.abc.MetaPathFinder):
    # course_utils is missing until pip "installs" it; then it is the installed copy.
    installed = False
    def find_spec(self, name, path=None, target=None):
        if name != "course_utils" and not name.startswith("course_utils."):
            return None
        if not self.installed:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        search = [installed_copy] if name == "course_utils" else path
        return importlib.machinery.PathFinder.find_spec(name, search)
host = Host()
sys.meta_path.insert(0, host)

calls, constraints = [], []
def fake_run(command, *args, **kwargs):
    command = [str(part) for part in command]
    calls.append(command)
    stdout, code, stderr = "", 0, ""
    if command[1:5] == ["-m", "pip", "config", "list"]:
        if scenario["index_url"]:
            stdout = f":env:.index-url='{scenario['index_url']}'\\n"
    elif command[1:4] == ["-m", "pip", "install"]:
        if "-c" in command:
            with open(command[command.index("-c") + 1]) as file:
                constraints.append(file.read().split())
        works = scenario["git" if " @ git+" in command[-1] else "index"]
        if works:
            host.installed = True
        else:
            code = 1
            stderr = f"ERROR: No matching distribution found for {command[-1]}"
    return subprocess.CompletedProcess(command, code, stdout, stderr)
subprocess.run = fake_run

report = {}
for path, source in json.loads(sys.stdin.read()):
    os.chdir(os.path.dirname(path))
    calls.clear(); constraints.clear()
    host.installed = scenario["installed"]
    for name in [n for n in sys.modules if n.split(".")[0] == "course_utils"]:
        del sys.modules[name]
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            exec(compile(source, path, "exec"), {"__name__": "__main__"})
        error = None
    except BaseException:
        error = traceback.format_exc()
    report[path] = {
        "calls": list(calls),
        "constraints": list(constraints),
        "printed": printed.getvalue(),
        "error": error,
        "course_utils": getattr(sys.modules.get("course_utils"), "__file__", None),
        "ipywidgets": getattr(sys.modules.get("ipywidgets"), "__version__", None),
        "python": sys.version.split()[0],
    }
with open(report_path, "w") as file:
    json.dump(report, file)
"""

DEFAULT = {"colab": False, "index_url": None, "index": False, "git": True}


def chapter_extra(path: Path) -> str | None:
    """The chapter's pip extra, as tools/setup_cells.py assigns it."""
    spec = importlib.util.spec_from_file_location(
        "setup_cells", ROOT / "tools" / "setup_cells.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CHAPTER_EXTRAS.get(path.parent.name)


def test_repository_and_package_names_agree():
    homepage = PROJECT["urls"]["Homepage"]
    assert homepage == REPOSITORY


@pytest.fixture(scope="module")
def installed_copy(tmp_path_factory) -> Path:
    """The package installed the way pip would from the repository (a git clone)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    target = tmp_path_factory.mktemp("host-site-packages")
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",  # the host already has torch, numpy, ...
        "--no-build-isolation",  # use this environment's setuptools: no download
        "--target",
        str(target),
        f"{PACKAGE} @ git+file://{ROOT}",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (target / "course_utils" / "__init__.py").exists()
    return target


def run_host(python, paths, scenario, installed_copy, tmp_path_factory) -> dict:
    """Run the setup cells of ``paths`` on a simulated host; what each did, by path."""
    cells = [[str(path), code_cells(read(path))[0].source] for path in paths]
    report = tmp_path_factory.mktemp("host") / "report.json"
    environment = {**os.environ, "MPLBACKEND": "Agg"}  # Colab's ipywidgets stays first
    result = subprocess.run(
        [
            python,
            "-c",
            SIMULATED_HOST,
            str(report),
            str(installed_copy),
            json.dumps({"installed": False, **DEFAULT, **scenario}),
        ],
        input=json.dumps(cells),
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert result.returncode == 0, f"the simulated host failed:\n{result.stderr}"
    return json.loads(report.read_text())


@pytest.fixture(
    scope="module", params=PYTHONS, ids=lambda p: Path(p).parent.parent.name
)
def fresh_host(request, installed_copy, tmp_path_factory) -> dict:
    """Every setup cell on a host without the course, no Colab marker, no mirror;
    the package index does not have the course (it is not published yet), git works."""
    return run_host(request.param, NOTEBOOKS, {}, installed_copy, tmp_path_factory)


def pip_installs(report) -> list[list[str]]:
    return [c for c in report["calls"] if c[1:4] == ["-m", "pip", "install"]]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_setup_cell_installs_this_version_then_falls_back_to_git(
    path, fresh_host, installed_copy
):
    report = fresh_host[str(path)]
    assert report["error"] is None, f"setup cell failed:\n{report['error']}"
    installs = pip_installs(report)
    assert len(installs) == 2, f"expected the index, then git: {report['calls']}"
    pin, git = PIN.match(installs[0][-1]), GIT.match(installs[1][-1])
    assert pin and git, installs
    assert (pin["name"], pin["version"], pin["extra"]) == (
        PACKAGE,
        VERSION,
        chapter_extra(path),
    )
    assert (git["name"], git["url"], git["ref"], git["extra"]) == (
        PACKAGE,
        REPOSITORY,
        BRANCH,
        chapter_extra(path),
    )
    # it says what it does, from where, and how long it may take
    assert (
        f"Installing {installs[0][-1]} from https://pypi.org/simple"
        in report["printed"]
    )
    assert (
        "minutes" in report["printed"] and "Installed course_utils" in report["printed"]
    )
    # the host's torch and ipywidgets are kept: pinned in pip's constraints
    for kept in report["constraints"]:
        assert any(c.startswith("torch==") for c in kept), kept
        if report["ipywidgets"] is not None:
            assert f"ipywidgets=={report['ipywidgets']}" in kept
    # the imports ran against the copy installed from git, not against src/
    assert Path(report["course_utils"]).is_relative_to(installed_copy)
    if EXPECTED_IPYWIDGETS and report["ipywidgets"] is not None:
        assert report["ipywidgets"] == EXPECTED_IPYWIDGETS


@pytest.mark.skipif(
    not PY312.exists(), reason="no .venv-py312 (make test-smoke builds it)"
)
def test_python_312_ran(fresh_host):
    assert {report["python"][:4] for report in fresh_host.values()} <= {
        "3.12",
        sys.version.split()[0][:4],
    }


@pytest.fixture(scope="module")
def one_notebook() -> list[Path]:
    return [p for p in NOTEBOOKS if chapter_extra(p) == "llm"][:1] or NOTEBOOKS[:1]


def test_colab_with_a_mirror_installs_once_from_the_mirror(
    one_notebook, installed_copy, tmp_path_factory
):
    scenario = {"colab": True, "index_url": MIRROR, "index": True}
    [report] = run_host(
        sys.executable, one_notebook, scenario, installed_copy, tmp_path_factory
    ).values()
    assert report["error"] is None, report["error"]
    assert len(pip_installs(report)) == 1 and PIN.match(pip_installs(report)[0][-1])
    assert f"from {MIRROR}" in report["printed"]


def test_failed_install_shows_pips_error_and_what_to_do(
    one_notebook, installed_copy, tmp_path_factory
):
    scenario = {"index": False, "git": False}
    [report] = run_host(
        sys.executable, one_notebook, scenario, installed_copy, tmp_path_factory
    ).values()
    assert "RuntimeError: pip could not install the course package" in report["error"]
    assert "ERROR: No matching distribution found" in report["printed"]
    assert "PIP_INDEX_URL" in report["error"]


def test_installed_package_prints_nothing_and_calls_no_pip(
    installed_copy, tmp_path_factory
):
    paths = [p for p in NOTEBOOKS if p.parent.name == "08_llm"][:1] + NOTEBOOKS[:1]
    reports = run_host(
        sys.executable, paths, {"installed": True}, installed_copy, tmp_path_factory
    )
    for report in reports.values():
        assert report["error"] is None, report["error"]
        assert report["calls"] == [] and report["printed"] == ""


def test_the_installed_package_version_is_the_notebooks_version(installed_copy):
    # what the cells pin (pyproject.toml) is what the repository builds
    found = list(metadata.distributions(path=[str(installed_copy)]))
    assert [d.version for d in found if d.metadata["Name"] == PACKAGE] == [VERSION]
