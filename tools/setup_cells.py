"""Write the setup block at the top of every notebook's first code cell, from ONE template.

Usage, from the repository root:
    python tools/setup_cells.py            rewrite the block in every notebook under chapters/
    python tools/setup_cells.py --check    exit 1 and name the notebooks whose block differs
    python tools/setup_cells.py NB.ipynb   only these notebooks

The first code cell of a notebook is the setup block, then the notebook's own imports.
Only the block is rewritten (the imports, the cell's outputs, metadata and every other
cell are left as they are), so the script is idempotent and can be rerun after merging
branches that add notebooks. It recognizes the block it writes (it ends with
``END_LINE``) and the older Colab-only block (``if "google.colab" in sys.modules:``).

The block depends on the chapter (its pip extra, see :func:`chapter_extra`), on the
package's name and version (``pyproject.toml``) and on the repository URL and branch
(``_config.yml``, the one place the URL lives).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]
END_LINE = "# (end of the course setup; this notebook's imports follow)"
# The block every notebook had before this script: Colab-only, a git install.
OLD_BLOCK = re.compile(
    r'\A# Setup\..*?if "google\.colab" in sys\.modules:.*?check=True,\n\s*\)\n',
    re.DOTALL,
)
NEW_BLOCK = re.compile(r"\A# Setup.*?^" + re.escape(END_LINE) + r"\n", re.DOTALL | re.M)
# The pip extra each chapter needs (course-utils[EXTRA]); other chapters need none.
CHAPTER_EXTRAS = {"07_applications": "apps", "08_llm": "llm"}

TEMPLATE = """\
# Setup (the same in every notebook, written by tools/setup_cells.py). Where the course
# package is installed (`pip install -e .`, `make lab`) this prints nothing. Elsewhere
# (Colab, Kaggle, ModelScope, AI Studio, any Jupyter) it installs this notebook's version
# of the course once, with the package index pip is set to use (a mirror too), keeping
# the torch and ipywidgets already installed.
REPOSITORY = "{url}"
COURSE = "{requirement}"  # this notebook's version of the course
try:
    import course_utils  # noqa: F401
except ImportError:
    import importlib
    import subprocess
    import sys
    import tempfile
    import time
    from importlib import metadata

    def _pip(*arguments):
        command = [sys.executable, "-m", "pip", *arguments]
        return subprocess.run(command, capture_output=True, text=True)

    _index = "https://pypi.org/simple (pip's default)"
    for _line in _pip("config", "list").stdout.splitlines():
        if _line.split("=")[0].endswith(".index-url"):
            _index = _line.split("=", 1)[1].strip("'\\"")
    _kept = []  # never replace the host's torch or ipywidgets (Colab's need 7.7)
    for _name in ("torch", "ipywidgets"):
        try:
            _kept.append(f"{{_name}}=={{metadata.version(_name)}}")
        except metadata.PackageNotFoundError:
            pass
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as _file:
        _file.write("\\n".join(_kept) + "\\n")
    print(f"Installing {{COURSE}} from {{_index}}: once per machine, 1-3 minutes.")
    print(f"Kept as installed: {{', '.join(_kept) or 'nothing'}}.")
    _start = time.time()
    _result = _pip("install", "-q", "-c", _file.name, COURSE)
    if _result.returncode != 0:
        _git = f"{{COURSE.split('==')[0]}} @ git+{{REPOSITORY}}@{branch}"
        print(f"Not found there; installing from the repository: {{_git}}")
        _result = _pip("install", "-q", "-c", _file.name, _git)
    if _result.returncode != 0:
        print(_result.stderr or _result.stdout)
        raise RuntimeError(
            "pip could not install the course package (its error is above). Check "
            "that this notebook may use the internet (Kaggle: Settings > Internet), "
            "or set a package mirror (PIP_INDEX_URL), then run this cell again."
        ) from None
    importlib.invalidate_caches()
    import course_utils  # noqa: F401

    _seconds = time.time() - _start
    print(f"Installed course_utils {{course_utils.__version__}} in {{_seconds:.0f}} s.")
{extras}{end_line}
"""
EXTRAS_LINES = """
from course_utils.setup import install_extras

install_extras("{extra}")  # packages pip must install with --no-deps (quiet if present)
"""


def project() -> dict[str, str]:
    """The package name and version (pyproject.toml), the repository URL and branch."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    return {
        "name": meta["name"],
        "version": meta["version"],
        "url": repository["url"],
        "branch": repository["branch"],
    }


def chapter_extra(path: Path) -> str | None:
    """The pip extra of the chapter ``path`` belongs to (its folder), or None."""
    return CHAPTER_EXTRAS.get(Path(path).parent.name)


def setup_block(path: Path) -> str:
    """The setup block of the notebook at ``path``: the template for its chapter."""
    info = project()
    extra = chapter_extra(path)
    name = f"{info['name']}[{extra}]" if extra else info["name"]
    return TEMPLATE.format(
        requirement=f"{name}=={info['version']}",
        url=info["url"],
        branch=info["branch"],
        extras=EXTRAS_LINES.format(extra=extra) if extra else "",
        end_line=END_LINE,
    )


def split_setup(source: str) -> tuple[str, str]:
    """(the setup block, the rest of the cell) of a first code cell's source."""
    for pattern in (NEW_BLOCK, OLD_BLOCK):
        match = pattern.match(source)
        if match:
            return match.group(0), source[match.end() :]
    raise ValueError("the first code cell does not start with a setup block")


def first_code_cell(notebook):
    return next(cell for cell in notebook.cells if cell.cell_type == "code")


def rewrite(path: Path, check: bool = False) -> bool:
    """Put the template's block at the top of the first code cell; True if it changed."""
    notebook = nbformat.read(path, as_version=4)
    cell = first_code_cell(notebook)
    block, rest = split_setup(cell.source)
    wanted = setup_block(path)
    if block == wanted:
        return False
    if not check:
        cell.source = wanted + "\n" + rest.lstrip("\n")
        nbformat.write(notebook, path)
    return True


def notebooks() -> list[Path]:
    return sorted((ROOT / "chapters").glob("*/*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--check", action="store_true", help="change nothing; fail if stale"
    )
    arguments = parser.parse_args(argv)
    changed = [
        path
        for path in (arguments.notebooks or notebooks())
        if rewrite(path, check=arguments.check)
    ]
    for path in changed:
        print(f"{'stale' if arguments.check else 'rewrote'}: {path}")
    if arguments.check and changed:
        print("run: python tools/setup_cells.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
