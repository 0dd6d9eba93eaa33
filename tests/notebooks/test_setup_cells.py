"""Every notebook's first code cell starts with the setup block of its chapter.

The block is generated from one template by ``tools/setup_cells.py`` (run it after
adding a notebook; ``--check`` is what this test runs). The package's list of
``--no-deps`` packages (:data:`course_utils.setup.NODEPS`) and
``requirements-nodeps.txt`` must agree, and so must the chapters' extras and
``pyproject.toml``.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest
import tomllib

from course_utils import setup

from .common import ROOT, book_notebooks, code_cells, read

spec = importlib.util.spec_from_file_location(
    "setup_cells", ROOT / "tools" / "setup_cells.py"
)
setup_cells = importlib.util.module_from_spec(spec)
spec.loader.exec_module(setup_cells)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize(
    "path", book_notebooks(), ids=lambda p: str(p.relative_to(ROOT))
)
def test_first_code_cell_starts_with_the_chapter_template(path):
    source = code_cells(read(path))[0].source
    wanted = setup_cells.setup_block(path)
    assert source.startswith(wanted), (
        f"{path.name}: its setup block differs from the template: run "
        "python tools/setup_cells.py"
    )
    # the notebook's own imports follow, after one blank line
    assert source[len(wanted) :].startswith("\n") and source[len(wanted) + 1 :].strip()


def test_the_check_mode_passes_and_rewriting_is_idempotent(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "setup_cells.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # an old Colab-only block is replaced; the rest of the cell is kept
    path = book_notebooks()[0]
    copy = tmp_path / "chapters" / path.parent.name / path.name
    copy.parent.mkdir(parents=True)
    notebook = read(path)
    cell = code_cells(notebook)[0]
    _, rest = setup_cells.split_setup(cell.source)
    old = (
        "# Setup. On Colab this installs the course package.\nimport sys\n\n"
        'if "google.colab" in sys.modules:\n    import subprocess\n\n'
        '    subprocess.run(\n        [sys.executable, "-m", "pip"],\n'
        "        check=True,\n    )\n"
    )
    cell.source = old + rest
    import nbformat

    nbformat.write(notebook, copy)
    assert setup_cells.rewrite(copy) is True
    assert setup_cells.rewrite(copy) is False
    assert code_cells(read(copy))[0].source == setup_cells.setup_block(path) + rest


def test_chapter_extras_exist_in_pyproject_and_in_the_package():
    extras = PYPROJECT["optional-dependencies"]
    for extra in set(setup_cells.CHAPTER_EXTRAS.values()):
        assert extra in extras, f"pyproject.toml has no extra {extra!r}"
        assert extra in setup.EXTRAS
    assert set(setup.EXTRAS) <= set(extras)


def test_nodeps_list_and_requirements_nodeps_agree():
    pins = {}
    for line in (ROOT / "requirements-nodeps.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = re.split(r"==", line)
            pins[name.strip()] = version.strip()
    assert pins == setup.NODEPS


def test_install_extras_installs_only_what_is_missing(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(setup, "_installed", lambda package: package != "recbole")

    def run(command, **kwargs):
        calls.append(command)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(setup.subprocess, "run", run)
    assert setup.install_extras("llm") == []
    assert calls == []
    assert setup.install_extras("apps") == ["recbole==1.2.1"]
    assert calls[0][1:] == ["-m", "pip", "install", "-q", "--no-deps", "recbole==1.2.1"]
    assert "recbole==1.2.1" in capsys.readouterr().out


def test_install_extras_shows_pips_error_and_what_to_do(monkeypatch, capsys):
    monkeypatch.setattr(setup, "_installed", lambda package: False)
    monkeypatch.setattr(
        setup.subprocess,
        "run",
        lambda command, **kw: subprocess.CompletedProcess(
            command, 1, "", "ERROR: boom"
        ),
    )
    with pytest.raises(RuntimeError, match="PIP_INDEX_URL"):
        setup.install_extras("llm")
    assert "ERROR: boom" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [3, "vision"])
def test_install_extras_rejects_bad_extras(extra):
    with pytest.raises(TypeError if extra == 3 else ValueError, match="missing_extras"):
        setup.install_extras(extra)


def test_command_line_lists_the_extras(capsys):
    assert setup.main(["--list"]) == 0
    assert "course-utils[apps]: pip install --no-deps" in capsys.readouterr().out


def test_the_repository_url_is_the_one_in_config():
    """_config.yml's repository.url is the one place; every page that names it agrees."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    owner_repo = config["url"].removeprefix("https://github.com/")
    assert PYPROJECT["urls"]["Homepage"] == config["url"]
    files = [
        "README.md",
        "intro.md",
        "pyproject.toml",
        *ROOT.glob("chapters/00_start/*.md"),
    ]
    found = []
    for file in files:
        text = (ROOT / file).read_text(encoding="utf-8")
        found += re.findall(r"github(?:\.com)?/([\w.-]+/[\w-]+)", text)
    assert found, "no repository link found"
    assert set(found) == {owner_repo}, f"{sorted(set(found))} != {owner_repo}"


def test_python_312_requirements_are_up_to_date():
    """requirements-py312.txt is what tools/py312_requirements.py makes of the pins."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "py312_requirements.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
