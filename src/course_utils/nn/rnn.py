"""Recurrent cells (RNN, LSTM, GRU) written from scratch, and layers that unroll them.

Each cell takes the arguments of PyTorch's fused cell functions, with the weights of
``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell`` and PyTorch's gate order, and returns
the same numbers (the unit tests check this on many random shapes):

* :func:`rnn_cell`: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or ReLU);
* :func:`lstm_cell`: gates stacked as input, forget, cell candidate, output (i, f, g, o);
* :func:`gru_cell`: gates stacked as reset, update, candidate (r, z, n).

Like PyTorch's cells they accept a batch ``(N, input_size)`` or one unbatched vector
``(input_size,)``, and ``hx=None`` for a zero initial state.

:class:`UnrolledRNN`, :class:`UnrolledLSTM` and :class:`UnrolledGRU` apply a cell step
by step along a sequence, with the parameter names of one-layer ``nn.RNN`` /
``nn.LSTM`` / ``nn.GRU`` so that their ``state_dict`` can be copied across.
:func:`gradient_norms_through_time` measures how a gradient shrinks or grows as it
flows back through the steps of a plain RNN.

Example:
    >>> import torch
    >>> cell = torch.nn.RNNCell(3, 5)
    >>> x, h = torch.randn(2, 3), torch.randn(2, 5)
    >>> mine = rnn_cell(x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    >>> torch.allclose(mine, cell(x, h), atol=1e-6)
    True
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._validate import shape_of

__all__ = [
    "rnn_cell",
    "lstm_cell",
    "gru_cell",
    "UnrolledRNN",
    "UnrolledLSTM",
    "UnrolledGRU",
    "NONLINEARITIES",
    "gradient_norms_through_time",
]

#: The nonlinearities a plain RNN cell may use (the ``nonlinearity`` of ``nn.RNNCell``).
NONLINEARITIES = ("tanh", "relu")


# ----------------------------------------------------------------------------- checks


def _check_cell_arguments(fn, input, states, w_ih, w_hh, b_ih, b_hh, gates):
    """Check a cell's arguments; return them batched (2-D) and whether a batch was added.

    ``states`` is a list of (name, tensor or None); ``gates`` is how many blocks of
    ``hidden_size`` rows the weights stack (1 for RNN, 4 for LSTM, 3 for GRU).
    """
    if not isinstance(input, torch.Tensor):
        raise TypeError(
            f"{fn}: input must be a torch.Tensor, got {type(input).__name__}"
        )
    if input.dim() not in (1, 2):
        raise ValueError(
            f"{fn}: expected input of shape (N, input_size) or (input_size,), "
            f"got {input.dim()}-D input of shape {tuple(input.shape)}"
        )
    if not input.is_floating_point():
        raise TypeError(
            f"{fn}: input must be a floating-point tensor, got dtype {input.dtype}"
        )
    for name, weight in (("w_ih", w_ih), ("w_hh", w_hh)):
        if not isinstance(weight, torch.Tensor) or weight.dim() != 2:
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
        if bias is not None and (
            not isinstance(bias, torch.Tensor) or bias.shape != (gates * hidden_size,)
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


# ----------------------------------------------------------------------------- layers


class _Unrolled(nn.Module):
    """A one-layer recurrent network that applies a cell step by step (the shared part)."""

    gates = 1
    name = "UnrolledRNN"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        batch_first: bool = False,
    ) -> None:
        super().__init__()
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(
                    f"{self.name}: {arg} must be a positive int, got {value!r}"
                )
        self.input_size, self.hidden_size = input_size, hidden_size
        self.batch_first = batch_first
        rows = self.gates * hidden_size
        # The names of nn.RNN / nn.LSTM / nn.GRU's first layer: state_dicts copy across.
        self.weight_ih_l0 = nn.Parameter(torch.empty(rows, input_size))
        self.weight_hh_l0 = nn.Parameter(torch.empty(rows, hidden_size))
        if bias:
            self.bias_ih_l0 = nn.Parameter(torch.empty(rows))
            self.bias_hh_l0 = nn.Parameter(torch.empty(rows))
        else:
            self.register_parameter("bias_ih_l0", None)
            self.register_parameter("bias_hh_l0", None)
        bound = 1 / math.sqrt(hidden_size)  # PyTorch's initialisation
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)

    def _weights(self):
        return self.weight_ih_l0, self.weight_hh_l0, self.bias_ih_l0, self.bias_hh_l0

    def _sequence(self, input: torch.Tensor) -> tuple[torch.Tensor, bool]:
        """Check the input; return it as (L, N, input_size) and whether it was unbatched."""
        if not isinstance(input, torch.Tensor) or input.dim() not in (2, 3):
            layout = "(N, L, input_size)" if self.batch_first else "(L, N, input_size)"
            raise ValueError(
                f"{self.name}: expected input of shape {layout} or (L, input_size), "
                f"got {shape_of(input)}"
            )
        if input.shape[-1] != self.input_size:
            raise ValueError(
                f"{self.name}: expected input_size {self.input_size} in the last "
                f"dimension, got input of shape {tuple(input.shape)}"
            )
        if input.dim() == 2:
            return input.unsqueeze(1), True
        return (input.transpose(0, 1) if self.batch_first else input), False

    def _state(self, hx, batch: int, unbatched: bool, like: torch.Tensor, what: str):
        """An initial state of shape (1, N, H) (or (1, H) unbatched) -> (N, H)."""
        expected = (1, self.hidden_size) if unbatched else (1, batch, self.hidden_size)
        if hx is None:
            return like.new_zeros(batch, self.hidden_size)
        if not isinstance(hx, torch.Tensor) or hx.shape != expected:
            raise ValueError(
                f"{self.name}: expected {what} of shape {expected}, got {shape_of(hx)}"
            )
        return hx.reshape(batch, self.hidden_size)

    def _output(self, outputs: list[torch.Tensor], unbatched: bool) -> torch.Tensor:
        out = torch.stack(outputs)  # (L, N, H)
        if unbatched:
            return out.squeeze(1)
        return out.transpose(0, 1) if self.batch_first else out

    @staticmethod
    def _final(state: torch.Tensor, unbatched: bool) -> torch.Tensor:
        return state.unsqueeze(0)  # (1, N, H), or (1, H) when state is (H,)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, batch_first={self.batch_first}"


class UnrolledRNN(_Unrolled):
    """A one-layer Elman RNN that loops :func:`rnn_cell` over time; agrees with ``nn.RNN``.

    ``forward(input, hx=None)`` returns ``(output, h_n)`` exactly like ``nn.RNN`` with
    ``num_layers=1``: ``output`` holds the hidden state of every step.

    Example:
        >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
        <torch._C.Generator object at ...>
        >>> ours, theirs = UnrolledRNN(3, 4), torch.nn.RNN(3, 4)
        >>> _ = theirs.load_state_dict(ours.state_dict())
        >>> x = torch.randn(5, 2, 3)
        >>> torch.allclose(ours(x)[0], theirs(x)[0], atol=1e-6)
        True
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
    ) -> None:
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(
                f"UnrolledRNN: unknown nonlinearity {nonlinearity!r}, expected one of "
                f"{NONLINEARITIES}"
            )
        super().__init__(input_size, hidden_size, bias, batch_first)
        self.nonlinearity = nonlinearity

    def forward(self, input: torch.Tensor, hx: torch.Tensor | None = None):
        x, unbatched = self._sequence(input)
        h = self._state(hx, x.shape[1], unbatched, x, "hx")
        outputs = []
        for x_t in x:  # one time step at a time
            h = rnn_cell(x_t, h, *self._weights(), nonlinearity=self.nonlinearity)
            outputs.append(h)
        h_n = outputs[-1].squeeze(0) if unbatched else outputs[-1]
        return self._output(outputs, unbatched), h_n.unsqueeze(0)


class UnrolledGRU(_Unrolled):
    """A one-layer GRU that loops :func:`gru_cell` over time; agrees with ``nn.GRU``.

    Example:
        >>> gru = UnrolledGRU(3, 4, batch_first=True)
        >>> output, h_n = gru(torch.randn(2, 5, 3))
        >>> output.shape, h_n.shape
        (torch.Size([2, 5, 4]), torch.Size([1, 2, 4]))
    """

    gates = 3
    name = "UnrolledGRU"

    def forward(self, input: torch.Tensor, hx: torch.Tensor | None = None):
        x, unbatched = self._sequence(input)
        h = self._state(hx, x.shape[1], unbatched, x, "hx")
        outputs = []
        for x_t in x:
            h = gru_cell(x_t, h, *self._weights())
            outputs.append(h)
        h_n = outputs[-1].squeeze(0) if unbatched else outputs[-1]
        return self._output(outputs, unbatched), h_n.unsqueeze(0)


class UnrolledLSTM(_Unrolled):
    """A one-layer LSTM that loops :func:`lstm_cell` over time; agrees with ``nn.LSTM``.

    ``forward(input, hx=None)`` returns ``(output, (h_n, c_n))`` like ``nn.LSTM``.

    Example:
        >>> lstm = UnrolledLSTM(3, 4)
        >>> output, (h_n, c_n) = lstm(torch.randn(5, 2, 3))
        >>> output.shape, c_n.shape
        (torch.Size([5, 2, 4]), torch.Size([1, 2, 4]))
    """

    gates = 4
    name = "UnrolledLSTM"

    def forward(self, input: torch.Tensor, hx=None):
        x, unbatched = self._sequence(input)
        if hx is None:
            hx = (None, None)
        elif not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(
                f"UnrolledLSTM: hx must be a pair (h_0, c_0) or None, got {type(hx).__name__}"
            )
        h = self._state(hx[0], x.shape[1], unbatched, x, "h_0")
        c = self._state(hx[1], x.shape[1], unbatched, x, "c_0")
        outputs = []
        for x_t in x:
            h, c = lstm_cell(x_t, (h, c), *self._weights())
            outputs.append(h)
        if unbatched:
            h, c = h.squeeze(0), c.squeeze(0)
        return self._output(outputs, unbatched), (h.unsqueeze(0), c.unsqueeze(0))


# ----------------------------------------------------------------------------- gradients


def gradient_norms_through_time(
    radius: float,
    nonlinearity: str = "tanh",
    length: int = 50,
    hidden_size: int = 32,
    input_scale: float = 1.0,
    seed: int = 0,
) -> torch.Tensor:
    """How large the gradient of the last hidden state is at every earlier step.

    Runs a random plain RNN ``h_t = f(W h_{t-1} + x_t)`` whose recurrent matrix ``W``
    has spectral radius ``radius`` (its largest absolute eigenvalue) over ``length``
    steps of random input, backpropagates a random unit vector from the last state
    ``h_T``, and returns ``||dL/dh_{T-k}||`` for ``k = 0, 1, ..., T``: entry ``k`` is
    the gradient norm ``k`` steps back in time (entry 0 is 1). Computed in float64
    so that exploding values do not overflow.

    Args:
        radius: spectral radius of the recurrent matrix (> 0).
        nonlinearity: ``"tanh"``, ``"relu"`` or ``"linear"`` (no nonlinearity).
        length: number of time steps T.
        hidden_size: size of the hidden state.
        input_scale: standard deviation of the random inputs.
        seed: seeds the matrix, the inputs and the direction.

    Example:
        >>> norms = gradient_norms_through_time(0.5, "linear", length=10)
        >>> norms.shape, round(float(norms[0]), 6), bool(norms[10] < 1e-2)
        (torch.Size([11]), 1.0, True)
    """
    kinds = (*NONLINEARITIES, "linear")
    if nonlinearity not in kinds:
        raise ValueError(
            f"unknown nonlinearity {nonlinearity!r}, expected one of {kinds}"
        )
    if not (isinstance(radius, (int, float)) and radius > 0):
        raise ValueError(f"radius must be a number > 0, got {radius!r}")
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise ValueError(f"length must be a positive int, got {length!r}")
    generator = torch.Generator().manual_seed(seed)
    options = {"generator": generator, "dtype": torch.float64}
    matrix = torch.randn(hidden_size, hidden_size, **options) / math.sqrt(hidden_size)
    w_hh = radius * matrix / torch.linalg.eigvals(matrix).abs().max()
    inputs = input_scale * torch.randn(length, hidden_size, **options)
    direction = torch.randn(hidden_size, **options)
    activation = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda v: v}[
        nonlinearity
    ]
    with torch.enable_grad():
        h = torch.zeros(hidden_size, dtype=torch.float64, requires_grad=True)
        states = [h]
        for x_t in inputs:  # the unrolled graph: h_0 -> h_1 -> ... -> h_T
            h = activation(w_hh @ h + x_t)
            h.retain_grad()  # keep dL/dh_t, not only the gradients of leaves
            states.append(h)
        loss = h @ (direction / direction.norm())
        loss.backward()
    return torch.stack([state.grad.norm() for state in reversed(states)])
