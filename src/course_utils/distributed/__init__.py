"""Distributed training for real: scripts that ``torchrun`` starts, and how to start them.

PyTorch's distributed engine runs one process per device (``rank``); the
processes meet at a rendezvous and then exchange tensors with collectives such
as ``all_reduce``. The same code runs on two CPU processes of a laptop (the
``gloo`` backend) and on eight GPUs of a server (``nccl``): only the backend and
the device change, and :func:`init` picks both.

The scripts of this package are modules, started with::

    python -m torch.distributed.run --nproc-per-node 2 --standalone \\
        -m course_utils.distributed.ring_all_reduce

- :mod:`~course_utils.distributed.ring_all_reduce`: an all-reduce written by hand
  as a ring of point-to-point sends, checked against ``dist.all_reduce``;
- :mod:`~course_utils.distributed.ddp_tiny_gpt`: ``DistributedDataParallel``
  training of the tiny GPT, checked against one process on the combined batch,
  with the cost of communication measured;
- :mod:`~course_utils.distributed.fsdp_tiny_gpt`: the same with sharded data
  parallelism (FSDP2, ``fully_shard``): each rank keeps half of every tensor.

:func:`launch` starts one of them from Python (a notebook) and returns what the
processes printed, plus the results they reported on lines that start with
``RESULT``. :func:`simulate_ring_all_reduce` runs the ring on a list of tensors
in one process, step by step, to see what each rank holds.

Example:
    >>> import torch
    >>> ranks = [torch.tensor([1.0, 2.0, 3.0]), torch.tensor([10.0, 20.0, 30.0])]
    >>> [t.tolist() for t in simulate_ring_all_reduce(ranks)]
    [[11.0, 22.0, 33.0], [11.0, 22.0, 33.0]]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field

import torch

from .._validation import require_int

__all__ = [
    "RESULT_PREFIX",
    "SCRIPTS",
    "LaunchResult",
    "launch",
    "torchrun_command",
    "init",
    "report",
    "say",
    "median_seconds",
    "simulate_ring_all_reduce",
]

#: Lines a script prints with this prefix carry a JSON result for :func:`launch`.
RESULT_PREFIX = "RESULT "

#: The scripts this package ships, by module name.
SCRIPTS = ("ring_all_reduce", "ddp_tiny_gpt", "fsdp_tiny_gpt")


def init() -> tuple[int, int, torch.device]:
    """Join the process group that ``torchrun`` set up; return (rank, world size, device).

    NCCL on CUDA when there is one GPU per process, else gloo on the CPU.
    """
    import torch.distributed as dist

    world = int(os.environ.get("WORLD_SIZE", "1"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available() and torch.cuda.device_count() >= world:
        device = torch.device("cuda", local)
        torch.cuda.set_device(device)
        dist.init_process_group("nccl", device_id=device)
    else:
        device = torch.device("cpu")
        dist.init_process_group("gloo")
    return dist.get_rank(), dist.get_world_size(), device


def say(rank: int, text: str) -> None:
    """Print ``[rank R] text`` in one write, so that lines of two processes never interleave."""
    sys.stdout.write(f"[rank {rank}] {text}\n")
    sys.stdout.flush()


def report(result: dict) -> None:
    """Print one result line that :func:`launch` collects (call it on one rank)."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def median_seconds(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls, every rank starting together.

    A barrier before each call lines the ranks up, and a CUDA synchronize after it
    waits for the GPU, so the time is that of the whole collective step.
    """
    import statistics
    import time

    import torch.distributed as dist

    times = []
    for _ in range(repeats):
        dist.barrier()
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torchrun_command(
    script: str, nproc: int = 2, args: tuple[str, ...] = ()
) -> list[str]:
    """The command line that starts ``nproc`` processes of one of :data:`SCRIPTS`.

    Example:
        >>> torchrun_command("ring_all_reduce")[1:8]
        ['-m', 'torch.distributed.run', '--nproc-per-node', '2', '--standalone', '-m', 'course_utils.distributed.ring_all_reduce']
    """
    if script not in SCRIPTS:
        raise ValueError(
            f"torchrun_command: unknown script {script!r}, expected one of {', '.join(SCRIPTS)}"
        )
    require_int("torchrun_command", "nproc", nproc, minimum=1)
    return [
        sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(nproc),
        "--standalone", "-m", f"course_utils.distributed.{script}", *map(str, args),
    ]  # fmt: skip


@dataclass
class LaunchResult:
    """What the processes printed (``output``) and reported (``results``), and the exit code."""

    command: list[str]
    returncode: int
    output: str
    results: list[dict] = field(default_factory=list)

    @property
    def result(self) -> dict:
        """The one result reported (most scripts report one, from rank 0)."""
        if len(self.results) != 1:
            raise ValueError(f"expected one RESULT line, got {len(self.results)}")
        return self.results[0]

    def printed(self) -> str:
        """The output without the RESULT lines, ranks in order (each rank's lines in order)."""
        lines = [
            line for line in self.output.splitlines()
            if line.strip() and not line.startswith(RESULT_PREFIX)
        ]  # fmt: skip
        return (
            "\n".join(sorted(lines, key=lambda line: line.split("]")[0]))
            if lines
            else ""
        )


def launch(
    script: str, nproc: int = 2, args: tuple[str, ...] = (), timeout: float = 300
) -> LaunchResult:
    """Start ``nproc`` processes of a script with ``torchrun`` and wait for them.

    Each process gets one CPU thread (``OMP_NUM_THREADS=1``, as ``torchrun`` does
    by default, said here so that it prints no warning). Raises ``RuntimeError``
    with the end of the output if a process fails.
    """
    command = torchrun_command(script, nproc, args)
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    completed = subprocess.run(
        command, capture_output=True, text=True, env=environment, timeout=timeout
    )
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise RuntimeError(
            f"launch: {script} failed with exit code {completed.returncode}:\n{output[-3000:]}"
        )
    results = [
        json.loads(line[len(RESULT_PREFIX):])
        for line in completed.stdout.splitlines()
        if line.startswith(RESULT_PREFIX)
    ]  # fmt: skip
    return LaunchResult(command, completed.returncode, completed.stdout, results)


def simulate_ring_all_reduce(
    tensors: list[torch.Tensor], trace: list | None = None
) -> list[torch.Tensor]:
    """The ring all-reduce of :mod:`.ring_all_reduce`, for ``len(tensors)`` ranks in one process.

    Rank ``r`` sends to rank ``r + 1`` and receives from ``r - 1``. Each tensor is
    cut into as many chunks as there are ranks. In ``n - 1`` reduce-scatter steps
    rank ``r`` sends chunk ``r - s`` and adds the chunk it receives, so that it
    ends up owning the complete sum of chunk ``r + 1``; in ``n - 1`` all-gather
    steps the complete chunks travel once more around the ring. If ``trace`` is a
    list, one ``(phase, step, sender, chunk)`` tuple per message is appended.

    Returns new tensors (the inputs are not changed): every one holds the sum.
    """
    if not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(
            "simulate_ring_all_reduce: expected a non-empty list of tensors"
        )
    if any(not isinstance(t, torch.Tensor) for t in tensors):
        raise TypeError("simulate_ring_all_reduce: every element must be a tensor")
    if any(t.shape != tensors[0].shape for t in tensors):
        raise ValueError(
            "simulate_ring_all_reduce: every rank must hold a tensor of the same shape, "
            f"got {[tuple(t.shape) for t in tensors]}"
        )
    world = len(tensors)
    chunks = [list(t.detach().clone().reshape(-1).tensor_split(world)) for t in tensors]
    for phase in ("reduce-scatter", "all-gather"):
        for step in range(world - 1):
            if phase == "reduce-scatter":
                messages = [(r, (r - step) % world) for r in range(world)]
            else:
                messages = [(r, (r + 1 - step) % world) for r in range(world)]
            # All ranks send at the same time: read every message before writing any.
            payloads = [chunks[r][c].clone() for r, c in messages]
            for (sender, chunk), payload in zip(messages, payloads):
                receiver = (sender + 1) % world
                if phase == "reduce-scatter":
                    chunks[receiver][chunk] += payload
                else:
                    chunks[receiver][chunk].copy_(payload)
                if trace is not None:
                    trace.append((phase, step, sender, chunk))
    return [torch.cat(c).reshape(tensors[0].shape) for c in chunks]
