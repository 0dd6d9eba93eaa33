"""The package as a reader gets it: build, check, install into a clean environment, run.

Usage (``make test-install`` runs it with the project's environment):
    python tools/check_install.py [--python PYTHON] [--notebook NB.ipynb]

1. ``python -m build`` makes a wheel and an sdist (``--no-isolation``: this
   environment's setuptools, no download); ``twine check --strict`` checks their metadata.
2. A clean virtual environment (``PYTHON -m venv``, nothing of this one) gets the wheel's
   dependencies, pinned with ``-c requirements.txt`` (so torch is the local CPU wheel
   where there is one, not a multi-GB CUDA build), plus papermill and ipykernel, then the
   package is uninstalled again: the environment has everything but the course.
   Installing them takes minutes (1.9 GB, mostly torch; 9 min here under a load of 10;
   with the environment kept, the whole check takes 22 s),
   so this environment is kept in ``~/.cache/neurons-to-transformers/`` under a hash of
   the package's dependencies and requirements.txt, and reused (with the course
   uninstalled) until they change; ``--fresh`` builds it anew.
3. papermill runs one notebook (FAST=True) there. Its setup cell finds no
   ``course_utils``, installs ``course-utils==VERSION`` with pip (the built wheel is
   the "package index": ``PIP_FIND_LINKS``), and the notebook runs on that install.
4. Every public module of the installed package is imported (not ``src/``).
5. ``course-utils[all]`` (the chapters' extras) resolves with the tested pins and
   without replacing torch (``pip install --dry-run``).

Each step prints its time; the environment's size is printed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "_build" / "install-check"
CACHE = Path.home() / ".cache" / "neurons-to-transformers"
IMPORT_ALL = """
import importlib, pkgutil, sys, warnings
import course_utils
assert "site-packages" in course_utils.__file__, course_utils.__file__
names = [m.name for m in pkgutil.walk_packages(course_utils.__path__, "course_utils.")
         if not any(part.startswith("_") for part in m.name.split("."))]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # the old names warn by design
    for name in names:
        importlib.import_module(name)
print(f"imported {len(names)} public modules of course_utils {course_utils.__version__}")
"""


def step(title: str, command: list[str], **kwargs) -> subprocess.CompletedProcess:
    start = time.perf_counter()
    result = subprocess.run(command, text=True, capture_output=True, **kwargs)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout[-4000:], result.stderr[-4000:], sep="\n")
        raise SystemExit(f"check_install: {title} failed")
    print(f"{title}: {seconds:.0f} s")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="python3", help="makes the clean venv")
    parser.add_argument(
        "--notebook", default="chapters/00_start/01_setup_check.ipynb", type=Path
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the clean venv")
    arguments = parser.parse_args(argv)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    version = project["version"]
    key = repr(
        (
            project["dependencies"],
            (ROOT / "requirements.txt").read_text(),
            arguments.python,
        )
    )
    venv = CACHE / f"venv-install-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    shutil.rmtree(WORK, ignore_errors=True)
    dist = WORK / "dist"
    py = [sys.executable, "-m"]
    step("build wheel and sdist", [*py, "build", "--no-isolation", "-o", dist, ROOT])
    built = sorted(dist.iterdir())
    wheel = next(p for p in built if p.suffix == ".whl")
    assert any(p.name.endswith(".tar.gz") for p in built), built
    step("twine check", [*py, "twine", "check", "--strict", *built])

    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    ready = venv / ".ready"
    if arguments.fresh or not ready.exists():
        shutil.rmtree(venv, ignore_errors=True)
        step("clean venv", [arguments.python, "-m", "venv", venv])
        constraints = ["-c", str(ROOT / "requirements.txt")]
        step(
            "its dependencies (-c requirements.txt), papermill, ipykernel",
            [*pip, "install", "-q", *constraints, wheel, "papermill", "ipykernel"],
            env=environment,
        )
        ready.touch()
    else:
        print(f"clean venv: reused {venv} (the dependencies have not changed)")
    step("without the course", [*pip, "uninstall", "-y", "-q", "course-utils"])

    # The setup cell installs course-utils==VERSION from the "index": the built wheel.
    environment["PIP_FIND_LINKS"] = f"{dist} {environment.get('PIP_FIND_LINKS', '')}"
    notebook = (ROOT / arguments.notebook).resolve()
    output = WORK / notebook.name
    step(
        f"{arguments.notebook} (FAST) in the clean venv, its setup cell installing",
        [
            str(venv / "bin" / "python"),
            "-m",
            "papermill",
            notebook,
            output,
            "-p",
            "FAST",
            "True",
            "--cwd",
            notebook.parent,
            "-k",
            "python3",
        ],
        env=environment,
        cwd=WORK,
    )
    import nbformat

    executed = nbformat.read(output, as_version=4)
    first = next(c for c in executed.cells if c.cell_type == "code")
    printed = "".join(o.get("text", "") for o in first.outputs)
    assert f"Installed course_utils {version}" in printed, printed
    print("  the setup cell said:", *printed.strip().splitlines(), sep="\n    ")
    step(
        "import every public module",
        [str(venv / "bin" / "python"), "-c", IMPORT_ALL],
        env=environment,
        cwd=WORK,
    )
    report = WORK / "extras.json"
    step(
        "the extras resolve (pip --dry-run course-utils[all])",
        [*pip, "install", "--dry-run", "-q", "--report", report, "-c"]
        + [str(ROOT / "requirements.txt"), f"{wheel}[all]"],
        env=environment,
    )
    import json

    names = {i["metadata"]["name"] for i in json.loads(report.read_text())["install"]}
    assert "torch" not in names and {"peft", "captum"} <= names, sorted(names)
    step("uninstall it again", [*pip, "uninstall", "-y", "-q", "course-utils"])
    size = subprocess.run(["du", "-sh", venv], capture_output=True, text=True).stdout
    print(f"clean venv: {size.split()[0]}; wheel {wheel.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
