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
    "check_function",
    "check_conv2d",
    "check_max_pool2d",
    "ExerciseFailed",
    # recurrent networks
    "check_rnn_sequence",
    "check_softmax_with_temperature",
    # Foundations chapter
    "check_activation_derivative",
    "check_linear_backward",
    # Optimizers chapter
    "check_adam",
    "check_sgd_momentum",
    "check_attention",
    # Applications chapter
    "check_values",
    "check_recall_at_k",
    "check_ndcg_at_k",
    "check_char_ngrams",
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
        shown = (
            f"tensor{tuple(value.shape)}"
            if isinstance(value, torch.Tensor)
            else repr(value)
        )
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
    if not callable(candidate):
        raise TypeError(f"expected a function to check, got {type(candidate).__name__}")
    if not cases:
        raise ValueError("check_function needs at least one case")
    message = None
    for number, case in enumerate(cases, start=1):
        expected = reference(**case)
        try:
            got = candidate(**case)
        except NotImplementedError:
            message = f"{name}: not written yet (it raised NotImplementedError). Fill in its body."
            break
        except Exception as error:  # the student's bug, reported rather than raised
            message = (
                f"{name} failed on case {number} of {len(cases)} ({_describe(case)}): "
                f"{type(error).__name__}: {error}"
            )
            break
        problem = _compare(got, expected, atol, rtol)
        if problem:
            message = f"{name} is wrong on case {number} of {len(cases)} ({_describe(case)}): {problem}"
            break
    passed = message is None
    if passed:
        message = f"{name}: all {len(cases)} cases match the reference. Well done!"
    result = CheckResult(
        name, passed, len(cases), ("PASS " if passed else "NOT YET ") + message
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
    if not callable(candidate):
        raise TypeError(f"expected a function to check, got {type(candidate).__name__}")
    if not cases:
        raise ValueError("check_values needs at least one case")
    message = None
    for number, case in enumerate(cases, start=1):
        expected = reference(**case)
        try:
            got = candidate(**case)
        except NotImplementedError:
            message = f"{name}: not written yet (it raised NotImplementedError). Fill in its body."
            break
        except Exception as error:  # the student's bug, reported rather than raised
            message = (
                f"{name} failed on case {number} of {len(cases)} ({case!r:.100}): "
                f"{type(error).__name__}: {error}"
            )
            break
        problem = _same(got, expected, tolerance)
        if problem:
            message = f"{name} is wrong on case {number} of {len(cases)} ({case!r:.100}): {problem}"
            break
    passed = message is None
    if passed:
        message = f"{name}: all {len(cases)} cases match the reference. Well done!"
    result = CheckResult(
        name, passed, len(cases), ("PASS " if passed else "NOT YET ") + message
    )
    if verbose:
        print(result.message)
    if strict and not passed:
        raise ExerciseFailed(result.message)
    return result


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
