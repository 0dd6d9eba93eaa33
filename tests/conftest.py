"""Settings for the unit tests (the notebook tests run in their own kernels)."""

import os

import matplotlib

matplotlib.use(
    "Agg"
)  # in this process only: never set MPLBACKEND, the kernels would inherit it
os.environ.setdefault("COURSE_PROGRESS", "0")
