"""Recurrent cells (RNN, LSTM, GRU) written from scratch, one time step each.

Each cell takes the arguments of PyTorch's fused cell functions, with the weights of
``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell`` and PyTorch's gate order, and returns
the same numbers (the unit tests check this on many random shapes):

* :func:`rnn_cell`: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or ReLU);
* :func:`lstm_cell`: gates stacked as input, forget, cell candidate, output (i, f, g, o);
* :func:`gru_cell`: gates stacked as reset, update, candidate (r, z, n).

Like PyTorch's cells they accept a batch ``(N, input_size)`` or one unbatched vector
``(input_size,)``, and ``hx=None`` for a zero initial state. The layers that unroll
them along a sequence are in :mod:`course_utils.nn.rnn`.

Example:
    >>> import torch
    >>> cell = torch.nn.RNNCell(3, 5)
    >>> x, h = torch.randn(2, 3), torch.randn(2, 5)
    >>> mine = rnn_cell(x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    >>> torch.allclose(mine, cell(x, h), atol=1e-6)
    True
"""

from __future__ import annotations

import torch

from ..._validation import require_floating, require_tensor, shape_of

__all__ = ["rnn_cell", "lstm_cell", "gru_cell", "NONLINEARITIES"]

#: The nonlinearities a plain RNN cell may use (the ``nonlinearity`` of ``nn.RNNCell``).
NONLINEARITIES = ("tanh", "relu")


def _affine(x, weight, bias):
    """x @ weight.T (+ bias): the linear map every gate starts with."""
    out = x @ weight.T
    return out if bias is None else out + bias


# ----------------------------------------------------------------------------- cells


def rnn_cell(
    input: torch.Tensor,
    hx: torch.Tensor | None,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor | None = None,
    b_hh: torch.Tensor | None = None,
    nonlinearity: str = "tanh",
) -> torch.Tensor:
    """One step of an Elman RNN; agrees with ``nn.RNNCell`` given the same weights.

    ``h' = f(input @ w_ih.T + b_ih + hx @ w_hh.T + b_hh)`` with ``f`` tanh or ReLU.

    Args:
        input: (N, input_size) or (input_size,).
        hx: the previous hidden state (N, hidden_size) or (hidden_size,); None for zeros.
        w_ih: (hidden_size, input_size).
        w_hh: (hidden_size, hidden_size).
        b_ih, b_hh: optional (hidden_size,) biases.
        nonlinearity: ``"tanh"`` or ``"relu"``.

    Returns:
        The new hidden state, shaped like ``hx``.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> rnn_cell(torch.ones(3), None, torch.ones(2, 3), torch.eye(2), nonlinearity="relu")
        tensor([3., 3.])
    """
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(
            f"rnn_cell: unknown nonlinearity {nonlinearity!r}, expected one of {NONLINEARITIES}"
        )
    x, (h,), unbatched = _check_cell_arguments(
        "rnn_cell", input, [("hx", hx)], w_ih, w_hh, b_ih, b_hh, gates=1
    )
    pre_activation = _affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)
    h_new = (
        torch.tanh(pre_activation)
        if nonlinearity == "tanh"
        else torch.relu(pre_activation)
    )
    return h_new.squeeze(0) if unbatched else h_new


def lstm_cell(
    input: torch.Tensor,
    hx: tuple[torch.Tensor, torch.Tensor] | None,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor | None = None,
    b_hh: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of an LSTM; agrees with ``nn.LSTMCell`` given the same weights.

    The weights stack four blocks of ``hidden_size`` rows in PyTorch's order:
    input gate i, forget gate f, cell candidate g, output gate o::

        i, f, g, o = split(input @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
        h' = sigmoid(o) * tanh(c')

    Args:
        input: (N, input_size) or (input_size,).
        hx: the pair (h, c), each (N, hidden_size) or (hidden_size,); None for zeros.
        w_ih: (4 * hidden_size, input_size).
        w_hh: (4 * hidden_size, hidden_size).
        b_ih, b_hh: optional (4 * hidden_size,) biases.

    Returns:
        The pair (h', c').

    Out of scope: complex, integer and bool tensors; projections (``proj_size``).

    Example:
        >>> h, c = lstm_cell(torch.zeros(2, 3), None, torch.zeros(8, 3), torch.zeros(8, 2))
        >>> h.shape, c.shape
        (torch.Size([2, 2]), torch.Size([2, 2]))
    """
    if hx is None:
        hx = (None, None)
    elif not (isinstance(hx, (tuple, list)) and len(hx) == 2):
        raise TypeError(
            f"lstm_cell: hx must be a pair (h, c) or None, got {type(hx).__name__}"
        )
    x, (h, c), unbatched = _check_cell_arguments(
        "lstm_cell",
        input,
        [("h", hx[0]), ("c", hx[1])],
        w_ih,
        w_hh,
        b_ih,
        b_hh,
        gates=4,
    )
    gates = _affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_new = torch.sigmoid(o) * torch.tanh(c_new)
    if unbatched:
        return h_new.squeeze(0), c_new.squeeze(0)
    return h_new, c_new


def gru_cell(
    input: torch.Tensor,
    hx: torch.Tensor | None,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor | None = None,
    b_hh: torch.Tensor | None = None,
) -> torch.Tensor:
    """One step of a GRU; agrees with ``nn.GRUCell`` given the same weights.

    The weights stack three blocks in PyTorch's order: reset gate r, update gate z,
    candidate n. As in PyTorch, the reset gate multiplies the *hidden* part of the
    candidate after its bias has been added::

        r = sigmoid(x W_ir + b_ir + h W_hr + b_hr)
        z = sigmoid(x W_iz + b_iz + h W_hz + b_hz)
        n = tanh(x W_in + b_in + r * (h W_hn + b_hn))
        h' = (1 - z) * n + z * h

    Args:
        input: (N, input_size) or (input_size,).
        hx: (N, hidden_size) or (hidden_size,); None for zeros.
        w_ih: (3 * hidden_size, input_size).
        w_hh: (3 * hidden_size, hidden_size).
        b_ih, b_hh: optional (3 * hidden_size,) biases.

    Out of scope: complex, integer and bool tensors.

    Example:
        >>> gru_cell(torch.zeros(3), torch.ones(2), torch.zeros(6, 3), torch.zeros(6, 2))
        tensor([0.5000, 0.5000])
    """
    x, (h,), unbatched = _check_cell_arguments(
        "gru_cell", input, [("hx", hx)], w_ih, w_hh, b_ih, b_hh, gates=3
    )
    x_r, x_z, x_n = _affine(x, w_ih, b_ih).chunk(3, dim=1)
    h_r, h_z, h_n = _affine(h, w_hh, b_hh).chunk(3, dim=1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    h_new = (1 - z) * n + z * h
    return h_new.squeeze(0) if unbatched else h_new


# ----------------------------------------------------------------------------- checks


def _check_cell_arguments(fn, input, states, w_ih, w_hh, b_ih, b_hh, gates):
    """Check a cell's arguments; return them batched (2-D) and whether a batch was added.

    ``states`` is a list of (name, tensor or None); ``gates`` is how many blocks of
    ``hidden_size`` rows the weights stack (1 for RNN, 4 for LSTM, 3 for GRU).
    """
    require_floating(input, fn)
    if input.dim() not in (1, 2):
        raise ValueError(
            f"{fn}: expected input of shape (N, input_size) or (input_size,), "
            f"got {input.dim()}-D input of shape {tuple(input.shape)}"
        )
    for name, weight in (("w_ih", w_ih), ("w_hh", w_hh)):
        require_tensor(weight, fn, name)
        if weight.dim() != 2:
            raise ValueError(
                f"{fn}: expected {name} to be a matrix ({gates} * hidden_size, ...), "
                f"got {shape_of(weight)}"
            )
    rows = w_hh.shape[0]
    if rows % gates != 0 or rows == 0:
        raise ValueError(
            f"{fn}: w_hh must have {gates} * hidden_size rows, got shape {tuple(w_hh.shape)}"
        )
    hidden_size = rows // gates
    if w_hh.shape != (gates * hidden_size, hidden_size):
        raise ValueError(
            f"{fn}: expected w_hh of shape ({gates} * hidden_size, hidden_size) = "
            f"({gates * hidden_size}, {hidden_size}), got {tuple(w_hh.shape)}"
        )
    if w_ih.shape != (gates * hidden_size, input.shape[-1]):
        raise ValueError(
            f"{fn}: expected w_ih of shape ({gates * hidden_size}, {input.shape[-1]}) "
            f"for input of shape {tuple(input.shape)} and hidden_size {hidden_size}, "
            f"got {tuple(w_ih.shape)}"
        )
    for name, bias in (("b_ih", b_ih), ("b_hh", b_hh)):
        if bias is not None and require_tensor(bias, fn, name).shape != (
            gates * hidden_size,
        ):
            raise ValueError(
                f"{fn}: expected {name} of shape ({gates * hidden_size},), got {shape_of(bias)}"
            )
    for name, tensor in [
        ("w_ih", w_ih),
        ("w_hh", w_hh),
        ("b_ih", b_ih),
        ("b_hh", b_hh),
    ]:
        if tensor is not None and tensor.dtype != input.dtype:
            raise TypeError(
                f"{fn}: input has dtype {input.dtype} but {name} has dtype {tensor.dtype}"
            )

    unbatched = input.dim() == 1
    x = input.unsqueeze(0) if unbatched else input
    expected = (hidden_size,) if unbatched else (x.shape[0], hidden_size)
    checked = []
    for name, state in states:
        if state is None:
            state = x.new_zeros(x.shape[0], hidden_size)
        elif not isinstance(state, torch.Tensor) or state.shape != expected:
            raise ValueError(
                f"{fn}: expected {name} of shape {expected} for input of shape "
                f"{tuple(input.shape)} and hidden_size {hidden_size}, got {shape_of(state)}"
            )
        elif state.dtype != input.dtype:
            raise TypeError(
                f"{fn}: input has dtype {input.dtype} but {name} has dtype {state.dtype}"
            )
        else:
            state = state.unsqueeze(0) if unbatched else state
        checked.append(state)
    return x, checked, unbatched
