"""Sequences for the recurrent-network chapter: real time series, real names, a memory task.

* :func:`load_sunspots` and :func:`load_co2`: real time series that ship inside
  ``statsmodels`` (yearly sunspot numbers since 1700; weekly CO2 at Mauna Loa).
* :func:`sliding_windows`: turn a series into (window -> next value) training pairs.
* :func:`load_names`: the US census first names of the ``names`` package, to be
  encoded with :class:`~course_utils.data.CharVocab`.
* :func:`long_gap_task`: a synthetic test of memory, "which symbol came first,
  before a long stretch of distractors?".

Example:
    >>> X, y = sliding_windows(torch.arange(6.0), window=3)
    >>> X.tolist(), y.tolist()
    ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]], [3.0, 4.0, 5.0])
"""

from __future__ import annotations

import torch

from .._validation import require_int, require_package, shape_of
from .names import load_first_names

__all__ = [
    "load_sunspots",
    "load_co2",
    "sliding_windows",
    "load_names",
    "long_gap_task",
]


# ----------------------------------------------------------------------------- time series


def load_sunspots() -> tuple[torch.Tensor, torch.Tensor]:
    """Yearly mean sunspot numbers, 1700 to 2008 (309 values), from ``statsmodels``.

    Returns:
        ``(years, values)``, two float32 tensors of length 309.

    Example:
        >>> years, values = load_sunspots()
        >>> int(years[0]), int(years[-1]), len(values)
        (1700, 2008, 309)
    """
    datasets = require_package(
        "statsmodels.datasets", "statsmodels", "The sunspot series"
    )
    frame = datasets.sunspots.load_pandas().data
    years = torch.tensor(frame["YEAR"].to_numpy(), dtype=torch.float32)
    values = torch.tensor(frame["SUNACTIVITY"].to_numpy(), dtype=torch.float32)
    return years, values


def load_co2() -> tuple[torch.Tensor, torch.Tensor]:
    """Monthly mean CO2 concentration at Mauna Loa (ppm), March 1958 to December 2001.

    ``statsmodels`` ships weekly readings with a few gaps; they are averaged per month
    and the rare empty month is filled by linear interpolation.

    Returns:
        ``(time, values)``: time in fractional years, CO2 in ppm, float32.

    Example:
        >>> time, co2 = load_co2()
        >>> len(co2), bool(310 < co2[0] < 320), bool(co2.isnan().any())
        (526, True, False)
    """
    datasets = require_package("statsmodels.datasets", "statsmodels", "The CO2 series")
    weekly = datasets.co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate()
    time = monthly.index.year + (monthly.index.month - 1) / 12
    return (
        torch.tensor(time.to_numpy(), dtype=torch.float32),
        torch.tensor(monthly.to_numpy(), dtype=torch.float32),
    )


def sliding_windows(
    series: torch.Tensor, window: int, horizon: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every run of ``window`` consecutive values, paired with the value ``horizon`` later.

    Args:
        series: a 1-D tensor.
        window: how many past values each input holds.
        horizon: 1 predicts the next value, 2 the one after, and so on.

    Returns:
        ``X`` of shape (N, window) and ``y`` of shape (N,), with
        ``N = len(series) - window - horizon + 1`` and
        ``y[i] = series[i + window + horizon - 1]``.
    """
    if not isinstance(series, torch.Tensor):
        raise TypeError(
            f"sliding_windows: series must be a 1-D tensor, got {shape_of(series)}"
        )
    if series.dim() != 1:
        raise ValueError(
            f"sliding_windows: series must be a 1-D tensor, got shape {tuple(series.shape)}"
        )
    require_int("sliding_windows", "window", window, minimum=1)
    require_int("sliding_windows", "horizon", horizon, minimum=1)
    count = len(series) - window - horizon + 1
    if count < 1:
        raise ValueError(
            f"sliding_windows: a series of length {len(series)} is too short for "
            f"window {window} and horizon {horizon}"
        )
    X = series.unfold(0, window, 1)[:count]
    y = series[window + horizon - 1 :][:count]
    return X.clone(), y.clone()


# ----------------------------------------------------------------------------- names


def load_names(min_length: int = 2, max_length: int = 12) -> list[str]:
    """The distinct first names of the US census lists in the ``names`` package, lower case.

    The 1990 census lists hold 4,275 female and 1,219 male first names; names on both
    lists are kept once. The result is sorted, so it is the same on every machine.

    Example:
        >>> everyone = load_names()
        >>> len(everyone) > 5000, everyone[:3]
        (True, ['aaron', 'abbey', 'abbie'])
    """
    everyone = load_first_names()  # the census lists, read in course_utils.data.names
    return [
        name
        for name in everyone
        if name.isalpha() and min_length <= len(name) <= max_length
    ]


# ----------------------------------------------------------------------------- memory task


def long_gap_task(
    count: int,
    gap: int,
    num_symbols: int = 2,
    num_distractors: int = 4,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences whose label is their first token, followed by ``gap`` random distractors.

    Tokens ``0 .. num_symbols-1`` are the symbols to remember; the distractors are the
    next ``num_distractors`` ids. A model that reads the whole sequence and answers at
    the end must carry the first token across ``gap`` steps; chance is
    ``1 / num_symbols``.

    Returns:
        ``tokens`` (count, gap + 1) int64 and ``labels`` (count,) int64.

    Example:
        >>> tokens, labels = long_gap_task(3, gap=5, seed=0)
        >>> tokens.shape, bool((tokens[:, 0] == labels).all()), bool((tokens[:, 1:] >= 2).all())
        (torch.Size([3, 6]), True, True)
    """
    for name, value, low in (
        ("count", count, 1),
        ("gap", gap, 0),
        ("num_symbols", num_symbols, 2),
        ("num_distractors", num_distractors, 1),
    ):
        require_int("long_gap_task", name, value, minimum=low)
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, num_symbols, (count,), generator=generator)
    distractors = torch.randint(
        num_symbols, num_symbols + num_distractors, (count, gap), generator=generator
    )
    return torch.cat([labels[:, None], distractors], dim=1), labels
