"""Train small sequence models on one CPU thread.

Their matrix products are so small that splitting them over threads costs more
than it saves, and on a busy machine spinning threads can make training many
times slower. On a GPU this changes nothing.
"""

from __future__ import annotations

import contextlib

import torch


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
