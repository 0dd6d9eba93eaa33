"""Re-execute notebooks in place so their stored outputs are current.

Usage, from anywhere:
    python tests/notebooks/execute.py [NOTEBOOK ...]   (default: every notebook in chapters/)

The same as ``python -m course_utils.notebooks`` run from the repository root: the
runner lives in the package (:mod:`course_utils.notebooks`), which the benchmarks
use too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from course_utils.notebooks import main

ROOT = Path(__file__).resolve().parents[2]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], root=ROOT))
