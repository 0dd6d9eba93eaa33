"""Timing with a spread: contenders timed in turns, summarised by median and quartiles.

Two pieces of code timed one after the other (all of A, then all of B) see
different machines: a background job, a CPU clock that ramps up, a cache warmed
by the first. Timed in turns (A B, B A, A B, ...), both see the same machine, and
the ratio of each round's pair cancels most of what drifts. Every contender
keeps its own number of calls per sample, chosen so that a sample lasts about a
millisecond (a clock reading is then negligible), and the same number of rounds.

Example:
    >>> ticks = iter(range(100))
    >>> seconds = interleaved({"a": lambda: None}, rounds=3, clock=lambda: next(ticks))
    >>> seconds["a"]  # the fake clock ticks once per reading
    [1.0, 1.0, 1.0]
    >>> Spread.of([1.0, 2.0, 3.0, 4.0, 100.0]).median
    3.0
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

Clock = Callable[[], float]
SAMPLE_S = 1e-3  # shortest sample: many calls of a fast function are timed together
MIN_ROUNDS = 15
MAX_ROUNDS = 100


@dataclass(frozen=True)
class Spread:
    """Median, quartiles and extremes of repeated measurements."""

    median: float
    q1: float
    q3: float
    min: float
    max: float
    runs: int

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if len(values) == 0:
            raise ValueError("Spread.of: no values")
        q1, median, q3 = np.percentile(values, [25, 50, 75]).tolist()
        return cls(median, q1, q3, float(min(values)), float(max(values)), len(values))

    def scaled(self, factor: float) -> Spread:
        """Every statistic times ``factor`` (> 0), e.g. 1e3 for seconds to milliseconds."""
        if not factor > 0:
            raise ValueError(f"Spread.scaled: factor must be > 0, got {factor!r}")
        return Spread(
            self.median * factor,
            self.q1 * factor,
            self.q3 * factor,
            self.min * factor,
            self.max * factor,
            self.runs,
        )

    def inverted(self, numerator: float = 1.0) -> Spread:
        """``numerator / value`` of each statistic (seconds per step -> steps per second)."""
        return Spread(
            numerator / self.median,
            numerator / self.q3,
            numerator / self.q1,
            numerator / self.max,
            numerator / self.min,
            self.runs,
        )

    def as_dict(self) -> dict:
        return asdict(self)


def calls_per_sample(fn: Callable[[], object], clock: Clock = time.perf_counter) -> int:
    """How many calls of ``fn`` last at least :data:`SAMPLE_S` (1, 2, 5, 10, 20, ...)."""
    for number in (m * 10**e for e in range(7) for m in (1, 2, 5)):
        start = clock()
        for _ in range(number):
            fn()
        if clock() - start >= SAMPLE_S:
            return number
    return number


def interleaved(
    contenders: dict[str, Callable[[], object]],
    rounds: int,
    numbers: dict[str, int] | None = None,
    clock: Clock = time.perf_counter,
    sync: Callable[[], object] = lambda: None,
) -> dict[str, list[float]]:
    """Seconds per call of each contender, one sample each per round, in turns.

    The order of the contenders is reversed every other round, so no contender
    always runs right after another one. ``numbers[name]`` calls are timed together
    (default 1) and divided out. ``sync()`` runs before each clock reading: pass one
    that waits for the GPU when timing GPU code.
    """
    if rounds < 1:
        raise ValueError(f"interleaved: rounds must be >= 1, got {rounds}")
    numbers = numbers or {}
    names = list(contenders)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names if index % 2 == 0 else reversed(names):
            fn, number = contenders[name], numbers.get(name, 1)
            sync()
            start = clock()
            for _ in range(number):
                fn()
            sync()
            seconds[name].append((clock() - start) / number)
    return seconds


def rounds_within(
    seconds_per_round: float,
    budget_s: float,
    least: int = MIN_ROUNDS,
    most: int = MAX_ROUNDS,
) -> int:
    """As many rounds as fit in ``budget_s``, but at least ``least`` and at most ``most``."""
    if seconds_per_round <= 0:
        return most
    return int(min(most, max(least, budget_s // seconds_per_round)))


def compare(
    mine: Callable[[], object],
    theirs: Callable[[], object],
    budget_s: float = 1.5,
    clock: Clock = time.perf_counter,
) -> dict:
    """Time ``mine()`` against ``theirs()`` in turns; medians, quartiles and the ratio.

    Returns milliseconds per call of each side (``scratch_ms``, ``torch_ms``:
    medians; ``*_spread``: the full :class:`Spread`) and ``ratio``, the median of
    the per-round ratios mine / theirs, with its own spread.
    """
    mine(), theirs()  # warm-up: first-call allocations, lazy imports
    numbers = {
        "mine": calls_per_sample(mine, clock),
        "theirs": calls_per_sample(theirs, clock),
    }
    probe = interleaved({"mine": mine, "theirs": theirs}, 1, numbers, clock)
    per_round = sum(probe[k][0] * numbers[k] for k in probe)
    rounds = rounds_within(per_round, budget_s)
    seconds = interleaved({"mine": mine, "theirs": theirs}, rounds, numbers, clock)
    ratios = [a / b for a, b in zip(seconds["mine"], seconds["theirs"]) if b > 0]
    scratch_ms = Spread.of(seconds["mine"]).scaled(1e3)
    torch_ms = Spread.of(seconds["theirs"]).scaled(1e3)
    ratio = Spread.of(ratios) if ratios else None
    return {
        "scratch_ms": scratch_ms.median,
        "torch_ms": torch_ms.median,
        "ratio": ratio.median if ratio else float("nan"),
        "scratch_spread": scratch_ms.as_dict(),
        "torch_spread": torch_ms.as_dict(),
        "ratio_spread": ratio.as_dict() if ratio else None,
        "rounds": rounds,
        "calls_per_sample": numbers,
    }
