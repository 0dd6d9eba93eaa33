"""Device choice, seeding and Colab detection."""

import pytest
import torch

from course_utils.device import describe_device, in_colab, pick_device, seed_everything


def test_auto_picks_the_best_available(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available() and torch.backends.mps.is_available():
        expected = "mps"
    assert pick_device("auto").type == expected
    assert pick_device(None).type == expected


def test_auto_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert pick_device().type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device().type == "cuda"


def test_environment_variable_overrides_auto(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device("auto").type == "cpu"


def test_explicit_preference_beats_environment(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device(torch.device("cpu")) == torch.device("cpu")


def test_unknown_and_unavailable_devices_are_explained(monkeypatch):
    with pytest.raises(ValueError, match="unknown device 'tpu'.*auto, cpu, cuda, mps"):
        pick_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        pick_device("cuda:0")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="MPS is not available"):
        pick_device("mps")
    with pytest.raises(TypeError, match="got int"):
        pick_device(3)


def test_seed_everything_repeats_every_generator():
    import random

    import numpy as np

    seed_everything(7)
    first = (random.random(), np.random.rand(), torch.rand(3))  # noqa: NPY002 (legacy on purpose)
    seed_everything(7)
    second = (random.random(), np.random.rand(), torch.rand(3))  # noqa: NPY002
    assert first[0] == second[0] and first[1] == second[1]
    assert torch.equal(first[2], second[2])


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises((TypeError, ValueError), match="seed must be"):
        seed_everything(bad)


def test_colab_detection(monkeypatch):
    import sys
    import types

    assert in_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert in_colab() is True


def test_describe_cpu():
    assert describe_device(torch.device("cpu")).startswith("cpu (")
