"""Write the results as a Markdown page (shown in the book's appendix) and as JSON."""

from __future__ import annotations

import json
from pathlib import Path


def _ok(flag: bool) -> str:
    return "yes" if flag else "**NO**"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def markdown(results: dict) -> str:
    machine = results["machine"]
    lines = [
        f"Measured on {machine['date']}: {machine['cpu']}, {machine['cores']} cores, "
        f"torch {machine['torch']}, Python {machine['python']}; notebooks on "
        f"{machine['device']}.",
        "",
    ]
    if "notebooks" in results:
        timing = results["notebooks"]
        runs = len(timing["book"]["runs_s"])
        lines += [f"### Notebooks (median of {runs} runs, kernel start included)", ""]
        rows = [
            [
                f"`{r['notebook']}`",
                f"{r['median_s']:.1f}",
                f"{r['budget_s']:.0f}",
                _ok(r["within_budget"]),
            ]
            for r in timing["notebooks"]
        ]
        book = timing["book"]
        rows.append(
            [
                "**whole book**",
                f"**{book['median_s']:.1f}**",
                f"{book['budget_s']:.0f}",
                _ok(book["within_budget"]),
            ]
        )
        lines += _table(["notebook", "seconds", "budget (s)", "within budget"], rows)
    if "explorers" in results:
        lines += ["### Explorer redraw latency", ""]
        rows = [
            [
                r["explorer"],
                str(r["changes"]),
                f"{r['median_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                r["slowest_control"],
                _ok(r["within_budget"]),
            ]
            for r in results["explorers"]
        ]
        lines += _table(
            [
                "explorer",
                "control changes",
                "median (ms)",
                "p95 (ms)",
                "slowest control",
                "p95 under 100 ms",
            ],
            rows,
        )
    if "scratch" in results:
        lines += ["### From scratch vs PyTorch (same process, median times)", ""]
        rows = [
            [
                r["operation"],
                r["size"],
                f"{r['scratch_ms']:.3f}",
                f"{r['torch_ms']:.3f}",
                f"{r['ratio']:.1f}x",
            ]
            for r in results["scratch"]
        ]
        lines += _table(
            ["operation", "size", "from scratch (ms)", "PyTorch (ms)", "ratio"], rows
        )
    if "training" in results:
        lines += ["### Training throughput (samples per second)", ""]
        cuda = any("cuda_samples_per_s" in r for r in results["training"])
        header = ["model", "CPU"] + (["CUDA", "speed-up"] if cuda else [])
        rows = []
        for r in results["training"]:
            row = [r["model"], f"{r['cpu_samples_per_s']:,.0f}"]
            if cuda:
                row += [f"{r['cuda_samples_per_s']:,.0f}", f"{r['speedup']:.1f}x"]
            rows.append(row)
        lines += _table(header, rows)
    if "gpu_matmul" in results:
        lines += ["### GPU corner: matrix multiply", ""]
        gpu = results["gpu_matmul"]
        if not gpu:
            lines += ["Skipped: no CUDA GPU on this machine.", ""]
        else:
            rows = [
                [
                    r["device"],
                    r["dtype"],
                    str(r["size"]),
                    f"{r['tflops']:.1f}",
                    "unknown"
                    if r["peak_tflops"] is None
                    else f"{r['peak_tflops']:.0f}",
                    "-"
                    if r["fraction_of_peak"] is None
                    else f"{r['fraction_of_peak']:.0%}",
                ]
                for r in gpu
            ]
            lines += _table(
                ["device", "dtype", "n", "TFLOP/s", "peak TFLOP/s", "fraction of peak"],
                rows,
            )
    return "\n".join(lines)


def write(results: dict, out_dir: Path, stem: str) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out_dir / f"{stem}.md", out_dir / f"{stem}.json"
    md_path.write_text(markdown(results) + "\n")
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    return md_path, json_path
