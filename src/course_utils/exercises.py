"""Exercise checkers: run a student's function on many cases, compare with a reference, explain.

A checker prints one line when everything matches, or the first case that does
not, with what was expected and what came back. It returns a :class:`CheckResult`
(truthy when passed) and never raises because of the student's code, so a
half-written exercise cell still runs; pass ``strict=True`` to raise instead
(solutions use that, so CI proves they pass).

Example:
    >>> import torch
    >>> result = check_function(torch.relu, lambda x: x.clamp_min(0),
    ...                         [{"x": torch.randn(3)}], name="relu", verbose=False)
    >>> result.passed
    True
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

__all__ = [
    "CheckResult",
    "check_warmup_cosine",
    "check_ring_all_reduce",
    "check_fake_quantize_symmetric",
    "check_function",
    "check_conv2d",
    "check_max_pool2d",
    "check_receptive_field",
    "check_confusion_matrix",
    "ExerciseFailed",
    # recurrent networks
    "check_rnn_sequence",
    "check_softmax_with_temperature",
    "check_lstm_cell",
    "check_gru_cell",
    "check_last_states",
    # Foundations chapter
    "check_activation_derivative",
    "check_linear_backward",
    "check_broadcast_shape",
    "check_value_sigmoid",
    "check_layer_norm",
    "early_stopping",
    "check_early_stopping",
    # Optimizers chapter
    "check_adam",
    "check_sgd_momentum",
    "momentum_lr_limit",
    "check_momentum_lr_limit",
    "warmup_cosine_factors",
    "check_llm_warmup_cosine",
    "check_attention",
    # history chapter
    "perceptron_epoch",
    "check_perceptron_epoch",
    "next_token_pairs",
    "check_next_token_pairs",
    "check_gpt_parameters",
    "check_compute_optimal",
    # Attention chapter
    "check_multi_head_attention",
    "check_causal_mask",
    "check_cached_attention",
    "check_mean_pooling",
    # Large models in practice
    "check_merge_pair",
    "check_top_p_filter",
    "check_lora_forward",
    # Applications chapter
    "check_values",
    "check_recall_at_k",
    "check_ndcg_at_k",
    "check_char_ngrams",
    "check_fgsm",
    "check_frame_signal",
    "check_hz_to_mel",
    "check_weat_effect_size",
]


class ExerciseFailed(AssertionError):
    """Raised by a checker in strict mode when the function does not match the reference."""


@dataclass
class CheckResult:
    """Outcome of a check: passed or not, how many cases ran, and what to tell the student."""

    name: str
    passed: bool
    cases: int
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message


def _describe(kwargs: dict) -> str:
    parts = []
    for key, value in kwargs.items():
        if isinstance(value, torch.Tensor):
            shown = f"tensor{tuple(value.shape)}"
        elif isinstance(value, tuple) and all(
            isinstance(v, torch.Tensor) for v in value
        ):
            shown = "(" + ", ".join(f"tensor{tuple(v.shape)}" for v in value) + ")"
        else:
            shown = repr(value)
        parts.append(f"{key}={shown}")
    return ", ".join(parts)


def _compare(got, expected, atol: float, rtol: float) -> str | None:
    """None if ``got`` matches ``expected``, else why not."""
    if not isinstance(got, torch.Tensor):
        return f"expected a tensor, got {type(got).__name__} ({got!r:.60})"
    if got.shape != expected.shape:
        return f"expected shape {tuple(expected.shape)}, got shape {tuple(got.shape)}"
    got = got.detach().to(expected.dtype)
    if not torch.allclose(got, expected, atol=atol, rtol=rtol):
        worst = (got - expected).abs().max().item()
        return f"values differ from the reference (largest difference {worst:.3g})"
    return None


def check_function(
    candidate: Callable,
    reference: Callable,
    cases: list[dict],
    name: str = "your function",
    atol: float = 1e-4,
    rtol: float = 1e-4,
    strict: bool = False,
    verbose: bool = True,
) -> CheckResult:
    """Call ``candidate(**case)`` and ``reference(**case)`` for every case and compare.

    Args:
        candidate: the student's function.
        reference: the correct implementation.
        cases: keyword arguments for each call.
        name: what to call the function in messages.
        atol, rtol: tolerances of ``torch.allclose``.
        strict: raise :class:`ExerciseFailed` on failure instead of only reporting.
        verbose: print the message.
    """
    message = _first_problem(
        candidate,
        reference,
        cases,
        name,
        compare=lambda got, expected: _compare(got, expected, atol, rtol),
        describe=_describe,
        who="check_function",
    )
    return _report(name, len(cases), message, strict, verbose)


def _first_problem(
    candidate: Callable,
    reference: Callable,
    cases: list[dict],
    name: str,
    compare: Callable,
    describe: Callable[[dict], str],
    who: str,
) -> str | None:
    """Run every case through both functions; the message of the first mismatch, or None."""
    if not callable(candidate):
        raise TypeError(f"expected a function to check, got {type(candidate).__name__}")
    if not cases:
        raise ValueError(f"{who} needs at least one case")
    for number, case in enumerate(cases, start=1):
        expected = reference(**case)
        try:
            got = candidate(**case)
        except NotImplementedError:
            return f"{name}: not written yet (it raised NotImplementedError). Fill in its body."
        except Exception as error:  # the student's bug, reported rather than raised
            return (
                f"{name} failed on case {number} of {len(cases)} ({describe(case)}): "
                f"{type(error).__name__}: {error}"
            )
        problem = compare(got, expected)
        if problem:
            return f"{name} is wrong on case {number} of {len(cases)} ({describe(case)}): {problem}"
    return None


def _report(
    name: str, cases: int, message: str | None, strict: bool, verbose: bool
) -> CheckResult:
    """The result of a check: printed when ``verbose``, raised when ``strict`` and failed."""
    passed = message is None
    if passed:
        message = f"{name}: all {cases} cases match the reference. Well done!"
    result = CheckResult(
        name, passed, cases, ("PASS " if passed else "NOT YET ") + message
    )
    if verbose:
        print(result.message)
    if strict and not passed:
        raise ExerciseFailed(result.message)
    return result


def _conv_cases(include_stride: bool) -> list[dict]:
    generator = torch.Generator().manual_seed(0)
    strides = [1, 2] if include_stride else [1]
    cases = []
    for stride, padding, kernel, size in itertools.product(
        strides, [0, 1, 2], [1, 3], [(5, 5), (7, 6)]
    ):
        case = {
            "input": torch.randn(2, 2, *size, generator=generator),
            "weight": torch.randn(3, 2, kernel, kernel, generator=generator),
            "padding": padding,
        }
        if include_stride:
            case["stride"] = stride
        cases.append(case)
    return cases


def check_conv2d(
    candidate: Callable, strict: bool = False, stride: bool = False
) -> CheckResult:
    """Check a student's ``conv2d(input, weight, padding=...)`` (and ``stride=`` if asked).

    The reference is ``torch.nn.functional.conv2d``, on 12 to 24 random cases.
    """
    cases = _conv_cases(include_stride=stride)
    return check_function(candidate, F.conv2d, cases, name="conv2d", strict=strict)


def check_max_pool2d(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check a student's ``max_pool2d(input, kernel_size, stride=None)`` against PyTorch's."""
    generator = torch.Generator().manual_seed(1)
    cases = [
        {
            "input": torch.randn(2, 3, h, w, generator=generator),
            "kernel_size": k,
            "stride": s,
        }
        for (h, w), k, s in itertools.product([(8, 8), (9, 7)], [2, 3], [None, 1, 2])
    ]
    return check_function(
        candidate, F.max_pool2d, cases, name="max_pool2d", strict=strict
    )


def _receptive_field_cases() -> list[dict]:
    """12 stacks of 1 to 4 layers, as lists of (kernel, stride, dilation)."""
    generator = torch.Generator().manual_seed(2)

    def pick(options):
        return options[int(torch.randint(len(options), (1,), generator=generator))]

    cases = [{"layers": [(3, 1, 1)]}, {"layers": [(2, 2, 1), (3, 1, 1)]}]
    while len(cases) < 12:
        depth = pick([2, 3, 4])
        layers = [
            (pick([1, 2, 3, 5]), pick([1, 2]), pick([1, 1, 2])) for _ in range(depth)
        ]
        cases.append({"layers": layers})
    return cases


def _reference_receptive_field(layers) -> torch.Tensor:
    """The field of the last layer, from ``course_utils.inspection.receptive_field`` on real layers."""
    from torch import nn

    from .inspection import receptive_field

    stack = nn.Sequential(
        *(nn.Conv2d(1, 1, k, stride=s, dilation=d) for k, s, d in layers)
    )
    return torch.tensor(float(receptive_field(stack, (1, 1, 256, 256))[-1].size[0]))


def check_receptive_field(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``receptive_field(layers) -> int``: the field of a stack of (kernel, stride, dilation) layers.

    The reference builds the stack from ``nn.Conv2d`` layers and measures it with
    :func:`course_utils.inspection.receptive_field`, on 12 stacks.

    Example:
        >>> def field(layers):
        ...     size, jump = 1, 1
        ...     for k, s, d in layers:
        ...         size, jump = size + d * (k - 1) * jump, jump * s
        ...     return size
        >>> check_receptive_field(field).passed
        PASS receptive_field: all 12 cases match the reference. Well done!
        True
    """
    if not callable(candidate):
        raise TypeError(f"expected a function to check, got {type(candidate).__name__}")

    def as_tensor(layers):
        size = candidate(layers)
        if isinstance(size, bool) or not isinstance(size, (int, float, torch.Tensor)):
            raise TypeError(
                f"expected a number, got {type(size).__name__} {size!r:.40}"
            )
        return torch.as_tensor(size, dtype=torch.float32).reshape(())

    return check_function(
        as_tensor,
        _reference_receptive_field,
        _receptive_field_cases(),
        name="receptive_field",
        strict=strict,
    )


def check_confusion_matrix(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``confusion_matrix(y_true, y_pred, num_classes)`` against the course's.

    12 cases with 2 to 10 classes, some classes never true or never predicted,
    and labels in any order. Counts must match exactly, rows true, columns predicted.

    Example:
        >>> from course_utils.metrics import confusion_matrix
        >>> check_confusion_matrix(confusion_matrix).passed
        PASS confusion_matrix: all 12 cases match the reference. Well done!
        True
    """
    from .metrics import confusion_matrix

    generator = torch.Generator().manual_seed(3)
    cases = []
    for classes, n in itertools.product([2, 3, 10], [1, 7, 40, 200]):
        y_true = torch.randint(0, classes, (n,), generator=generator)
        noise = torch.randint(0, classes, (n,), generator=generator)
        keep = torch.rand(n, generator=generator) < 0.6
        cases.append(
            {
                "y_true": y_true,
                "y_pred": torch.where(keep, y_true, noise),
                "num_classes": classes,
            }
        )
    return check_function(
        candidate,
        confusion_matrix,
        cases,
        name="confusion_matrix",
        atol=0,
        rtol=0,
        strict=strict,
    )


# ----------------------------------------------------------------------------- recurrent networks


def _torch_rnn_sequence(input, h0, w_ih, w_hh, b_ih, b_hh):
    """Reference for :func:`check_rnn_sequence`: ``nn.RNN`` loaded with the given weights."""
    layer = torch.nn.RNN(w_ih.shape[1], w_hh.shape[0], dtype=input.dtype)
    with torch.no_grad():
        for name, value in zip(
            ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
            (w_ih, w_hh, b_ih, b_hh),
        ):
            getattr(layer, name).copy_(value)
        output, _ = layer(input, h0[None])
    return output


def check_rnn_sequence(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``rnn_sequence(input, h0, w_ih, w_hh, b_ih, b_hh)`` against ``nn.RNN``.

    The function unrolls a tanh RNN over ``input`` of shape (L, N, input_size) from
    the initial state ``h0`` (N, hidden_size) and returns every hidden state,
    (L, N, hidden_size). 12 random cases, sequences of length 1 to 9.
    """
    generator = torch.Generator().manual_seed(2)
    cases = []
    shapes = itertools.product([1, 4, 9], [1, 3], [2, 5])  # length, batch, input size
    for number, (length, batch, inputs) in enumerate(shapes):
        hidden = 4 if number % 3 == 0 else 3
        scale = 1 / hidden**0.5
        cases.append(
            {
                "input": torch.randn(length, batch, inputs, generator=generator),
                "h0": torch.randn(batch, hidden, generator=generator),
                "w_ih": scale * torch.randn(hidden, inputs, generator=generator),
                "w_hh": scale * torch.randn(hidden, hidden, generator=generator),
                "b_ih": scale * torch.randn(hidden, generator=generator),
                "b_hh": scale * torch.randn(hidden, generator=generator),
            }
        )
    return check_function(
        candidate, _torch_rnn_sequence, cases, name="rnn_sequence", strict=strict
    )


def check_softmax_with_temperature(
    candidate: Callable, strict: bool = False
) -> CheckResult:
    """Check ``softmax_with_temperature(logits, temperature)`` against PyTorch.

    The reference is ``F.softmax(logits / temperature, dim=-1)``. The cases include
    large logits and low temperatures, where exponentiating without first subtracting
    the maximum overflows to ``inf`` and gives ``nan``.
    """
    generator = torch.Generator().manual_seed(3)
    cases = [
        {"logits": scale * torch.randn(*shape, generator=generator), "temperature": t}
        for shape, scale, t in itertools.product(
            [(27,), (4, 27)], [1.0, 30.0], [0.05, 0.5, 1.0, 2.0]
        )
    ]
    return check_function(
        candidate,
        lambda logits, temperature: F.softmax(logits / temperature, dim=-1),
        cases,
        name="softmax_with_temperature",
        strict=strict,
    )


def _gated_cell_cases(gates: int, seed: int) -> list[dict]:
    """12 cases for a gated cell: batch 1 to 5, input 1 to 6, hidden 1 to 5, with and
    without biases (``None``), weights large enough to reach saturation."""
    generator = torch.Generator().manual_seed(seed)
    cases = []
    for number, (batch, inputs, hidden) in enumerate(
        itertools.product([1, 5], [1, 6], [1, 3, 5])
    ):

        def randn(*shape):
            return 1.5 * torch.randn(*shape, generator=generator)

        with_bias = number % 4 != 3
        cases.append(
            {
                "input": randn(batch, inputs),
                "hx": randn(batch, hidden),
                "w_ih": randn(gates * hidden, inputs),
                "w_hh": randn(gates * hidden, hidden),
                "b_ih": randn(gates * hidden) if with_bias else None,
                "b_hh": randn(gates * hidden) if with_bias else None,
            }
        )
    return cases


def _torch_cell(cell_type, case: dict):
    """Run ``nn.LSTMCell`` or ``nn.GRUCell`` with the case's weights."""
    hidden, inputs = case["w_hh"].shape[1], case["w_ih"].shape[1]
    cell = cell_type(inputs, hidden, bias=case["b_ih"] is not None)
    with torch.no_grad():
        cell.weight_ih.copy_(case["w_ih"])
        cell.weight_hh.copy_(case["w_hh"])
        if case["b_ih"] is not None:
            cell.bias_ih.copy_(case["b_ih"])
            cell.bias_hh.copy_(case["b_hh"])
        if cell_type is torch.nn.LSTMCell:
            return cell(case["input"], case["hx"])
        return cell(case["input"], case["hx"])


def check_lstm_cell(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``lstm_cell(input, hx, w_ih, w_hh, b_ih, b_hh) -> (h, c)`` against
    ``nn.LSTMCell``.

    One LSTM step for a batch; ``hx`` is the pair (h, c), gates in PyTorch's order
    (i, f, g, o); the biases may be ``None`` (no bias). 12 random cases; the pair
    (h, c) is compared as a whole.

    Example:
        >>> from course_utils.nn.functional import lstm_cell
        >>> check_lstm_cell(lstm_cell, strict=True).passed
        PASS lstm_cell: all 12 cases match the reference. Well done!
        True
    """
    cases = _gated_cell_cases(4, seed=5)
    generator = torch.Generator().manual_seed(6)
    for case in cases:
        case["hx"] = (
            case["hx"],
            1.5 * torch.randn(case["hx"].shape, generator=generator),
        )

    def wrapped(**case):
        return _as_vector(candidate(**case), 2, "lstm_cell")

    def reference(**case):
        with torch.no_grad():
            return _as_vector(_torch_cell(torch.nn.LSTMCell, case), 2, "reference")

    return check_function(wrapped, reference, cases, name="lstm_cell", strict=strict)


def check_gru_cell(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``gru_cell(input, hx, w_ih, w_hh, b_ih, b_hh) -> h`` against ``nn.GRUCell``.

    One GRU step for a batch, gates in PyTorch's order (r, z, n), with the reset gate
    applied to ``W_hn h + b_hn`` (after its bias); the biases may be ``None``. 12
    random cases.

    Example:
        >>> from course_utils.nn.functional import gru_cell
        >>> check_gru_cell(gru_cell, strict=True).passed
        PASS gru_cell: all 12 cases match the reference. Well done!
        True
    """

    def reference(**case):
        with torch.no_grad():
            return _torch_cell(torch.nn.GRUCell, case)

    return check_function(
        candidate,
        reference,
        _gated_cell_cases(3, seed=7),
        name="gru_cell",
        strict=strict,
    )


def check_last_states(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``last_states(outputs, lengths) -> (N, H)``: the output at each sequence's
    last real step, ``outputs[n, lengths[n] - 1]``, from right-padded batch-first
    ``outputs`` (N, L, H) and ``lengths`` (N,) int64. 12 random cases, lengths from 1
    to L (some sequences fill the batch, some are one step long).

    Example:
        >>> def last_states(outputs, lengths):
        ...     return outputs[torch.arange(len(lengths)), lengths - 1]
        >>> check_last_states(last_states, strict=True).passed
        PASS last_states: all 12 cases match the reference. Well done!
        True
    """
    generator = torch.Generator().manual_seed(8)
    cases = []
    for batch, length, hidden in itertools.product([1, 3, 6], [1, 5], [2, 4]):
        lengths = torch.randint(1, length + 1, (batch,), generator=generator)
        lengths[0] = length  # one sequence fills the batch
        outputs = torch.randn(batch, length, hidden, generator=generator)
        cases.append({"outputs": outputs, "lengths": lengths})

    def reference(outputs, lengths):
        return torch.stack([outputs[n, int(k) - 1] for n, k in enumerate(lengths)])

    return check_function(
        candidate, reference, cases, name="last_states", atol=0, rtol=0, strict=strict
    )


# ----------------------------------------------------------------- Foundations chapter


def check_activation_derivative(
    candidate: Callable,
    activation: str = "tanh",
    strict: bool = False,
    verbose: bool = True,
) -> CheckResult:
    """Check a student's derivative ``f(input)`` of an activation against autograd.

    The reference differentiates ``course_utils.nn.functional.activation(name, x)``
    with autograd, on 8 random tensors of different shapes, extreme inputs included.

    Example:
        >>> from course_utils.nn.functional import sigmoid_derivative
        >>> check_activation_derivative(sigmoid_derivative, "sigmoid", verbose=False).passed
        True
    """
    from .nn.functional.activation import ACTIVATIONS
    from .nn.functional.activation import activation as apply

    if activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}: expected one of {', '.join(ACTIVATIONS)}"
        )

    def reference(input: torch.Tensor) -> torch.Tensor:
        x = input.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(apply(activation, x).sum(), x)
        return grad

    generator = torch.Generator().manual_seed(2)
    shapes = [(5,), (3, 4), (2, 3, 4), (1,), (64,), (4, 1), (7, 2), (10,)]
    cases = [
        {"input": 3 * torch.randn(*shape, generator=generator)} for shape in shapes
    ]
    cases[-1]["input"] = torch.linspace(-30, 30, 10)  # saturated ends too
    return check_function(
        candidate,
        reference,
        cases,
        name=f"{activation} derivative",
        strict=strict,
        verbose=verbose,
    )


def check_linear_backward(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``linear_backward(grad_output, input, weight) -> (grad_input, grad_weight, grad_bias)``.

    The reference is autograd through ``F.linear`` on 10 random layer sizes.
    Each of the three gradients is compared, and the message names the first wrong one.

    Example:
        >>> from course_utils.nn.mlp import linear_backward
        >>> check_linear_backward(linear_backward, verbose=False).passed
        True
    """
    generator = torch.Generator().manual_seed(3)
    cases = []
    for n, d_in, d_out in [(1, 1, 1), (4, 3, 2), (5, 2, 3), (8, 6, 6), (3, 1, 4),
                           (2, 5, 1), (16, 4, 3), (7, 7, 2), (1, 3, 5), (9, 2, 2)]:  # fmt: skip
        cases.append(
            {
                "grad_output": torch.randn(n, d_out, generator=generator),
                "input": torch.randn(n, d_in, generator=generator),
                "weight": torch.randn(d_out, d_in, generator=generator),
            }
        )

    def reference(grad_output, input, weight):
        x = input.clone().requires_grad_(True)
        w = weight.clone().requires_grad_(True)
        b = torch.zeros(weight.shape[0], requires_grad=True)
        return torch.autograd.grad(F.linear(x, w, b), (x, w, b), grad_output)

    parts = ("grad_input", "grad_weight", "grad_bias")
    for index, part in enumerate(parts):

        def one_part(index=index, **case):
            result = candidate(**case)
            if not isinstance(result, (tuple, list)) or len(result) != 3:
                raise TypeError(
                    "expected a tuple (grad_input, grad_weight, grad_bias), "
                    f"got {type(result).__name__}"
                )
            return result[index]

        result = check_function(
            one_part,
            lambda index=index, **case: reference(**case)[index],
            cases,
            name=f"linear_backward ({part})",
            verbose=False,
        )
        if not result.passed:
            break
    else:
        result = CheckResult(
            "linear_backward",
            True,
            len(cases),
            f"PASS linear_backward: all three gradients match autograd on {len(cases)} cases. Well done!",
        )
    if verbose:
        print(result.message)
    if strict and not result.passed:
        raise ExerciseFailed(result.message)
    return result


def _finish(result: CheckResult, strict: bool, verbose: bool) -> CheckResult:
    if verbose:
        print(result.message)
    if strict and not result.passed:
        raise ExerciseFailed(result.message)
    return result


_BROADCAST_CASES = [
    ((3, 1), (1, 4)), ((5, 4), (4,)), ((2, 1, 3), (7, 1)), ((), (2, 3)),
    ((1,), (6,)), ((8, 1, 6, 1), (7, 1, 5)), ((4, 3), (4, 3)), ((0, 3), (1, 3)),
    ((3,), (4,)), ((2, 3), (3, 2)), ((5, 4), (5,)), ((2, 1, 3), (2, 4, 2)),
]  # fmt: skip


def check_broadcast_shape(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``broadcast_shape(shape_a, shape_b)`` against ``torch.broadcast_shapes``.

    12 pairs of shapes: for the 8 that broadcast the result must equal PyTorch's
    (as a tuple); for the 4 that do not, the function must raise ``ValueError``.

    Example:
        >>> def ours(a, b):
        ...     return tuple(torch.broadcast_shapes(a, b))  # RuntimeError when incompatible
        >>> check_broadcast_shape(ours, verbose=False).passed
        False
    """
    name = "broadcast_shape"
    message = None
    for a, b in _BROADCAST_CASES:
        try:
            expected = tuple(torch.broadcast_shapes(a, b))
        except RuntimeError:
            expected = None
        try:
            got = candidate(a, b)
        except NotImplementedError:
            message = f"{name}: not written yet (it raised NotImplementedError). Fill in its body."
            break
        except ValueError:
            if expected is None:
                continue
            message = (
                f"{name}{a, b} raised ValueError, but they broadcast to {expected}"
            )
            break
        except Exception as error:
            message = f"{name}{a, b} failed with {type(error).__name__}: {error}" + (
                " (raise ValueError for shapes that do not broadcast)"
                if expected is None
                else ""
            )
            break
        if expected is None:
            message = f"{name}{a, b} returned {got!r}, but these shapes do not broadcast: raise ValueError"
            break
        if not isinstance(got, (tuple, list, torch.Size)) or tuple(got) != expected:
            message = f"{name}{a, b} returned {got!r}, expected {expected}"
            break
    passed = message is None
    if passed:
        message = f"{name}: all {len(_BROADCAST_CASES)} pairs of shapes right, errors included. Well done!"
    result = CheckResult(
        name,
        passed,
        len(_BROADCAST_CASES),
        ("PASS " if passed else "NOT YET ") + message,
    )
    return _finish(result, strict, verbose)


def check_value_sigmoid(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``sigmoid(x: Value) -> Value`` for the scalar autograd engine against PyTorch.

    For 7 inputs from -30 to 30, the value must match ``torch.sigmoid`` and the
    gradient, inside a larger expression ``3 * sigmoid(2 * x) + x``, must match
    what ``torch.autograd`` computes.

    Example:
        >>> from course_utils.autograd import Value
        >>> check_value_sigmoid(lambda x: 1 / (1 + (-x).exp()), verbose=False).passed
        True
    """
    from .autograd import Value

    name = "sigmoid"
    inputs = [-30.0, -4.0, -0.5, 0.0, 0.7, 3.0, 30.0]
    message = None
    for x in inputs:
        reference = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        (3 * torch.sigmoid(2 * reference) + reference).backward()
        value = Value(x, requires_grad=True)
        try:
            inner = candidate(2 * value)
            out = 3 * inner + value
            if isinstance(out, Value) and out.requires_grad:
                out.backward()
        except NotImplementedError:
            message = f"{name}: not written yet (it raised NotImplementedError). Fill in its body."
            break
        except Exception as error:
            message = f"{name} failed at x = {x}: {type(error).__name__}: {error}"
            break
        if not isinstance(inner, Value):
            message = f"{name} must return a Value, got {type(inner).__name__}"
            break
        want = torch.sigmoid(torch.tensor(2 * x, dtype=torch.float64)).item()
        if abs(inner.data - want) > 1e-6:
            message = f"sigmoid({2 * x}) = {inner.data:.6g}, expected {want:.6g}"
            break
        if value.grad is None or abs(value.grad - reference.grad.item()) > 1e-6:
            message = (
                f"the gradient of 3 * sigmoid(2 x) + x at x = {x} is {value.grad}, "
                f"expected {reference.grad.item():.6g} (check the local gradient, "
                "and that the result records x as its parent)"
            )
            break
    passed = message is None
    if passed:
        message = f"{name}: values and gradients match torch.autograd at all {len(inputs)} inputs. Well done!"
    result = CheckResult(
        name, passed, len(inputs), ("PASS " if passed else "NOT YET ") + message
    )
    return _finish(result, strict, verbose)


def check_layer_norm(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5)`` against PyTorch.

    12 cases: 2-D and 3-D inputs, normalized over the last one or two
    dimensions, with and without a scale and shift, inputs far from mean 0.

    Example:
        >>> check_layer_norm(F.layer_norm, verbose=False).passed
        True
    """
    generator = torch.Generator().manual_seed(4)
    cases = []
    for shape, dims, affine in itertools.product(
        [(4, 6), (2, 3, 5), (1, 8)], [1, 2], [False, True]
    ):
        normalized = list(shape[-dims:])
        case = {
            "input": 5 * torch.randn(*shape, generator=generator) + 3,
            "normalized_shape": normalized,
        }
        if affine:
            case["weight"] = torch.randn(*normalized, generator=generator)
            case["bias"] = torch.randn(*normalized, generator=generator)
        cases.append(case)
    return check_function(
        candidate,
        F.layer_norm,
        cases,
        name="layer_norm",
        strict=strict,
        verbose=verbose,
    )


def early_stopping(val_losses: list[float], patience: int) -> tuple[int, int]:
    """Where early stopping stops, and which measurement's weights it restores.

    ``val_losses`` are the validation losses measured during training, in order.
    Training stops after the first measurement that comes ``patience`` measurements
    after the best one so far (an improvement must be strictly lower); if that never
    happens it runs to the end. Returns ``(stop, best)``: the index of the
    measurement after which training stops, and the index of the lowest loss up to
    it (the first one, if tied).

    Example:
        >>> early_stopping([0.9, 0.5, 0.6, 0.55, 0.7, 0.4], patience=3)
        (4, 1)
        >>> early_stopping([0.9, 0.5, 0.6, 0.55, 0.7, 0.4], patience=5)
        (5, 5)
    """
    best, best_loss = 0, float("inf")
    for index, loss in enumerate(val_losses):
        if loss < best_loss:
            best, best_loss = index, loss
        elif index - best >= patience:
            return index, best
    return len(val_losses) - 1, best


def _early_stopping_cases() -> list[tuple[list[float], int]]:
    generator = torch.Generator().manual_seed(5)
    cases = [
        ([0.9, 0.5, 0.6, 0.55, 0.7, 0.4], 3),  # stops before a later, lower loss
        ([0.9, 0.5, 0.6, 0.55, 0.7, 0.4], 5),  # runs to the end
        ([1.0, 0.8, 0.6, 0.4, 0.2], 1),  # always improving
        ([0.5, 0.5, 0.5, 0.5], 2),  # equal is not better
        ([0.3, 0.2, 0.2, 0.1, 0.4, 0.5], 2),  # a tie, then an improvement
        ([0.7], 1),  # one measurement
    ]
    for length, patience in [(30, 3), (40, 5), (25, 1), (50, 10), (12, 20)]:
        # a U-shaped validation curve with noise: falls, then rises (overfitting)
        t = torch.linspace(-1, 1.5, length)
        noisy = t**2 + 0.1 * torch.randn(length, generator=generator)
        cases.append(([round(v, 4) for v in noisy.tolist()], patience))
    return cases


def check_early_stopping(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``early_stopping(val_losses, patience) -> (stop, best)`` against :func:`early_stopping`.

    11 cases: hand-made ones (ties, a loss that improves after the patience ran
    out, a curve that never stops improving) and noisy U-shaped validation curves.

    Example:
        >>> check_early_stopping(early_stopping, verbose=False).passed
        True
        >>> check_early_stopping(lambda losses, patience: (len(losses) - 1, 0),
        ...                      verbose=False).passed
        False
    """
    name = "early_stopping"
    cases = _early_stopping_cases()
    message = None
    for number, (losses, patience) in enumerate(cases, start=1):
        expected = early_stopping(losses, patience)
        shown = f"case {number} of {len(cases)} (patience={patience}, val_losses={losses if len(losses) <= 8 else f'{len(losses)} values'})"
        try:
            got = candidate(list(losses), patience)
        except NotImplementedError:
            message = f"{name}: not written yet (it raised NotImplementedError). Fill in its body."
            break
        except Exception as error:
            message = f"{name} failed on {shown}: {type(error).__name__}: {error}"
            break
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            message = (
                f"{name} must return a pair (stop, best), got {got!r:.60} on {shown}"
            )
            break
        if tuple(got) != expected:
            message = f"{name} returned {tuple(got)} on {shown}, expected (stop, best) = {expected}"
            break
    passed = message is None
    if passed:
        message = f"{name}: right stop and best measurement in all {len(cases)} cases. Well done!"
    result = CheckResult(
        name, passed, len(cases), ("PASS " if passed else "NOT YET ") + message
    )
    return _finish(result, strict, verbose)


# ----------------------------------------------------------------------------- optimizers chapter


def optimizer_trajectory(
    optimizer_class: type[torch.optim.Optimizer],
    param: torch.Tensor,
    grads: torch.Tensor,
    **hyper,
) -> torch.Tensor:
    """The parameter after each step when ``optimizer_class`` is fed the gradients ``grads``.

    Args:
        optimizer_class: e.g. ``torch.optim.Adam``.
        param: the starting parameter, shape (D,).
        grads: one gradient per step, shape (T, D).
        **hyper: the optimizer's hyper-parameters.

    Returns:
        (T + 1, D): the start, then the parameter after every step.

    Example:
        >>> optimizer_trajectory(torch.optim.SGD, torch.zeros(1), torch.ones(2, 1), lr=0.5).flatten().tolist()
        [0.0, -0.5, -1.0]
    """
    param = param.detach().clone()
    optimizer = optimizer_class([param], **hyper)
    trajectory = [param.clone()]
    for grad in grads:
        param.grad = grad.clone()
        optimizer.step()
        trajectory.append(param.detach().clone())
    return torch.stack(trajectory)


def _trajectory_cases(seed: int, hyper_grid: list[dict]) -> list[dict]:
    generator = torch.Generator().manual_seed(seed)
    cases = []
    for number, hyper in enumerate(hyper_grid):
        size, steps = 2 + number % 3, 6 + number
        # Gradients of very different sizes per coordinate, as in a real network.
        scale = 10.0 ** torch.randint(-3, 2, (size,), generator=generator)
        cases.append(
            {
                "param": torch.randn(size, generator=generator, dtype=torch.float64),
                "grads": torch.randn(
                    steps, size, generator=generator, dtype=torch.float64
                )
                * scale,
                **hyper,
            }
        )
    return cases


def check_adam(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``adam(param, grads, lr, betas, eps)``, which returns the (T + 1, D) trajectory.

    The reference is ``torch.optim.Adam`` fed the same gradients (see
    :func:`optimizer_trajectory`), on 8 cases with various learning rates and betas.
    """
    grid = [
        {"lr": lr, "betas": betas, "eps": eps}
        for lr, betas, eps in [
            (1e-3, (0.9, 0.999), 1e-8),
            (0.1, (0.9, 0.999), 1e-8),
            (0.05, (0.5, 0.9), 1e-8),
            (0.5, (0.0, 0.99), 1e-6),
            (0.01, (0.95, 0.9999), 1e-8),
            (0.2, (0.8, 0.8), 1e-3),
            (1.0, (0.9, 0.999), 1e-8),
            (0.03, (0.99, 0.5), 1e-8),
        ]
    ]

    def reference(param, grads, lr, betas, eps):
        return optimizer_trajectory(
            torch.optim.Adam, param, grads, lr=lr, betas=betas, eps=eps
        )

    return check_function(
        candidate,
        reference,
        _trajectory_cases(2, grid),
        name="adam",
        strict=strict,
        atol=1e-7,
        rtol=1e-6,
    )


def check_sgd_momentum(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``sgd_momentum(param, grads, lr, momentum, nesterov=False)`` (returns the trajectory).

    The reference is ``torch.optim.SGD`` with the same momentum and Nesterov setting.
    """
    grid = [
        {"lr": lr, "momentum": momentum, "nesterov": nesterov}
        for lr, momentum in [(0.1, 0.9), (0.01, 0.5), (0.3, 0.99)]
        for nesterov in (False, True)
    ]

    def reference(param, grads, lr, momentum, nesterov=False):
        return optimizer_trajectory(
            torch.optim.SGD, param, grads, lr=lr, momentum=momentum, nesterov=nesterov
        )

    return check_function(
        candidate,
        reference,
        _trajectory_cases(3, grid),
        name="sgd_momentum",
        strict=strict,
        atol=1e-7,
        rtol=1e-6,
    )


def _attention_cases() -> list[dict]:
    generator = torch.Generator().manual_seed(2)
    cases = []
    for batch, (length, source), dim, masked in itertools.product(
        [(), (2,), (2, 3)], [(1, 1), (4, 4), (3, 6)], [2, 8], [False, True]
    ):
        case = {
            "query": torch.randn(*batch, length, dim, generator=generator),
            "key": torch.randn(*batch, source, dim, generator=generator),
            "value": torch.randn(*batch, source, 5, generator=generator),
        }
        if masked:
            mask = torch.rand(length, source, generator=generator) < 0.6
            mask[:, 0] = True  # every query may attend to at least one key
            case["attn_mask"] = mask
        cases.append(case)
    return cases


def check_attention(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check a student's ``attention(query, key, value, attn_mask=None)`` against PyTorch.

    36 cases: with and without batch and head dimensions, queries and keys of
    different lengths, with and without a boolean mask (True = may attend).
    The reference is ``F.scaled_dot_product_attention``.
    """
    return check_function(
        candidate,
        F.scaled_dot_product_attention,
        _attention_cases(),
        name="attention",
        strict=strict,
    )


# ----------------------------------------------------------------------------- history chapter


def perceptron_epoch(
    w: torch.Tensor, b: torch.Tensor, X: torch.Tensor, y: torch.Tensor
):
    """Reference for :func:`check_perceptron_epoch`: one pass of Rosenblatt's rule.

    For each example in order, if ``y_i (w . x_i + b) <= 0`` (a mistake, or on the
    boundary), ``w += y_i x_i`` and ``b += y_i``. Returns ``(w, b, mistakes)``.

    Example:
        >>> w, b, m = perceptron_epoch(torch.zeros(2), torch.zeros(()),
        ...                            torch.tensor([[1.0, 0.0], [0.0, 1.0]]), torch.tensor([1.0, -1.0]))
        >>> w.tolist(), b.item(), m
        ([1.0, -1.0], 0.0, 2)
    """
    w, b, mistakes = w.clone(), b.clone(), 0
    for x_i, y_i in zip(X, y):
        if y_i * (w @ x_i + b) <= 0:
            w += y_i * x_i
            b += y_i
            mistakes += 1
    return w, b, mistakes


def _as_vector(result, parts: int, who: str) -> torch.Tensor:
    """Flatten a tuple result into one float64 vector, so one comparison checks every part."""
    if not isinstance(result, (tuple, list)) or len(result) != parts:
        raise TypeError(
            f"{who} must return a tuple of {parts} values, got {type(result).__name__}"
        )
    pieces = [torch.as_tensor(part, dtype=torch.float64).flatten() for part in result]
    return torch.cat(pieces)


def check_perceptron_epoch(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``perceptron_epoch(w, b, X, y) -> (w, b, mistakes)`` against the reference.

    12 cases: 2 to 20 features, labels in {-1, +1}, starting from zero and from
    random weights; examples are visited in order. The inputs must not be changed.
    """
    generator = torch.Generator().manual_seed(4)
    cases = []
    for n, d, start in itertools.product([5, 30], [2, 7, 20], ["zero", "random"]):
        X = torch.randint(-3, 4, (n, d), generator=generator).double()
        y = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0).double()
        w = torch.zeros(d, dtype=torch.float64)
        b = torch.zeros((), dtype=torch.float64)
        if start == "random":
            w = torch.randint(-2, 3, (d,), generator=generator).double()
            b = torch.tensor(1.0, dtype=torch.float64)
        cases.append({"w": w, "b": b, "X": X, "y": y})

    def wrapped(**case):
        copies = {k: v.clone() for k, v in case.items()}
        result = _as_vector(candidate(**copies), 3, "perceptron_epoch")
        if not torch.equal(copies["w"], case["w"]) or not torch.equal(
            copies["b"], case["b"]
        ):
            raise ValueError(
                "it changed the w or b it was given: work on copies (w.clone())"
            )
        return result

    return check_function(
        wrapped,
        lambda **case: _as_vector(perceptron_epoch(**case), 3, "reference"),
        cases,
        name="perceptron_epoch",
        strict=strict,
    )


def next_token_pairs(ids: torch.Tensor, context: int):
    """Reference for :func:`check_next_token_pairs`: every (window, next token) pair of a stream.

    Example:
        >>> x, y = next_token_pairs(torch.arange(5), 2)
        >>> x.tolist(), y.tolist()
        ([[0, 1], [1, 2], [2, 3]], [2, 3, 4])
    """
    windows = ids.unfold(0, context, 1)[: len(ids) - context]
    return windows, ids[context:]


def check_next_token_pairs(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``next_token_pairs(ids, context) -> (inputs (N, context), targets (N,))``.

    Every window of ``context`` consecutive ids, with the id that follows it as its
    label, so ``N = len(ids) - context``: the labels come from the text itself.
    10 cases: contexts 1 to 8, streams of 9 to 40 ids.
    """
    generator = torch.Generator().manual_seed(5)
    cases = [
        {"ids": torch.randint(0, 30, (length,), generator=generator), "context": context}
        for length, context in [(9, 1), (9, 3), (12, 2), (12, 8), (20, 4), (20, 5),
                                (33, 7), (40, 1), (40, 6), (16, 8)]
    ]  # fmt: skip
    return check_function(
        lambda **case: _as_vector(candidate(**case), 2, "next_token_pairs"),
        lambda **case: _as_vector(next_token_pairs(**case), 2, "reference"),
        cases,
        name="next_token_pairs",
        strict=strict,
    )


def check_gpt_parameters(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``gpt_parameters(n_layer, d_model, vocab_size, context) -> int`` (GPT-2 layout).

    The reference is :func:`course_utils.scaling.transformer_parameters` with GPT-2's
    options: learned positions, LayerNorm, biases, a 4x MLP, tied embeddings. 12
    shapes, from a tiny model to GPT-3's.
    """
    from .scaling import transformer_parameters

    shapes = [(1, 8, 10, 4), (2, 64, 27, 32), (4, 128, 65, 64), (12, 768, 50257, 1024),
              (24, 1024, 50257, 1024), (36, 1280, 50257, 1024), (48, 1600, 50257, 1024),
              (3, 96, 1000, 128), (6, 512, 32000, 512), (96, 12288, 50257, 2048),
              (1, 16, 2, 1), (8, 256, 5000, 256)]  # fmt: skip
    cases = [
        {"n_layer": n, "d_model": d, "vocab_size": v, "context": c}
        for n, d, v, c in shapes
    ]

    def reference(n_layer, d_model, vocab_size, context):
        count = transformer_parameters(n_layer, d_model, 1, vocab_size, context).total
        return torch.tensor([float(count)], dtype=torch.float64)

    def wrapped(**case):
        return torch.tensor([float(candidate(**case))], dtype=torch.float64)

    return check_function(
        wrapped,
        reference,
        cases,
        name="gpt_parameters",
        strict=strict,
        atol=0.5,
        rtol=0,
    )


def check_compute_optimal(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``compute_optimal(flops) -> (n_params, n_tokens)`` with C = 6ND and D = 20N.

    The reference is :func:`course_utils.scaling.compute_optimal_split`, on budgets
    from 1e12 to 1e26 FLOPs (relative tolerance 1e-6).
    """
    from .scaling import compute_optimal_split

    cases = [{"flops": 10.0**k} for k in range(12, 27, 2)] + [{"flops": 5.88e23}]
    return check_function(
        lambda flops: _as_vector(candidate(flops), 2, "compute_optimal"),
        lambda flops: _as_vector(compute_optimal_split(flops), 2, "reference"),
        cases,
        name="compute_optimal",
        strict=strict,
        atol=0,
        rtol=1e-6,
    )


# ----------------------------------------------------------------------------- attention chapter, more


def _reference_multi_head_attention(
    x,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    num_heads,
    key_padding_mask=None,
):
    layer = torch.nn.MultiheadAttention(
        x.shape[-1], num_heads, batch_first=True, dtype=x.dtype
    )
    with torch.no_grad():
        layer.in_proj_weight.copy_(in_proj_weight)
        layer.in_proj_bias.copy_(in_proj_bias)
        layer.out_proj.weight.copy_(out_proj_weight)
        layer.out_proj.bias.copy_(out_proj_bias)
        output, _ = layer(
            x, x, x, key_padding_mask=key_padding_mask, need_weights=False
        )
    return output


def _multi_head_cases() -> list[dict]:
    generator = torch.Generator().manual_seed(3)
    cases = []
    for (n, length), (embed, heads), padded in itertools.product(
        [(1, 1), (2, 5), (3, 7)], [(4, 1), (8, 2), (12, 4)], [False, True]
    ):
        case = {
            "x": torch.randn(n, length, embed, generator=generator),
            "in_proj_weight": torch.randn(3 * embed, embed, generator=generator)
            / embed**0.5,
            "in_proj_bias": torch.randn(3 * embed, generator=generator) * 0.1,
            "out_proj_weight": torch.randn(embed, embed, generator=generator)
            / embed**0.5,
            "out_proj_bias": torch.randn(embed, generator=generator) * 0.1,
            "num_heads": heads,
        }
        if padded:
            lengths = torch.randint(1, length + 1, (n,), generator=generator)
            case["key_padding_mask"] = torch.arange(length) >= lengths[:, None]
        cases.append(case)
    return cases


def check_multi_head_attention(
    candidate: Callable, strict: bool = False
) -> CheckResult:
    """Check ``multi_head_attention(x, in_proj_weight, in_proj_bias, out_proj_weight,
    out_proj_bias, num_heads, key_padding_mask=None)`` against ``nn.MultiheadAttention``.

    Self-attention of ``x`` (N, L, E), batch first, with the weights laid out as in
    ``nn.MultiheadAttention`` (``in_proj_weight`` stacks W_q, W_k, W_v); returns the
    output (N, L, E). ``key_padding_mask`` (N, L) is True on padding, which no query
    may attend to. 18 cases: 1 to 4 heads, lengths 1 to 7, with and without padding.

    Example:
        >>> result = check_multi_head_attention(_reference_multi_head_attention)
        PASS multi-head attention: all 18 cases match the reference. Well done!
    """
    return check_function(
        candidate,
        _reference_multi_head_attention,
        _multi_head_cases(),
        name="multi-head attention",
        atol=1e-5,
        strict=strict,
    )


def check_causal_mask(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``causal_mask(size)``: the ``tgt_mask`` a Transformer decoder needs.

    Either PyTorch's float form (``nn.Transformer.generate_square_subsequent_mask``:
    0 where position i may attend to position j <= i, -inf above the diagonal) or
    the boolean form of ``nn.MultiheadAttention`` (True = blocked) passes. Sizes 1
    to 9.

    Example:
        >>> result = check_causal_mask(lambda size: torch.ones(size, size).triu(1).bool())
        PASS causal mask: all 9 cases match the reference. Well done!
    """

    def as_float_mask(size):
        got = candidate(size)  # positional: any parameter name will do
        if isinstance(got, torch.Tensor) and got.dtype == torch.bool:
            return torch.zeros(got.shape).masked_fill(got, float("-inf"))
        return got

    return check_function(
        as_float_mask,
        lambda size: torch.nn.Transformer.generate_square_subsequent_mask(size),
        [{"size": size} for size in range(1, 10)],
        name="causal mask",
        atol=0.0,
        rtol=0.0,
        strict=strict,
    )


def _reference_cached_attention(query, key, value, past_key, past_value):
    keys = torch.cat([past_key, key], dim=-2)
    values = torch.cat([past_value, value], dim=-2)
    past, new = past_key.shape[-2], query.shape[-2]
    # New query i sits at position past + i: it sees keys 0 .. past + i.
    mask = torch.ones(new, past + new, dtype=torch.bool).tril(past)
    output = F.scaled_dot_product_attention(query, keys, values, attn_mask=mask)
    return output, keys, values


def _cached_cases() -> list[dict]:
    generator = torch.Generator().manual_seed(4)
    cases = []
    for past, new, (n, heads) in itertools.product([0, 1, 5], [1, 3], [(1, 1), (2, 4)]):
        shape = (n, heads)
        cases.append(
            {
                "query": torch.randn(*shape, new, 8, generator=generator),
                "key": torch.randn(*shape, new, 8, generator=generator),
                "value": torch.randn(*shape, new, 6, generator=generator),
                "past_key": torch.randn(*shape, past, 8, generator=generator),
                "past_value": torch.randn(*shape, past, 6, generator=generator),
            }
        )
    return cases


def check_cached_attention(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check one step of a KV cache: ``cached_attention(query, key, value, past_key, past_value)``.

    ``query``, ``key``, ``value`` (N, H, T, D) belong to T new tokens that follow
    the P cached ones (``past_key``, ``past_value``: (N, H, P, D), P may be 0).
    Return ``(output, keys, values)``: the keys and values of all P + T positions
    (the cache after this step) and the new tokens' causal attention over them
    (new token i, at position P + i, sees positions 0 .. P + i). 12 cases.

    Example:
        >>> result = check_cached_attention(_reference_cached_attention)
        PASS KV-cache attention: all 12 cases match the reference. Well done!
    """

    def packed(function):
        def run(**case):
            got = function(**case)
            if not (
                isinstance(got, tuple)
                and len(got) == 3
                and all(isinstance(t, torch.Tensor) for t in got)
            ):
                raise TypeError(
                    "expected a tuple (output, keys, values) of three tensors, "
                    f"got {type(got).__name__}"
                )
            expected = _reference_cached_attention(**case)
            for name, tensor, reference in zip(
                ("output", "keys", "values"), got, expected
            ):
                if tensor.shape != reference.shape:
                    raise ValueError(
                        f"{name} has shape {tuple(tensor.shape)}, expected "
                        f"{tuple(reference.shape)}"
                    )
            return torch.cat([t.detach().reshape(-1) for t in got])

        return run

    return check_function(
        packed(candidate),
        lambda **case: torch.cat(
            [t.reshape(-1) for t in _reference_cached_attention(**case)]
        ),
        _cached_cases(),
        name="KV-cache attention",
        atol=1e-5,
        strict=strict,
    )


def _reference_mean_pooling(token_vectors, attention_mask):
    weights = attention_mask.to(token_vectors.dtype)[..., None]
    return (token_vectors * weights).sum(1) / weights.sum(1).clamp_min(1e-9)


def check_mean_pooling(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``mean_pooling(token_vectors, attention_mask)``: one vector per sentence.

    ``token_vectors`` (N, T, D) are a Transformer's outputs, ``attention_mask``
    (N, T) holds 1 on real tokens and 0 on padding (as a tokenizer returns it,
    integers). Return (N, D): the mean over the real tokens only. 8 cases.

    Example:
        >>> result = check_mean_pooling(_reference_mean_pooling)
        PASS mean pooling: all 8 cases match the reference. Well done!
    """
    generator = torch.Generator().manual_seed(5)
    cases = []
    for n, t, d in [(1, 1, 3), (1, 6, 4), (2, 5, 8), (3, 9, 16)] * 2:
        lengths = torch.randint(1, t + 1, (n,), generator=generator)
        cases.append(
            {
                "token_vectors": torch.randn(n, t, d, generator=generator),
                "attention_mask": (torch.arange(t) < lengths[:, None]).long(),
            }
        )
    return check_function(
        candidate, _reference_mean_pooling, cases, name="mean pooling", strict=strict
    )


# ----------------------------------------------------------- Large models in practice


def _merge_pair_reference(symbols: list[str], pair: tuple[str, str]) -> list[str]:
    merged, i = [], 0
    while i < len(symbols):
        if i < len(symbols) - 1 and (symbols[i], symbols[i + 1]) == tuple(pair):
            merged.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            merged.append(symbols[i])
            i += 1
    return merged


def check_merge_pair(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``merge_pair(symbols, pair)``: one BPE merge applied to a list of symbols.

    Every occurrence of the adjacent pair becomes one symbol, scanning left to right
    without overlaps (``['a', 'a', 'a']`` with ``('a', 'a')`` gives ``['aa', 'a']``).
    The student's function must not change its input list.
    """
    if not callable(candidate):
        raise TypeError(f"expected a function to check, got {type(candidate).__name__}")
    cases = [
        (list("lower"), ("e", "r")),
        (list("aaa"), ("a", "a")),
        (list("aaaa"), ("a", "a")),
        (["Ġ", "t", "h", "e"], ("t", "h")),
        (["th", "e", "Ġ", "th", "e"], ("th", "e")),
        (list("abab"), ("b", "a")),
        (list("x"), ("x", "x")),
        ([], ("a", "b")),
        (list("banana"), ("a", "n")),
        (list("banana"), ("n", "b")),
    ]
    name = "merge_pair"
    message = None
    for symbols, pair in cases:
        expected = _merge_pair_reference(symbols, pair)
        given = list(symbols)
        try:
            got = candidate(given, pair)
        except NotImplementedError:
            message = f"{name}: not written yet (it raised NotImplementedError). Fill in its body."
            break
        except Exception as error:  # the student's bug, reported rather than raised
            message = f"{name} failed on {symbols} with pair {pair}: {type(error).__name__}: {error}"
            break
        if given != symbols:
            message = f"{name} changed its input list {symbols} (to {given}); build a new list"
            break
        if list(got) != expected:
            message = f"{name}({symbols}, {pair}) returned {got}, expected {expected}"
            break
    return _report(name, len(cases), message, strict, verbose)


def check_top_p_filter(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``top_p_filter(logits, p)`` (nucleus filtering) against the course's reference.

    Keep the most likely tokens until their probabilities add up to ``p`` (the
    smallest such set, always at least one token); set the other logits to
    ``-inf``. Cases: one row or a batch, peaked and flat distributions, ``p`` from
    0.05 to 0.99 (at exactly 1, float rounding of the running sum would be unfair).
    """
    from .models.generation import top_p_filter

    generator = torch.Generator().manual_seed(5)
    cases = [
        {"logits": scale * torch.randn(*shape, generator=generator), "p": p}
        for shape, scale, p in itertools.product(
            [(10,), (3, 50)], [0.5, 4.0], [0.05, 0.5, 0.9, 0.99]
        )
    ]
    return check_function(
        candidate, top_p_filter, cases, name="top_p_filter", strict=strict
    )


def _lora_reference(x, weight, lora_A, lora_B, alpha):
    r = lora_A.shape[0]
    return x @ weight.T + (alpha / r) * (x @ lora_A.T @ lora_B.T)


def check_lora_forward(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``lora_forward(x, weight, lora_A, lora_B, alpha)`` against the LoRA formula.

    ``y = x W^T + (alpha / r) x A^T B^T`` with ``W`` (out, in), ``A`` (r, in),
    ``B`` (out, r); the rank ``r`` is read from ``A``. Cases with several ranks and
    alphas, so a missing ``alpha / r`` scale shows.
    """
    generator = torch.Generator().manual_seed(6)
    cases = []
    for (n, d_in, d_out), r, alpha in itertools.product(
        [(1, 4, 3), (5, 8, 8), (2, 16, 6)], [1, 2], [1.0, 8.0]
    ):
        cases.append(
            {
                "x": torch.randn(n, d_in, generator=generator),
                "weight": torch.randn(d_out, d_in, generator=generator),
                "lora_A": torch.randn(r, d_in, generator=generator),
                "lora_B": torch.randn(d_out, r, generator=generator),
                "alpha": alpha,
            }
        )
    return check_function(
        candidate, _lora_reference, cases, name="lora_forward", strict=strict
    )


# ----------------------------------------------------------------- Applications chapter


def _same(got, expected, tolerance: float) -> str | None:
    """None if plain Python values match (floats within ``tolerance``), else why not."""
    if isinstance(expected, float):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return f"expected a number, got {type(got).__name__} ({got!r:.60})"
        if not abs(got - expected) <= tolerance:
            return f"expected {expected:.4f}, got {got:.4f}"
        return None
    if got != expected:
        return f"expected {expected!r:.80}, got {got!r:.80}"
    return None


def check_values(
    candidate: Callable,
    reference: Callable,
    cases: list[dict],
    name: str = "your function",
    tolerance: float = 1e-6,
    strict: bool = False,
    verbose: bool = True,
) -> CheckResult:
    """Like :func:`check_function`, for functions that return plain Python values.

    Floats are compared within ``tolerance``; anything else (lists, strings) with ``==``.

    Example:
        >>> shout = lambda text: text.upper() + "!"
        >>> check_values(shout, lambda text: text.upper(), [{"text": "hi"}], verbose=False).message
        "NOT YET your function is wrong on case 1 of 1 ({'text': 'hi'}): expected 'HI', got 'HI!'"
    """
    message = _first_problem(
        candidate,
        reference,
        cases,
        name,
        compare=lambda got, expected: _same(got, expected, tolerance),
        describe=lambda case: f"{case!r:.100}",
        who="check_values",
    )
    return _report(name, len(cases), message, strict, verbose)


def _ranking_cases() -> list[dict]:
    """Ranked lists and relevant sets, including hits at rank 1, misses, and k > |relevant|."""
    rng = torch.Generator().manual_seed(5)
    cases = [
        {"ranked": [3, 1, 2], "relevant": {3}, "k": 1},
        {"ranked": [3, 1, 2], "relevant": {2}, "k": 2},
        {"ranked": [0, 1, 2, 3, 4], "relevant": {1, 4, 9}, "k": 5},
        {"ranked": [5, 6, 7, 8], "relevant": {5, 6, 7, 8}, "k": 3},
    ]
    for k in (1, 3, 10):
        for _ in range(4):
            ranked = torch.randperm(30, generator=rng)[:12].tolist()
            count = int(torch.randint(1, 8, (1,), generator=rng))
            relevant = set(torch.randperm(30, generator=rng)[:count].tolist())
            cases.append({"ranked": ranked, "relevant": relevant, "k": k})
    return cases


def _recall(ranked, relevant, k):
    return sum(item in relevant for item in ranked[:k]) / len(relevant)


def _ndcg(ranked, relevant, k):
    import math

    dcg = sum(
        1 / math.log2(rank + 2)
        for rank, item in enumerate(ranked[:k])
        if item in relevant
    )
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    return dcg / ideal


def check_recall_at_k(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``recall_at_k(ranked, relevant, k)``: the share of ``relevant`` in ``ranked[:k]``.

    ``ranked`` is a list of item ids, best first; ``relevant`` a set of ids. 16 cases,
    including a relevant set larger than ``k`` (recall then cannot reach 1).
    """
    return check_values(
        candidate, _recall, _ranking_cases(), name="recall_at_k", strict=strict
    )


def check_ndcg_at_k(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``ndcg_at_k(ranked, relevant, k)`` (binary relevance, log2 discount).

    A hit at rank r (1-based) is worth 1 / log2(r + 1); the ideal list has
    min(k, |relevant|) hits first. 16 cases; the classic slips (discounting rank 1,
    normalising by |relevant| hits even when k is smaller) are caught.
    """
    return check_values(
        candidate, _ndcg, _ranking_cases(), name="ndcg_at_k", strict=strict
    )


def _char_ngrams(text, n):
    return [text[i : i + n] for i in range(len(text) - n + 1)]


def check_char_ngrams(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``char_ngrams(text, n)``: every run of ``n`` consecutive characters, in order.

    Cases in Chinese and English, with repeated n-grams (kept: they are counted),
    ``n`` equal to the length, and texts shorter than ``n`` (no n-grams).
    """
    texts = ["质量很好", "很好很好", "不好", "房间干净，服务一般。", "good", "a"]
    cases = [{"text": t, "n": n} for t in texts for n in (1, 2, 3)]
    return check_values(
        candidate, _char_ngrams, cases, name="char_ngrams", strict=strict
    )


# ----------------------------------------------------------------------------- optimizers chapter, more


def momentum_lr_limit(curvature: float, momentum: float, nesterov: bool) -> float:
    """The largest stable learning rate of PyTorch's SGD on ``curvature / 2 * x**2``.

    Heavy-ball momentum is stable for ``lr * curvature < 2 (1 + momentum)``, PyTorch's
    Nesterov for ``lr * curvature < 2 (1 + momentum) / (1 + 2 momentum)``; with
    ``momentum = 0`` both give gradient descent's ``2 / curvature``.

    Example:
        >>> momentum_lr_limit(25.0, 0.0, False)
        0.08
    """
    limit = 2 * (1 + momentum) / curvature
    return limit / (1 + 2 * momentum) if nesterov else limit


def check_momentum_lr_limit(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``lr_limit(curvature, momentum, nesterov) -> float`` against the stability bound.

    The reference is :func:`momentum_lr_limit` (its unit test checks it against
    ``torch.optim.SGD`` diverging just above the bound and converging just below);
    8 cases, curvatures 1 to 100, momentum 0 to 0.99, with and without Nesterov.
    """
    cases = [
        {"curvature": curvature, "momentum": momentum, "nesterov": nesterov}
        for curvature, momentum in [(25.0, 0.9), (1.0, 0.0), (100.0, 0.5), (4.0, 0.99)]
        for nesterov in (False, True)
        if momentum > 0 or not nesterov
    ] + [{"curvature": 10.0, "momentum": 0.3, "nesterov": True}]

    def as_number(function):
        def call(curvature, momentum, nesterov):
            return torch.tensor(
                float(function(curvature, momentum, nesterov)), dtype=torch.float64
            )

        return call

    return check_function(
        as_number(candidate),
        as_number(momentum_lr_limit),
        cases,
        name="momentum_lr_limit",
        strict=strict,
        atol=0,
        rtol=1e-9,
    )


def warmup_cosine_factors(
    total_steps: int, warmup_steps: int, start_factor: float
) -> torch.Tensor:
    """The multiplier of the learning rate at each step of PyTorch's warmup + cosine.

    ``SequentialLR`` of ``LinearLR(start_factor, total_iters=warmup_steps)`` and
    ``CosineAnnealingLR(T_max=total_steps - warmup_steps)``, read off a throw-away
    optimizer with learning rate 1.

    Example:
        >>> [round(f, 4) for f in warmup_cosine_factors(6, 2, 0.5).tolist()]
        [0.5, 0.75, 1.0, 0.8536, 0.5, 0.1464]
    """
    from torch.optim import lr_scheduler

    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    warmup = lr_scheduler.LinearLR(
        optimizer, start_factor=start_factor, total_iters=warmup_steps
    )
    decay = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps)
    scheduler = lr_scheduler.SequentialLR(
        optimizer, [warmup, decay], milestones=[warmup_steps]
    )
    factors = []
    for _ in range(total_steps):
        factors.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return torch.tensor(factors, dtype=torch.float64)


def check_warmup_cosine(candidate: Callable, strict: bool = False) -> CheckResult:
    """Check ``factor(step, total_steps, warmup_steps, start_factor) -> float``.

    The factor multiplies the initial learning rate (as in ``LambdaLR``); the
    reference is PyTorch's ``SequentialLR`` of ``LinearLR`` and ``CosineAnnealingLR``
    (:func:`warmup_cosine_factors`), at every step of 5 schedules.
    """
    cases = [
        {"total_steps": total, "warmup_steps": warmup, "start_factor": start}
        for total, warmup, start in [
            (100, 10, 0.01),
            (50, 1, 0.1),
            (64, 32, 0.5),
            (200, 63, 0.01),
            (30, 29, 0.2),
        ]
    ]

    def all_steps(total_steps, warmup_steps, start_factor):
        return torch.tensor(
            [
                float(candidate(step, total_steps, warmup_steps, start_factor))
                for step in range(total_steps)
            ],
            dtype=torch.float64,
        )

    return check_function(
        all_steps,
        warmup_cosine_factors,
        cases,
        name="warmup_cosine",
        strict=strict,
        atol=1e-9,
        rtol=1e-7,
    )


# ------------------------------------------------------ LLM chapter, part 2 (training at scale)


def _warmup_cosine(step, warmup_steps, total_steps, min_ratio):
    from .optim.recipe import warmup_cosine

    return warmup_cosine(step, warmup_steps, total_steps, min_ratio)


def check_llm_warmup_cosine(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``warmup_cosine(step, warmup_steps, total_steps, min_ratio)``, the LLM recipe's multiplier.

    (:func:`check_warmup_cosine` checks the optimizers chapter's variant, built from
    PyTorch's ``LinearLR`` and ``CosineAnnealingLR``, which decays to zero.)

    Linear warmup ``(step + 1) / warmup_steps``, then half a cosine from 1 at step
    ``warmup_steps`` to ``min_ratio`` at step ``total_steps - 1``. Cases on both
    sides of the boundary and at the last step, so an off-by-one shows.
    """
    cases = [
        {"step": s, "warmup_steps": w, "total_steps": t, "min_ratio": r}
        for w, t, r in [(4, 20, 0.1), (10, 100, 0.0), (1, 9, 0.5)]
        for s in sorted({0, w - 1, w, w + 1, (w + t) // 2, t - 2, t - 1})
        if s >= 0
    ]
    return check_values(
        candidate,
        _warmup_cosine,
        cases,
        name="warmup_cosine",
        tolerance=1e-6,
        strict=strict,
        verbose=verbose,
    )


def _ring_all_reduce(chunks):
    n = len(chunks)
    return [[sum(chunks[r][c] for r in range(n)) for c in range(n)] for _ in range(n)]


def check_ring_all_reduce(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``ring_all_reduce(chunks)``: ``chunks[r][c]`` is rank r's chunk c (a number).

    Every rank must end with every chunk summed over the ranks. Rings of 2 to 5
    ranks with integer chunks, so that the sums are exact.
    """
    cases = []
    for n in (2, 3, 4, 5):
        values = [[(7 * r + 3 * c) % 11 - 5 for c in range(n)] for r in range(n)]
        cases.append({"chunks": values})
    return check_values(
        candidate,
        _ring_all_reduce,
        cases,
        name="ring_all_reduce",
        strict=strict,
        verbose=verbose,
    )


def _fake_quantize_symmetric(x, bits):
    scale = x.abs().max().clamp(min=1e-12) / (2 ** (bits - 1) - 1)
    q = torch.clamp(torch.round(x / scale), -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    return q * scale


def check_fake_quantize_symmetric(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``fake_quantize_symmetric(x, bits)``: per tensor, scale ``max|x| / (2^(bits-1) - 1)``.

    Round ``x / scale`` to the nearest integer, clamp to ``[-2^(bits-1), 2^(bits-1) - 1]``
    and multiply back by the scale. Tensors of several shapes, 4 and 8 bits.
    """
    generator = torch.Generator().manual_seed(8)
    cases = [
        {"x": torch.randn(*shape, generator=generator) * spread, "bits": bits}
        for shape in [(7,), (4, 5), (2, 3, 6)]
        for bits in (8, 4)
        for spread in (1.0, 0.01)
    ]
    return check_function(
        candidate,
        _fake_quantize_symmetric,
        cases,
        name="fake_quantize_symmetric",
        atol=1e-6,
        strict=strict,
        verbose=verbose,
    )


def _frame_signal(x, frame_length, hop_length):
    return x.unfold(-1, frame_length, hop_length)


def check_frame_signal(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``frame_signal(x, frame_length, hop_length)`` on a 1-D waveform.

    Frame ``t`` holds samples ``t * hop_length`` to ``t * hop_length + frame_length - 1``;
    there are ``1 + (len(x) - frame_length) // hop_length`` frames (no padding); the
    result has shape ``(n_frames, frame_length)``. Lengths that do and do not fill
    the last frame exactly, hops shorter than, equal to and longer than a frame.
    """
    generator = torch.Generator().manual_seed(5)
    cases = [
        {
            "x": torch.randn(length, generator=generator),
            "frame_length": n,
            "hop_length": h,
        }
        for length, n, h in [
            (16, 4, 2),
            (17, 4, 2),
            (400, 400, 160),
            (1000, 400, 160),
            (1001, 256, 64),
            (50, 8, 8),
            (50, 5, 7),
            (30, 1, 1),
        ]
    ]
    return check_function(
        candidate,
        _frame_signal,
        cases,
        name="frame_signal",
        atol=0.0,
        rtol=0.0,
        strict=strict,
        verbose=verbose,
    )


def _hz_to_mel(frequency):
    return 2595.0 * torch.log10(1.0 + frequency / 700.0)


def check_hz_to_mel(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``hz_to_mel(frequency)``, the HTK mel scale ``2595 log10(1 + f / 700)``,
    on tensors of frequencies from 0 Hz to 22 kHz (1000 Hz is about 1000 mels)."""
    cases = [
        {"frequency": torch.tensor([0.0, 700.0, 1000.0])},
        {"frequency": torch.linspace(0, 8000, 33, dtype=torch.float64)},
        {"frequency": torch.tensor([[50.0, 440.0], [4000.0, 22050.0]])},
    ]
    return check_function(
        candidate,
        _hz_to_mel,
        cases,
        name="hz_to_mel",
        atol=1e-3,
        rtol=1e-5,
        strict=strict,
        verbose=verbose,
    )


def check_weat_effect_size(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``weat_effect_size(X, Y, A, B)`` on embeddings (rows are words).

    s(w, A, B) is the mean cosine similarity of w with A minus that with B; the
    effect size is (mean of s over X - mean over Y) divided by the sample standard
    deviation (n - 1) of s over X and Y together. The embeddings have unequal
    lengths, so dot products instead of cosines are caught, and the sets are small,
    so a population standard deviation is caught too.
    """
    from .audit import weat_effect_size

    generator = torch.Generator().manual_seed(17)
    cases = []
    for sizes, dim in [((3, 3, 2, 2), 4), ((4, 5, 3, 4), 6), ((2, 2, 5, 3), 3)]:
        X, Y, A, B = (
            torch.randn(k, dim, generator=generator)
            * torch.rand(k, 1, generator=generator).add(0.2)
            * 3
            for k in sizes
        )
        cases.append({"X": X + A.mean(0), "Y": Y, "A": A, "B": B})

    def as_float(X, Y, A, B):
        return float(candidate(X, Y, A, B))

    def reference(X, Y, A, B):
        return weat_effect_size(X, Y, A, B)

    return check_values(
        as_float,
        reference,
        cases,
        name="weat_effect_size",
        tolerance=1e-5,
        strict=strict,
        verbose=verbose,
    )


# Applications chapter: vision ------------------------------------------------


def _fgsm_cases() -> list[dict]:
    generator = torch.Generator().manual_seed(17)
    cases = []
    for n, features, classes, epsilon in [
        (1, 3, 2, 0.1),
        (4, 6, 3, 0.03),
        (5, 8, 4, 0.3),
    ]:
        model = torch.nn.Linear(features, classes)
        with torch.no_grad():
            model.weight.copy_(torch.randn(classes, features, generator=generator))
            model.bias.copy_(torch.randn(classes, generator=generator))
        cases.append(
            {
                "model": model,
                "x": torch.rand(n, features, generator=generator),
                "y": torch.randint(0, classes, (n,), generator=generator),
                "epsilon": epsilon,
            }
        )
    return cases


def check_fgsm(
    candidate: Callable, strict: bool = False, verbose: bool = True
) -> CheckResult:
    """Check ``fgsm(model, x, y, epsilon)``: one step ``epsilon * sign(gradient)``, kept in [0, 1].

    The gradient is that of the cross-entropy of ``model(x)`` against ``y`` with
    respect to ``x``; the reference is :func:`course_utils.robustness.fgsm`. Small
    linear models, whose gradient is known in closed form.
    """
    from .robustness import fgsm

    return check_function(
        candidate,
        lambda **case: fgsm(**case),
        _fgsm_cases(),
        name="fgsm",
        atol=1e-6,
        strict=strict,
        verbose=verbose,
    )
