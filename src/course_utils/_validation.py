"""Argument checks shared by the whole package: fail early, saying what was expected and given.

One rule everywhere: the wrong *type* raises ``TypeError``; the right type with a
wrong *shape or value* raises ``ValueError``. Every message names the function
(``who``), the argument and what was received, so a student who calls a function
wrongly learns why instead of meeting a cryptic failure deep inside.

Example:
    >>> import torch
    >>> require_dims(torch.zeros(2, 3), 2, "f", "a matrix (N, D)")
    >>> shape_of([1, 2])
    'list'
    >>> as_pair(2, "stride", "conv2d", minimum=1)
    (2, 2)
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from numbers import Real
from types import ModuleType

import torch

IntPair = int | tuple[int, int]


def shape_of(value: object) -> object:
    """A tensor's shape as a tuple, or the type name of anything else (for messages)."""
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    return type(value).__name__


def require_tensor(value: object, who: str, name: str = "input") -> torch.Tensor:
    """Raise TypeError unless ``value`` is a tensor; return it."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{who}: {name} must be a torch.Tensor, got {type(value).__name__}"
        )
    return value


def require_dims(value: object, dims: int, who: str, expected: str) -> None:
    """Raise unless ``value`` is a tensor with ``dims`` dimensions.

    Args:
        value: what the caller passed.
        dims: the number of dimensions required.
        who: the function or class doing the check, for the message.
        expected: a description such as ``"images (N, C, H, W)"``.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{who} expects {expected}, got {type(value).__name__}")
    if value.dim() != dims:
        raise ValueError(f"{who} expects {expected}, got {shape_of(value)}")


def require_number(who: str, name: str, value: object) -> float:
    """Raise TypeError unless ``value`` is a real number (not a bool); return it as float."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{who}: {name} must be a number, got {value!r}")
    return float(value)


def require_non_negative(who: str, name: str, value: object) -> float:
    """A number >= 0 (NaN is rejected too)."""
    if not require_number(who, name, value) >= 0:
        raise ValueError(f"{who}: {name} must be >= 0, got {value!r}")
    return float(value)


def require_positive(who: str, name: str, value: object) -> float:
    """A number > 0 (NaN is rejected too)."""
    if not require_number(who, name, value) > 0:
        raise ValueError(f"{who}: {name} must be > 0, got {value!r}")
    return float(value)


def require_fraction(who: str, name: str, value: object) -> float:
    """A number in [0, 1)."""
    if not 0 <= require_number(who, name, value) < 1:
        raise ValueError(f"{who}: {name} must be in [0, 1), got {value!r}")
    return float(value)


def require_betas(who: str, betas: object) -> None:
    """A pair (beta1, beta2) of numbers in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"{who}: betas must be a pair (beta1, beta2), got {betas!r}")
    require_fraction(who, "betas[0]", betas[0])
    require_fraction(who, "betas[1]", betas[1])


def require_int(who: str, name: str, value: object, minimum: int | None = None) -> int:
    """An int (not a bool), at least ``minimum`` when given.

    Example:
        >>> require_int("fit", "epochs", 3, minimum=1)
        3
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{who}: {name} must be an int, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{who}: {name} must be >= {minimum}, got {value!r}")
    return value


def require_choice(who: str, name: str, value: object, choices: Sequence) -> None:
    """Raise ValueError unless ``value`` is one of ``choices``."""
    if value not in choices:
        known = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{who}: unknown {name} {value!r}, expected one of {known}")


def as_pair(value: IntPair, name: str, fn: str, minimum: int) -> tuple[int, int]:
    """Turn ``3`` or ``(3, 3)`` into ``(3, 3)`` and check both numbers are >= ``minimum``.

    Example:
        >>> as_pair(2, "stride", "conv2d", minimum=1)
        (2, 2)
    """
    if isinstance(value, bool):
        raise TypeError(f"{fn}: {name} must be an int or a pair of ints, got {value!r}")
    if isinstance(value, int):
        pair = (value, value)
    elif (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        pair = (value[0], value[1])
    else:
        raise TypeError(f"{fn}: {name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{fn}: {name} must be >= {minimum}, got {value!r}")
    return pair


def as_image_batch(input: torch.Tensor, fn: str) -> tuple[torch.Tensor, bool]:
    """Check ``input`` is (N, C, H, W) or (C, H, W) floating point; return it 4-D.

    The second value says whether a batch dimension was added (so the caller
    can remove it again, as PyTorch does for unbatched input).

    Example:
        >>> x, added = as_image_batch(torch.zeros(3, 8, 8), "conv2d")
        >>> tuple(x.shape), added
        ((1, 3, 8, 8), True)
    """
    if not isinstance(input, torch.Tensor):
        raise TypeError(
            f"{fn}: input must be a torch.Tensor, got {type(input).__name__}"
        )
    if input.dim() not in (3, 4):
        raise ValueError(
            f"{fn}: expected input of shape (N, C, H, W) or (C, H, W), "
            f"got {input.dim()}-D input of shape {tuple(input.shape)}"
        )
    if not input.is_floating_point():
        raise TypeError(
            f"{fn}: input must be a floating-point tensor, got dtype {input.dtype}"
        )
    if input.dim() == 3:
        return input.unsqueeze(0), True
    return input, False


def require_package(module: str, package: str, purpose: str) -> ModuleType:
    """Import ``module``; if it is missing, raise an ImportError naming the pip package.

    Example:
        >>> require_package("numpy", "numpy", "arrays").__name__
        'numpy'
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{purpose} needs the package '{package}', which is not installed: "
            f"run `pip install {package}` (or `pip install -r requirements.txt`)"
        ) from error


# ------------------------------------------------- dtypes, scope and loss arguments
# The from-scratch functions in ``course_utils.nn.functional`` refuse what their
# docstrings name as out of scope with a message that says so in these words.
OUT_OF_SCOPE = "out of scope"


def require_floating(value: object, who: str, name: str = "input") -> torch.Tensor:
    """Raise unless ``value`` is a real floating-point tensor; return it.

    Complex, integer and bool tensors raise ``TypeError`` saying they are out of
    scope (the from-scratch functions handle real floating point only).

    Example:
        >>> require_floating(torch.zeros(2), "relu").dtype
        torch.float32
        >>> require_floating(torch.zeros(2, dtype=torch.cfloat), "relu")
        Traceback (most recent call last):
        ...
        TypeError: relu: input has dtype torch.complex64: complex tensors are out of scope (real floating point only)
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{who}: {name} must be a torch.Tensor, got {type(value).__name__}"
        )
    if value.is_complex():
        raise TypeError(
            f"{who}: {name} has dtype {value.dtype}: complex tensors are "
            f"{OUT_OF_SCOPE} (real floating point only)"
        )
    if not value.is_floating_point():
        raise TypeError(
            f"{who}: {name} must be a floating-point tensor, got dtype {value.dtype} "
            f"(integer and bool tensors are {OUT_OF_SCOPE})"
        )
    return value


def require_same_dtype(
    who: str, name: str, value: torch.Tensor, dtype: torch.dtype
) -> None:
    """Raise TypeError unless the tensor ``value`` has ``dtype`` (mixed dtypes are not promoted)."""
    if value.dtype != dtype:
        raise TypeError(
            f"{who}: {name} has dtype {value.dtype} but input has dtype {dtype}"
        )


def require_bool(who: str, name: str, value: object) -> bool:
    """Raise TypeError unless ``value`` is a bool; return it.

    Example:
        >>> require_bool("max_pool2d", "ceil_mode", True)
        True
    """
    if not isinstance(value, bool):
        raise TypeError(f"{who}: {name} must be True or False, got {value!r}")
    return value


def require_dim(who: str, dim: object, ndim: int, shape: tuple) -> int:
    """Check a dimension index for a tensor of ``ndim`` dimensions; return it non-negative.

    A 0-d tensor accepts ``dim`` 0 and -1, as in PyTorch.

    Example:
        >>> require_dim("softmax", -1, 3, (2, 3, 4))
        2
    """
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{who}: dim must be an int, got {dim!r}")
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise ValueError(
            f"{who}: dim {dim} is out of range for input of shape {shape} "
            f"(expected a dim in [{-size}, {size - 1}])"
        )
    return dim % size


REDUCTIONS = ("none", "mean", "sum")


def require_reduction(
    who: str, reduction: object, size_average: object = None, reduce: object = None
) -> str:
    """Check a loss's ``reduction``; refuse PyTorch's deprecated ``size_average``/``reduce``.

    Example:
        >>> require_reduction("mse_loss", "sum")
        'sum'
        >>> require_reduction("mse_loss", "mean", size_average=False)
        Traceback (most recent call last):
        ...
        ValueError: mse_loss: size_average and reduce are deprecated in PyTorch (got size_average=False, reduce=None); pass reduction='none', 'mean' or 'sum' instead
    """
    if size_average is not None or reduce is not None:
        raise ValueError(
            f"{who}: size_average and reduce are deprecated in PyTorch (got "
            f"size_average={size_average!r}, reduce={reduce!r}); pass "
            "reduction='none', 'mean' or 'sum' instead"
        )
    require_choice(who, "reduction", reduction, REDUCTIONS)
    return reduction  # type: ignore[return-value]


def image_batch(input: object, fn: str) -> tuple[torch.Tensor, bool]:
    """:func:`as_image_batch` in one pass, refusing complex and integer tensors as out of scope.

    Example:
        >>> x, added = image_batch(torch.zeros(3, 8, 8), "conv2d")
        >>> tuple(x.shape), added
        ((1, 3, 8, 8), True)
    """
    if not isinstance(input, torch.Tensor):
        raise TypeError(
            f"{fn}: input must be a torch.Tensor, got {type(input).__name__}"
        )
    dims = input.dim()
    if dims != 4 and dims != 3:
        raise ValueError(
            f"{fn}: expected input of shape (N, C, H, W) or (C, H, W), "
            f"got {dims}-D input of shape {tuple(input.shape)}"
        )
    if not input.is_floating_point():
        require_floating(input, fn)  # raises, naming what is out of scope
    if dims == 3:
        return input.unsqueeze(0), True
    return input, False
