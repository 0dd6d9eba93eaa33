"""PyTorch's own test inputs (its OpInfo sample inputs) as an external test set.

For every operator that ``course_utils.nn.functional`` mirrors, PyTorch's test
suite lists sample inputs: shapes, strides and arguments its developers chose
to cover the corner cases (unbatched inputs, zero-size tensors, grouped and
dilated convolutions, ``ceil_mode`` pooling, K-dimensional cross-entropy...).
Each sample runs through PyTorch's operator and through ours, in float64,
float32 and, where PyTorch supports it, complex128. Every sample must either
give PyTorch's answer (within tight tolerances for the dtype), or be refused
with an error whose message says "out of scope" (what the docstrings name:
complex tensors, for instance). A refusal of anything else, or a wrong answer,
fails the test. The counts per operator are printed as a table.

Importing PyTorch's test internals needs the ``expecttest`` package.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pytest
import torch

import course_utils.nn.functional as CF
from course_utils._validation import OUT_OF_SCOPE
from course_utils.device import single_cpu_thread

pytest.importorskip("expecttest", reason="torch's OpInfo database needs expecttest")
common_methods_invocations = pytest.importorskip(
    "torch.testing._internal.common_methods_invocations"
)

# PyTorch's own warnings on some samples (softmax of a complex input with a real
# dtype; padding='same' with an even kernel), seen from both sides.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Casting complex values to real"),
    pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel"),
]

# (OpInfo name, variant) -> our function(s) that must behave like it.
OURS = {
    ("nn.functional.conv2d", ""): [CF.conv2d, CF.conv2d_loops],
    ("nn.functional.max_pool2d", ""): [CF.max_pool2d, CF.max_pool2d_loops],
    ("nn.functional.linear", ""): [CF.linear],
    ("nn.functional.cross_entropy", ""): [CF.cross_entropy],
    ("nn.functional.mse_loss", ""): [CF.mse_loss],
    ("nn.functional.scaled_dot_product_attention", ""): [
        CF.scaled_dot_product_attention
    ],
    ("softmax", ""): [CF.softmax],
    ("softmax", "with_dtype"): [CF.softmax],
    ("log_softmax", ""): [CF.log_softmax],
    ("log_softmax", "with_dtype"): [CF.log_softmax],
    ("nn.functional.relu", ""): [CF.relu],
    ("nn.functional.leaky_relu", ""): [CF.leaky_relu],
    ("nn.functional.elu", ""): [CF.elu],
    ("nn.functional.gelu", ""): [CF.gelu],
    ("nn.functional.silu", ""): [CF.silu],
    ("nn.functional.silu", "complex"): [CF.silu],
    ("nn.functional.softplus", ""): [CF.softplus],
    ("sigmoid", ""): [CF.sigmoid],
    ("tanh", ""): [CF.tanh],
}

DTYPES = (torch.float64, torch.float32, torch.complex128)

# Tight tolerances per dtype. float32 results may differ from PyTorch's in the last
# bits because the order of the additions differs (PyTorch's kernels block and
# vectorise their sums); float64 leaves no room for a real mistake.
TOLERANCE = {
    torch.float64: {"rtol": 1e-7, "atol": 1e-7},
    torch.float32: {"rtol": 1e-5, "atol": 1e-5},
}
# Attention with dropout doubles the kept weights, and its float32 kernel sums in
# blocks: a little more room for it in float32 only.
TOLERANCE_OVERRIDES = {
    ("scaled_dot_product_attention", torch.float32): {"rtol": 1e-4, "atol": 1e-4},
}


@dataclass
class Counts:
    """What happened to the samples of one (operator, our function) pair."""

    match: int = 0
    refused_in_scope: int = 0
    out_of_scope: int = 0
    wrong: int = 0
    problems: list[str] = field(default_factory=list)


def _describe(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"{tuple(value.shape)} {str(value.dtype).removeprefix('torch.')}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_describe(v) for v in value) + ")"
    return repr(value)


def _seeded(fn, *args, **kwargs):
    """Call with the RNG seeded as OpInfo seeds PyTorch's side (dropout draws the same mask)."""
    with torch.random.fork_rng():
        torch.manual_seed(42)
        return fn(*args, **kwargs)


def _compare(ours, expected, name) -> str | None:
    """None if ``ours`` is PyTorch's answer, else what differs."""
    if isinstance(expected, tuple):  # max_pool2d with return_indices
        if not isinstance(ours, tuple) or len(ours) != len(expected):
            return f"returned {_describe(ours)}, expected {_describe(expected)}"
        for a, e in zip(ours, expected):
            problem = _compare(a, e, name)
            if problem:
                return problem
        return None
    if not isinstance(ours, torch.Tensor):
        return f"returned {type(ours).__name__}"
    if ours.shape != expected.shape or ours.dtype != expected.dtype:
        return f"returned {_describe(ours)}, expected {_describe(expected)}"
    if not expected.is_floating_point():
        return None if torch.equal(ours, expected) else "different integer values"
    dtype = (
        expected.dtype
    )  # the result's: softmax(..., dtype=) may differ from the input's
    tolerance = TOLERANCE_OVERRIDES.get((name, dtype), TOLERANCE[dtype])
    try:
        torch.testing.assert_close(ours, expected, equal_nan=True, **tolerance)
    except AssertionError as error:
        return str(error).splitlines()[-1] if str(error) else "values differ"
    return None


# The fast run takes every sample of every operator except max_pool2d's 1,440 per
# dtype, of which it takes every EVERY-th; the slow run (``-m slow``) takes all.
EVERY = 10


@functools.cache
def opinfo_results(every: int = 1) -> dict[str, Counts]:
    """Run the samples once; rows are keyed 'opinfo name: our function'.

    ``every``: of an operator with more than 100 samples per dtype, run only every
    ``every``-th. One CPU thread: these tensors are tiny, and waking a second
    thread for each call costs more than the work (far more on a busy machine).
    """
    op_db = common_methods_invocations.op_db
    results: dict[str, Counts] = {}
    found = set()
    with single_cpu_thread("cpu"):
        for op in op_db:
            key = (op.name, op.variant_test_name)
            if key in OURS:
                found.add(key)
                _run_samples(op, OURS[key], results, every)
    missing = set(OURS) - found
    assert not missing, f"OpInfo entries not found in this torch: {missing}"
    return results


def _run_samples(op, functions, results: dict[str, Counts], every: int) -> None:
    label = op.name + (f" ({op.variant_test_name})" if op.variant_test_name else "")
    rows = [results.setdefault(f"{label}: {fn.__name__}", Counts()) for fn in functions]
    supported = op.supported_dtypes("cpu")
    for dtype in DTYPES:
        if dtype not in supported:
            continue
        samples = list(op.sample_inputs("cpu", dtype, requires_grad=False))
        if len(samples) > 100:
            samples = samples[::every]
        for sample in samples:
            args, kwargs = (sample.input, *sample.args), sample.kwargs
            expected = _seeded(op.op, *args, **kwargs)
            where = f"{_describe(args)} {kwargs}"
            for fn, counts in zip(functions, rows):
                try:
                    ours = _seeded(fn, *args, **kwargs)
                except (TypeError, ValueError) as error:
                    if OUT_OF_SCOPE in str(error):
                        counts.out_of_scope += 1
                        if dtype.is_floating_point:  # real floats are always in scope
                            counts.problems.append(f"out of scope? {where}: {error}")
                    else:
                        counts.refused_in_scope += 1
                        counts.problems.append(f"refused {where}: {error}")
                    continue
                problem = _compare(ours, expected, fn.__name__)
                if problem:
                    counts.wrong += 1
                    counts.problems.append(f"wrong {where}: {problem}")
                else:
                    counts.match += 1


def _table(results: dict[str, Counts]) -> str:
    width = max(len(name) for name in results) + 1
    header = (
        f"{'OpInfo operator: our function':{width}} {'match':>6} {'refused':>8} "
        f"{'out of scope':>13} {'wrong':>6}"
    )
    total = Counts(
        *(
            sum(getattr(c, f) for c in results.values())
            for f in ("match", "refused_in_scope", "out_of_scope", "wrong")
        )
    )
    lines = [header, "-" * len(header)]
    for name, c in [*results.items(), ("total", total)]:
        if name == "total":
            lines.append("-" * len(header))
        lines.append(
            f"{name:{width}} {c.match:6d} {c.refused_in_scope:8d} "
            f"{c.out_of_scope:13d} {c.wrong:6d}"
        )
    return "\n".join(lines)


def _check_all(results: dict[str, Counts], capsys, title: str) -> None:
    with capsys.disabled():
        print(f"\n\nPyTorch's OpInfo samples, {title}:")
        print(_table(results))
    problems = [f"{name}: {p}" for name, c in results.items() for p in c.problems]
    assert not problems, "\n".join(problems[:20])


def test_opinfo_samples_match_torch_or_are_out_of_scope(capsys):
    _check_all(
        opinfo_results(EVERY),
        capsys,
        f"float64, float32, complex128 where supported (max_pool2d: every {EVERY}th)",
    )


@pytest.mark.slow
def test_every_opinfo_sample_matches_torch_or_is_out_of_scope(capsys):
    _check_all(
        opinfo_results(1), capsys, "float64, float32, complex128 where supported (all)"
    )


@pytest.mark.parametrize("key", sorted(f"{n}|{v}" for n, v in OURS))
def test_every_real_floating_sample_is_in_scope_and_matches(key):
    """Per operator: float64 and float32 samples all match (none out of scope, none wrong)."""
    name, variant = key.split("|")
    label = name + (f" ({variant})" if variant else "")
    rows = {k: c for k, c in opinfo_results(EVERY).items() if k.split(": ")[0] == label}
    assert len(rows) == len(OURS[(name, variant)])
    for row, counts in rows.items():
        assert counts.refused_in_scope == 0 and counts.wrong == 0, (
            row,
            counts.problems[:5],
        )
        if variant != "complex":  # the complex variant has complex samples only
            assert counts.match > 0, row
