"""Settings for the unit tests (the notebook tests run in their own kernels)."""

import os

import matplotlib

matplotlib.use(
    "Agg"
)  # in this process only: never set MPLBACKEND, the kernels would inherit it
os.environ.setdefault("COURSE_PROGRESS", "0")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def smollm():
    """(model, tokenizer) of SmolLM2-135M-Instruct, loaded once for every test that needs it."""
    from course_utils.models import load_smollm

    return load_smollm()
