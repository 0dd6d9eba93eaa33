"""Figures for recurrent networks: the unrolled graph, gradients through time, hidden units.

Example:
    >>> import torch
    >>> responses = character_responses(torch.tensor([[[1.0], [3.0]]]),
    ...                                 torch.tensor([[1, 1]]), vocab_size=2)
    >>> responses.tolist()
    [[0.0, 2.0]]
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._validation import require_dims

__all__ = [
    "plot_unrolled_rnn",
    "plot_gradient_norms",
    "character_responses",
    "plot_hidden_states",
    "plot_unit_responses",
]


def plot_unrolled_rnn(steps: int = 4):
    """Draw one RNN cell unrolled over ``steps`` time steps, with the backward pass.

    Black arrows are the forward pass (input -> state -> state -> output -> loss);
    red arrows are backpropagation through time: every loss sends its gradient back
    along the chain of states, and the gradient of the shared weights is the sum of
    what arrives at every step.
    """
    if not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps must be an int >= 2, got {steps!r}")
    fig, ax = plt.subplots(figsize=(2.0 * steps + 1.5, 4.2))
    forward = {"arrowstyle": "->", "color": "black", "lw": 1.3}
    backward = {"arrowstyle": "->", "color": "tab:red", "lw": 1.3, "ls": "--"}
    box = {"boxstyle": "round,pad=0.35", "fc": "white", "ec": "black"}
    cell_box = {"boxstyle": "round,pad=0.5", "fc": "#dbe9f6", "ec": "tab:blue"}
    loss_box = {"boxstyle": "round,pad=0.35", "fc": "#fde2e2", "ec": "tab:red"}

    def arrow(start, end, style, rad=0.0):
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={**style, "connectionstyle": f"arc3,rad={rad}"},
        )

    xs = [1.0 + 2.0 * t for t in range(steps)]
    ax.text(-0.6, 1.5, "$h_0$", ha="center", va="center", bbox=box, fontsize=12)
    for t, x in enumerate(xs, start=1):
        ax.text(x, 0.0, f"$x_{t}$", ha="center", va="center", bbox=box, fontsize=12)
        ax.text(
            x, 1.5, f"$h_{t}$", ha="center", va="center", bbox=cell_box, fontsize=12
        )
        ax.text(
            x, 3.0, f"$L_{t}$", ha="center", va="center", bbox=loss_box, fontsize=12
        )
        arrow((x, 0.35), (x, 1.1), forward)  # W_ih x_t
        arrow((x - 0.1, 1.9), (x - 0.1, 2.65), forward)  # output -> loss
        arrow((x + 0.15, 2.65), (x + 0.15, 1.9), backward)  # dL_t / dh_t
        previous = -0.6 if t == 1 else xs[t - 2]
        arrow((previous + 0.4, 1.6), (x - 0.45, 1.6), forward)  # W_hh h_{t-1}
        arrow((x - 0.45, 1.3), (previous + 0.4, 1.3), backward)  # dh_t / dh_{t-1}
        ax.text((previous + x) / 2, 1.75, "$W_{hh}$", ha="center", fontsize=9)
        ax.text(x + 0.12, 0.72, "$W_{ih}$", fontsize=9)
    ax.text(
        xs[-1] + 1.0,
        0.5,
        "forward\n(black)\n\nbackward\nthrough time\n(red, dashed)",
        fontsize=9,
        va="center",
    )
    ax.set(xlim=(-1.2, xs[-1] + 2.2), ylim=(-0.6, 3.6))
    ax.axis("off")
    ax.set_title(
        "One cell, unrolled: the same $W_{ih}$, $W_{hh}$ at every step; "
        r"$\partial L / \partial W_{hh} = \sum_t$ (contribution of step $t$)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def plot_gradient_norms(
    norms: dict[str, dict[float, torch.Tensor]], title: str | None = None
):
    """Gradient norm against distance in time, one panel per nonlinearity.

    Args:
        norms: ``{nonlinearity: {radius: norms}}`` where ``norms[k]`` is the gradient
            norm ``k`` steps back (as returned by
            :func:`course_utils.inspection.gradient_norms_through_time`).
        title: a title over the panels.
    """
    if not norms:
        raise ValueError("plot_gradient_norms needs at least one nonlinearity")
    fig, axes = plt.subplots(
        1, len(norms), figsize=(4.2 * len(norms), 3.5), squeeze=False, sharey=True
    )
    for ax, (nonlinearity, curves) in zip(axes[0], norms.items()):
        colours = plt.cm.coolwarm(np.linspace(0, 1, len(curves)))
        for colour, (radius, values) in zip(colours, sorted(curves.items())):
            values = torch.as_tensor(values, dtype=torch.float64).clamp_min(1e-300)
            ax.semilogy(values.numpy(), color=colour, label=f"radius {radius:g}")
        ax.axhline(1.0, color="grey", lw=0.8, ls=":")
        ax.set(
            xlabel="steps back in time k",
            title=f"{nonlinearity}",
            ylim=(1e-12, 1e12),
        )
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel(r"gradient norm $\|\partial L/\partial h_{T-k}\|$")
    axes[0, -1].legend(fontsize=8, loc="lower left")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def character_responses(
    states: torch.Tensor, tokens: torch.Tensor, vocab_size: int
) -> torch.Tensor:
    """Mean activation of every hidden unit right after reading each character.

    Args:
        states: (N, L, H) hidden states, ``states[n, t]`` after reading ``tokens[n, t]``.
        tokens: (N, L) token ids; negative ids (padding) are skipped.
        vocab_size: number of token ids.

    Returns:
        (H, vocab_size): entry ``[u, c]`` is unit u's mean activation after character c
        (0 where a character never occurs).
    """
    require_dims(states, 3, "character_responses", "hidden states (N, L, H)")
    require_dims(tokens, 2, "character_responses", "token ids (N, L)")
    if states.shape[:2] != tokens.shape:
        raise ValueError(
            f"character_responses: states {tuple(states.shape)} and tokens "
            f"{tuple(tokens.shape)} differ in (N, L)"
        )
    keep = tokens >= 0
    flat_states, flat_tokens = states[keep].float(), tokens[keep]
    sums = torch.zeros(vocab_size, states.shape[2]).index_add_(
        0, flat_tokens, flat_states
    )
    counts = torch.bincount(flat_tokens, minlength=vocab_size).clamp_min(1)
    return (sums / counts[:, None]).T


def plot_hidden_states(
    states: torch.Tensor,
    text: str,
    units: int | None = None,
    title: str | None = None,
    order: list[int] | None = None,
    ylabel: str = "hidden unit",
):
    """Heat map of hidden units (rows) over the characters of one word (columns).

    Args:
        states: (L, H) states, one row per character of ``text``.
        text: the characters read (``len(text) == L``).
        units: show only the first ``units`` units (after ``order``).
        order: the units to show, top row first (e.g. sorted by what they respond
            to); the rows are labelled with the unit numbers. Default: 0 to H - 1.
        ylabel: label of the vertical axis.
    """
    require_dims(states, 2, "plot_hidden_states", "states (L, H)")
    if len(text) != states.shape[0]:
        raise ValueError(
            f"plot_hidden_states: {len(text)} characters but states of shape "
            f"{tuple(states.shape)}"
        )
    if order is not None:
        order = [int(u) for u in order]
        if not order or min(order) < 0 or max(order) >= states.shape[1]:
            raise ValueError(
                f"plot_hidden_states: order must list units in 0..{states.shape[1] - 1}, "
                f"got {order[:5]}{'...' if len(order) > 5 else ''}"
            )
        states = states[:, order]
    shown = states[:, :units] if units else states
    fig, ax = plt.subplots(
        figsize=(0.45 * len(text) + 2.0, 0.12 * shown.shape[1] + 1.5)
    )
    image = ax.imshow(
        shown.T.float().cpu().numpy(), cmap="coolwarm", vmin=-1, vmax=1, aspect="auto"
    )
    ax.set_xticks(range(len(text)), list(text))
    if order is not None and shown.shape[1] <= 40:
        ax.set_yticks(range(shown.shape[1]), [str(u) for u in order[: shown.shape[1]]])
    ax.set(xlabel="character just read", ylabel=ylabel, title=title or text)
    fig.colorbar(image, ax=ax, label="activation")
    fig.tight_layout()
    return fig


def plot_unit_responses(
    responses: torch.Tensor, chars: str, units: list[int], title: str | None = None
):
    """Bar charts of chosen units' mean activation after each character.

    Args:
        responses: (H, V) from :func:`character_responses`.
        chars: the V characters, in id order.
        units: which units to show, one panel each.
    """
    require_dims(responses, 2, "plot_unit_responses", "responses (H, V)")
    if responses.shape[1] != len(chars):
        raise ValueError(
            f"plot_unit_responses: {len(chars)} characters but responses of shape "
            f"{tuple(responses.shape)}"
        )
    fig, axes = plt.subplots(
        len(units), 1, figsize=(8, 1.5 * len(units) + 0.6), sharex=True, squeeze=False
    )
    for ax, unit in zip(axes[:, 0], units):
        values = responses[unit].cpu().numpy()
        ax.bar(
            range(len(chars)),
            values,
            color=np.where(values >= 0, "tab:red", "tab:blue"),
        )
        ax.set_ylabel(f"unit {unit}")
        ax.set_ylim(-1, 1)
        ax.grid(alpha=0.3, axis="y")
    axes[-1, 0].set_xticks(range(len(chars)), list(chars))
    axes[-1, 0].set_xlabel("character just read")
    fig.suptitle(title or "mean activation of each unit after each character")
    fig.tight_layout()
    return fig
