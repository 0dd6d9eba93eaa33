"""Figures for training with different optimizers: loss curves, learning-rate schedules, range tests.

Example:
    >>> smooth([1.0, 3.0, 2.0, 4.0], window=2).tolist()
    [1.0, 2.0, 2.5, 3.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .style import COLORS

__all__ = ["smooth", "plot_training_runs", "plot_lr_schedules", "plot_lr_range_test"]


def smooth(values: Sequence[float], window: int = 20) -> np.ndarray:
    """Running mean over the last ``window`` values (fewer at the start), same length as the input."""
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be a positive int, got {window!r}")
    values = np.asarray(values, dtype=float)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    return (sums[1:] - sums[np.arange(1, len(values) + 1) - counts]) / counts


def plot_training_runs(
    runs: dict[str, dict[str, Sequence[float]]],
    title: str = "training",
    window: int = 20,
    colors: dict[str, str] | None = None,
    linestyles: dict[str, str] | None = None,
    accuracy_label: str = "validation accuracy",
):
    """Training loss per step (smoothed) and held-out accuracy per epoch, one line per run.

    Args:
        runs: ``{name: {"losses": per-step losses, "accuracy": per-epoch accuracy}}``,
            the accuracy measured on held-out data (a validation split).
        title: the figure's title.
        window: steps in the running mean of the loss.
        colors: optional colour per run name (e.g. ``OPTIMIZER_COLORS``).
        linestyles: optional line style per run name (``"--"`` shows a curve that
            lies on another one).
        accuracy_label: what the accuracy was measured on, for the axis and title.
    """
    colors = colors or {}
    linestyles = linestyles or {}
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 3.8))
    for name, run in runs.items():
        color, style = colors.get(name), linestyles.get(name, "-")
        ax_loss.plot(
            smooth(run["losses"], window), lw=1.4, color=color, ls=style, label=name
        )
        epochs = np.arange(1, len(run["accuracy"]) + 1)
        ax_acc.plot(
            epochs,
            run["accuracy"],
            marker="o",
            ms=4,
            lw=1.4,
            color=color,
            ls=style,
            label=name,
        )
    ax_loss.set(
        xlabel="step",
        ylabel="training loss (log scale)",
        yscale="log",
        title=f"training loss, smoothed (mean of the last {window} steps)",
    )
    ax_acc.set(xlabel="epoch", ylabel=accuracy_label, title=accuracy_label)
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
    ax_loss.legend(fontsize=7, title=f"smoothed, {window} steps", title_fontsize=7)
    ax_acc.legend(fontsize=7, loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_lr_schedules(
    schedules: dict[str, Sequence[float]],
    title: str = "learning-rate schedules",
    steps_per_epoch: int | None = None,
):
    """One line per schedule: the learning rate at every step (epochs marked if given)."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for name, lrs in schedules.items():  # colours: the book's palette, in order
        ax.plot(np.arange(len(lrs)), lrs, lw=1.8, label=name)
    if steps_per_epoch:
        longest = max(len(lrs) for lrs in schedules.values())
        for boundary in range(steps_per_epoch, longest, steps_per_epoch):
            ax.axvline(boundary, color="0.85", lw=0.8, zorder=0)
    ax.set(xlabel="step", ylabel="learning rate", title=title)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_lr_range_test(result, title: str = "learning-rate range test"):
    """Loss against learning rate (log scale), raw and smoothed, with the suggestion marked.

    Args:
        result: a :class:`course_utils.optim.LRRangeResult`.
    """
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(
        result.lrs, result.losses, color="0.7", lw=1, label="loss of each batch (grey)"
    )
    ax.plot(
        result.lrs, result.smoothed, color=COLORS["blue"], lw=2, label="smoothed (blue)"
    )
    ax.axvline(
        result.min_loss_lr,
        color=COLORS["vermillion"],
        ls="--",
        lw=1.2,
        label=f"lowest smoothed loss at {result.min_loss_lr:.2g} (dashed)",
    )
    ax.axvline(
        result.suggestion,
        color=COLORS["orange"],
        lw=2,
        label=f"suggestion (a tenth): {result.suggestion:.2g} (orange)",
    )
    top = 2.5 * result.smoothed[0]
    ax.set(
        xscale="log",
        xlabel="learning rate (log scale)",
        ylabel="training loss",
        ylim=(0, top),
        title=title,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
