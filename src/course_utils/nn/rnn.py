"""Recurrent layers that apply a from-scratch cell step by step along a sequence.

:class:`UnrolledRNN`, :class:`UnrolledLSTM` and :class:`UnrolledGRU` loop the cells of
:mod:`course_utils.nn.functional` over time, with the parameter names of one-layer
``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``, so their ``state_dict`` copies across and the
two give the same outputs (the unit tests check this).

Example:
    >>> import torch
    >>> ours = UnrolledGRU(3, 8, batch_first=True)
    >>> theirs = torch.nn.GRU(3, 8, batch_first=True)
    >>> _ = theirs.load_state_dict(ours.state_dict())
    >>> x = torch.randn(2, 5, 3)
    >>> torch.allclose(ours(x)[0], theirs(x)[0], atol=1e-6)
    True
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._validation import shape_of
from .functional.recurrent import NONLINEARITIES, gru_cell, lstm_cell, rnn_cell

__all__ = ["UnrolledRNN", "UnrolledLSTM", "UnrolledGRU"]

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
