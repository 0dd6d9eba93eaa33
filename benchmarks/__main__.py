"""Run the benchmarks: ``python -m benchmarks`` (or ``make bench``).

Examples:
    python -m benchmarks                       # everything, 3 runs of the book
    python -m benchmarks --only explorers scratch   # the other parts are kept
    python -m benchmarks --only training --stem /tmp/try   # a trial: other files
    python -m benchmarks --only llm            # DDP step and quantized decoding
    COURSE_DEVICE=cuda python -m benchmarks --stem results-cuda

Each section of the results records the machine and date it was measured on, so
a partial run replaces only what it measured (see :mod:`benchmarks.report`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from course_utils.device import pick_device
from course_utils.timing import matmul_throughput

from . import explorers, llm, machine, notebooks, report, scratch, training

SECTIONS = report.SECTIONS


def measure(name: str, args: argparse.Namespace, device: torch.device):
    """The data of one section."""
    if name == "notebooks":
        return notebooks.time_notebooks(args.runs)
    if name == "explorers":
        return explorers.explorer_latency(args.changes)
    if name == "scratch":
        return scratch.all_rows()
    if name == "training":
        devices = [torch.device("cpu")] + ([device] if device.type == "cuda" else [])
        return training.training_rows(devices)
    if name == "llm":
        return {
            "distributed_step": llm.distributed_step(),
            "decoding": llm.quantized_decoding(),
        }
    rows = []  # gpu_matmul
    if device.type == "cuda":
        for dtype in (torch.float32, torch.bfloat16):
            rows.append(matmul_throughput(device, dtype=dtype))
            print(f"  {rows[-1]}")
    else:
        print("  skipped, no CUDA GPU on this machine")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--runs", type=int, default=3, help="runs of the whole book")
    parser.add_argument("--changes", type=int, default=300, help="per explorer")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--stem", default="results", help="output file name")
    args = parser.parse_args()

    device = pick_device("auto")
    measured = {}
    for name in SECTIONS:
        if name in args.only:
            # Described per section: a long run can cross midnight.
            where = machine.describe_machine(device)
            print(f"{name}: on {where}")
            measured[name] = report.section(where, measure(name, args, device))
    previous = report.load(args.out / f"{args.stem}.json")
    for path in report.write(report.merge(previous, measured), args.out, args.stem):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
