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
    "check_attention",
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
