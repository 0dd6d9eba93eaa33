"""Utilities for networks, mirroring ``torch.nn.utils``: magnitude pruning in :mod:`.prune`."""

from . import prune

__all__ = ["prune"]
