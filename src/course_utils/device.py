"""Pick the device a notebook trains on, seed every random generator, detect Colab.

The rule is the same in every notebook: CUDA if present, then Apple's MPS, then
the CPU. A reader can override it in two ways, the first one winning:

1. the notebook's ``DEVICE`` parameter (``"auto"``, ``"cpu"``, ``"cuda"``,
   ``"cuda:1"``, ``"mps"``), which papermill can inject;
2. the environment variable ``COURSE_DEVICE`` (same values).

Example:
    >>> from course_utils.device import pick_device
    >>> pick_device("cpu")
    device(type='cpu')
"""

from __future__ import annotations

import contextlib
import os
import random
import sys

import numpy as np
import torch

__all__ = [
    "pick_device",
    "seed_everything",
    "in_colab",
    "describe_device",
    "ENV_VARIABLE",
    "single_cpu_thread",
    "cpu_threads",
]

ENV_VARIABLE = "COURSE_DEVICE"
_KNOWN_KINDS = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(preference: str | torch.device | None = "auto") -> torch.device:
    """Return the device to compute on.

    Args:
        preference: ``"auto"`` (or ``None``) picks CUDA > MPS > CPU, unless the
            ``COURSE_DEVICE`` environment variable names a device. Any other
            value (``"cpu"``, ``"cuda"``, ``"cuda:0"``, ``"mps"`` or a
            ``torch.device``) is used as given, after checking it exists here.

    Raises:
        ValueError: the name is not a device kind this course knows.
        RuntimeError: the device was asked for but is not available on this machine.

    Example:
        >>> pick_device("cpu").type
        'cpu'
    """
    if preference is None:
        preference = "auto"
    if isinstance(preference, torch.device):
        preference = str(preference)
    if not isinstance(preference, str):
        raise TypeError(
            f"pick_device expects a string such as 'auto' or 'cuda', got {type(preference).__name__}"
        )
    name = preference.strip().lower()
    if name == "auto":
        from_env = os.environ.get(ENV_VARIABLE, "").strip().lower()
        if from_env and from_env != "auto":
            return pick_device(from_env)
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")

    kind = name.split(":")[0]
    if kind not in _KNOWN_KINDS:
        raise ValueError(
            f"unknown device {preference!r}: expected one of {', '.join(_KNOWN_KINDS)} "
            "(optionally with an index, e.g. 'cuda:1')"
        )
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"device {preference!r} was requested but this machine has no CUDA GPU; "
            "use DEVICE='auto' or 'cpu'"
        )
    if kind == "mps" and not _mps_available():
        raise RuntimeError(
            f"device {preference!r} was requested but Apple MPS is not available here; "
            "use DEVICE='auto' or 'cpu'"
        )
    return torch.device(name)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's generators (all devices) for a repeatable run.

    Example:
        >>> seed_everything(0); a = torch.rand(1)
        >>> seed_everything(0); bool(torch.rand(1) == a)
        True
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    random.seed(seed)
    # The legacy global generator on purpose: it is the one np.random.rand() etc. use.
    np.random.seed(seed % 2**32)  # noqa: NPY002
    torch.manual_seed(seed)  # also seeds every CUDA and MPS device


def in_colab() -> bool:
    """True when running inside Google Colab.

    Example:
        >>> in_colab()
        False
    """
    return "google.colab" in sys.modules


def _count(number: int | None, noun: str) -> str:
    """``"1 torch thread"``, ``"2 torch threads"``."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def describe_device(device: torch.device) -> str:
    """A one-line human description of ``device``, e.g. ``'cuda (NVIDIA H100, 80 GB)'``.

    Example:
        >>> describe_device(torch.device("cpu")).startswith("cpu")
        True
    """
    device = torch.device(device)
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return f"cuda ({props.name}, {props.total_memory / 2**30:.0f} GiB)"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return (
        f"cpu ({_count(os.cpu_count(), 'logical core')}, "
        f"{_count(torch.get_num_threads(), 'torch thread')})"
    )


@contextlib.contextmanager
def single_cpu_thread(device: torch.device | str):
    """Within the block, PyTorch uses one CPU thread if ``device`` is the CPU.

    Example:
        >>> with single_cpu_thread("cpu"):
        ...     torch.get_num_threads()
        1
    """
    if torch.device(device).type != "cpu":
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def cpu_threads(count: int):
    """Within the block, PyTorch runs CPU operations on ``count`` threads.

    For measuring how a model scales with threads; training uses
    :func:`single_cpu_thread` or PyTorch's default.

    Example:
        >>> with cpu_threads(1):
        ...     torch.get_num_threads()
        1
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"cpu_threads: count must be an integer >= 1, got {count!r}")
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
