"""Figures about training and evaluation: learning curves, confusion matrix, mistakes.

The counts come from :func:`course_utils.metrics.confusion_matrix`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from .images import show_images

__all__ = ["plot_history", "plot_confusion_matrix", "plot_mistakes"]


def plot_history(history, title: str = "training"):
    """Loss and accuracy per epoch (training, and validation when present)."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.2))
    epochs = history["epoch"]
    ax_loss.plot(epochs, history["loss"], "o-", label="train")
    ax_acc.plot(epochs, history["accuracy"], "o-", label="train")
    if "val_loss" in history.last:
        ax_loss.plot(epochs, history["val_loss"], "s-", label="validation")
        ax_acc.plot(epochs, history["val_accuracy"], "s-", label="validation")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(matrix: torch.Tensor, classes: list[str] | tuple[str, ...]):
    """Heat map of a confusion matrix with the count written in every non-zero cell."""
    matrix = torch.as_tensor(matrix)
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    image = ax.imshow(matrix.numpy(), cmap="Blues")
    fig.colorbar(image, ax=ax, shrink=0.8, label="count")
    for (i, j), count in zip(
        torch.cartesian_prod(*map(torch.arange, matrix.shape)).tolist(),
        matrix.flatten().tolist(),
    ):
        if count:
            colour = "white" if count > matrix.max() / 2 else "black"
            ax.text(
                j, i, str(count), ha="center", va="center", fontsize=8, color=colour
            )
    ax.set(
        xticks=range(len(classes)),
        yticks=range(len(classes)),
        xticklabels=classes,
        yticklabels=classes,
        xlabel="predicted",
        ylabel="true",
        title="confusion matrix (test set)",
    )
    fig.tight_layout()
    return fig


def plot_mistakes(images: torch.Tensor, y_true, y_pred, max_images: int = 16):
    """The misclassified images, titled 'true -> predicted'."""
    y_true, y_pred = torch.as_tensor(y_true), torch.as_tensor(y_pred)
    wrong = (y_true != y_pred).nonzero().flatten()[:max_images]
    if len(wrong) == 0:
        raise ValueError("there are no mistakes to show")
    titles = [f"{int(y_true[i])} -> {int(y_pred[i])}" for i in wrong]
    return show_images([images[i] for i in wrong], titles, ncols=8, size=1.2)
