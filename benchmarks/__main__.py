"""Run the benchmarks: ``python -m benchmarks`` (or ``make bench``).

Examples:
    python -m benchmarks                       # everything, 3 runs of the book
    python -m benchmarks --only explorers scratch   # the other parts are kept
    COURSE_DEVICE=cuda python -m benchmarks --stem results-cuda
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from course_utils.device import pick_device
from course_utils.timing import matmul_throughput

from . import explorers, machine, notebooks, report, scratch, training

SECTIONS = ("notebooks", "explorers", "scratch", "training", "gpu_matmul")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--runs", type=int, default=3, help="runs of the whole book")
    parser.add_argument("--changes", type=int, default=300, help="per explorer")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--stem", default="results", help="output file name")
    args = parser.parse_args()

    device = pick_device("auto")
    results: dict = {}
    previous = args.out / f"{args.stem}.json"
    if set(args.only) != set(SECTIONS) and previous.exists():
        # Measuring some parts only: keep the other parts of the last full run.
        results = json.loads(previous.read_text())
    results["machine"] = machine.describe_machine(device)
    print(f"benchmarking on {results['machine']}")
    if "notebooks" in args.only:
        print("notebooks:")
        results["notebooks"] = notebooks.time_notebooks(args.runs)
    if "explorers" in args.only:
        print("explorers:")
        results["explorers"] = explorers.explorer_latency(args.changes)
    if "scratch" in args.only:
        print("from scratch vs PyTorch:")
        results["scratch"] = scratch.all_rows()
    if "training" in args.only:
        print("training throughput:")
        devices = [torch.device("cpu")] + ([device] if device.type == "cuda" else [])
        results["training"] = training.training_rows(devices)
    if "gpu_matmul" in args.only:
        results["gpu_matmul"] = []
        if device.type == "cuda":
            for dtype in (torch.float32, torch.bfloat16):
                row = matmul_throughput(device, dtype=dtype)
                print(f"  {row}")
                results["gpu_matmul"].append(row)
        else:
            print("GPU corner: skipped, no CUDA GPU on this machine")
    for path in report.write(results, args.out, args.stem):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
