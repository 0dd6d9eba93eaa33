"""Draw the computational graph that :class:`course_utils.autograd.Value` records.

Inputs on the left, the output on the right; each box shows the operation, the
value (``data``) and, once ``backward()`` has run, the gradient of leaves.
Columns are the longest distance from an input, so every arrow points right.

Example:
    >>> from course_utils.autograd import Value
    >>> a, b = Value(2.0, requires_grad=True), Value(-3.0, requires_grad=True)
    >>> fig = plot_graph((a * b).tanh(), names={"a": a, "b": b})
    >>> len(fig.axes[0].patches)  # four boxes: a, b, a*b, tanh
    4
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from ..autograd import Value

__all__ = ["plot_graph"]


def plot_graph(
    output: Value,
    names: dict[str, Value] | None = None,
    grads: dict[int, float] | None = None,
    title: str | None = None,
):
    """Plot the graph that produced ``output``; returns the figure.

    Args:
        output: the final value.
        names: optional labels for some values, e.g. ``{"w": w, "x": x}``.
        grads: optional ``{id(node): d output / d node}`` to print in every box
            (``.grad`` is shown for leaves anyway).
        title: a title above the graph.
    """
    if not hasattr(output, "topological_order"):  # a Value, or a class written like it
        raise TypeError(
            f"plot_graph: output must be a Value, got {type(output).__name__}"
        )
    labels = {id(v): k for k, v in (names or {}).items()}
    order = output.topological_order()
    column: dict[int, int] = {}
    for node in order:  # parents come first, so their columns are known
        column[id(node)] = 1 + max((column[id(p)] for p in node._parents), default=-1)
    for node in order:  # move each input next to the first operation that uses it
        for parent in node._parents:
            if not parent._parents:
                column[id(parent)] = max(column[id(parent)], column[id(node)] - 1)
    for node in order:  # ... but never at or after a user of it
        for parent in node._parents:
            column[id(parent)] = min(column[id(parent)], column[id(node)] - 1)
    rows: dict[int, int] = {}
    position = {}
    for node in sorted(order, key=lambda n: column[id(n)]):
        c = column[id(node)]
        position[id(node)] = (c, rows.get(c, 0))
        rows[c] = rows.get(c, 0) + 1
    width = max(column.values()) + 1
    height = max(rows.values())
    fig, ax = plt.subplots(figsize=(1.9 * width + 0.6, 1.0 * height + 0.8))
    for node in order:
        x, y = position[id(node)]
        for parent in node._parents:
            px, py = position[id(parent)]
            ax.annotate(
                "",
                xy=(x - 0.38, -y),
                xytext=(px + 0.38, -py),
                arrowprops={"arrowstyle": "->", "color": "0.45", "lw": 1},
            )
        name = labels.get(
            id(node), node.op or ("input" if node.requires_grad else "constant")
        )
        text = f"{name}\ndata {node.data:.3g}"
        grad = (grads or {}).get(id(node), node.grad)
        if grad is not None:
            text += f"\ngrad {grad:.3g}"
        leaf = not node._parents
        ax.add_patch(
            FancyBboxPatch(
                (x - 0.38, -y - 0.3),
                0.76,
                0.6,
                boxstyle="round,pad=0.02",
                facecolor="#dbe9f6" if leaf else "#fdebd0",
                edgecolor="0.3",
            )
        )
        ax.text(x, -y, text, ha="center", va="center", fontsize=8)
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-height + 0.4, 0.6)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
