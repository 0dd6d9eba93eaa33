"""Write the results as a Markdown page (shown in the book's appendix) and as JSON.

The results hold one entry per section (``notebooks``, ``explorers``, ...), each
with the machine and date it was measured on and its data::

    {"scratch": {"machine": {"date": ..., "cpu": ...}, "data": [...]}, ...}

A partial run (``--only``) replaces the sections it measured and keeps the
others as they were, each still under its own machine and date: numbers from
different machines or days never share one header.
"""

from __future__ import annotations

import json
from pathlib import Path

SECTIONS = ("notebooks", "explorers", "scratch", "training", "llm", "gpu_matmul")


def section(machine: dict, data) -> dict:
    """One section of the results: what was measured, and where and when."""
    return {"machine": machine, "data": data}


def upgrade(results: dict) -> dict:
    """Results in the current layout; older files had one machine for every section."""
    if "machine" not in results:
        return dict(results)
    machine = results["machine"]
    return {
        name: section(machine, value)
        for name, value in results.items()
        if name in SECTIONS
    }


def merge(previous: dict, measured: dict) -> dict:
    """``measured`` sections replace those of ``previous``; the others are kept as they were."""
    combined = {**upgrade(previous), **measured}
    return {name: combined[name] for name in SECTIONS if name in combined}


def load(path: Path) -> dict:
    """The results stored at ``path`` (upgraded), or nothing if there are none."""
    return upgrade(json.loads(path.read_text())) if path.exists() else {}


def _ok(flag: bool) -> str:
    return "yes" if flag else "**NO**"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _measured_on(machine: dict) -> str:
    return (
        f"Measured on {machine['date']}: {machine['cpu']}, {machine['cores']} cores, "
        f"torch {machine['torch']}, Python {machine['python']}; device "
        f"{machine['device']}."
    )


def _range(spread: dict | None, digits: int, key_low="q1", key_high="q3") -> str:
    if not spread:
        return "-"
    return f"{spread[key_low]:.{digits}f}–{spread[key_high]:.{digits}f}"


def _digits(ratio: float) -> int:
    """Decimals for a ratio: one above 1 (489.8x, 1.4x), two below (0.83x)."""
    return 1 if ratio >= 1 else 2


def _notebooks(timing: dict) -> list[str]:
    runs = len(timing["book"]["runs_s"])
    how = (
        "from asking for a kernel to the last cell's reply"
        if "min_s" in timing["book"]
        else "kernel start and shutdown included"  # results of older benchmarks
    )
    lines = [f"Median of {runs} runs, {how}.", ""]
    rows = [
        [
            f"`{r['notebook']}`",
            f"{r['median_s']:.1f}",
            _range(r, 1, "min_s", "max_s") if "min_s" in r else "-",
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
            _range(book, 1, "min_s", "max_s") if "min_s" in book else "-",
            f"{book['budget_s']:.0f}",
            _ok(book["within_budget"]),
        ]
    )
    header = ["notebook", "seconds", "min–max", "budget (s)", "within budget"]
    return lines + _table(header, rows)


def _explorers(rows: list[dict]) -> list[str]:
    table = [
        [
            r["explorer"],
            str(r["changes"]),
            f"{r['median_ms']:.1f}",
            f"{r['p95_ms']:.1f}",
            r["slowest_control"],
            _ok(r["within_budget"]),
        ]
        for r in rows
    ]
    header = [
        "explorer",
        "control changes",
        "median (ms)",
        "p95 (ms)",
        "slowest control",
        "p95 under 100 ms",
    ]
    return _table(header, table)


def _scratch(rows: list[dict]) -> list[str]:
    interleaved = any("ratio_spread" in r for r in rows)
    lines = [
        "Both sides timed in turns in one process; medians, with the interquartile "
        "range of the samples and of the per-round ratios."
        if interleaved
        else "Medians, one side timed after the other.",  # results of older benchmarks
        "",
    ]
    table = [
        [
            r["operation"],
            r["size"],
            f"{r['scratch_ms']:.3f}",
            _range(r.get("scratch_spread"), 3),
            f"{r['torch_ms']:.3f}",
            _range(r.get("torch_spread"), 3),
            f"{r['ratio']:.{_digits(r['ratio'])}f}x",
            _range(r.get("ratio_spread"), _digits(r["ratio"])),
        ]
        for r in rows
    ]
    header = [
        "operation",
        "size",
        "from scratch (ms)",
        "IQR",
        "PyTorch (ms)",
        "IQR",
        "ratio",
        "ratio IQR",
    ]
    return lines + _table(header, table)


def _training(rows: list[dict]) -> list[str]:
    lines = [
        "Samples per second of full training steps (median, interquartile range), "
        "with the CPU threads the course trains each model with.",
        "",
    ]
    cuda = any("cuda_samples_per_s" in r for r in rows)
    header = ["model", "CPU threads", "CPU", "IQR"] + (
        ["CUDA", "speed-up"] if cuda else []
    )
    table = []
    for r in rows:
        row = [
            r["model"],
            str(r.get("cpu_threads", "-")),
            f"{r['cpu_samples_per_s']:,.0f}",
            _range(r.get("cpu_spread"), 0),
        ]
        if cuda:
            row += [f"{r['cuda_samples_per_s']:,.0f}", f"{r['speedup']:.1f}x"]
        table.append(row)
    return lines + _table(header, table)


def _gpu_matmul(rows: list[dict]) -> list[str]:
    if not rows:
        return ["Skipped: no CUDA GPU on this machine.", ""]
    table = [
        [
            r["device"],
            r["dtype"],
            str(r["size"]),
            f"{r['tflops']:.1f}",
            "unknown" if r["peak_tflops"] is None else f"{r['peak_tflops']:.0f}",
            "-" if r["fraction_of_peak"] is None else f"{r['fraction_of_peak']:.0%}",
        ]
        for r in rows
    ]
    header = ["device", "dtype", "n", "TFLOP/s", "peak TFLOP/s", "fraction of peak"]
    return _table(header, table)


def _llm(data: dict) -> list[str]:
    step = data["distributed_step"]
    lines = [
        f"DistributedDataParallel step of the tiny GPT on {step['processes']} processes "
        f"({step['backend']}): {step['step_ms']:.1f} ms per step, "
        f"{step['step_no_sync_ms']:.1f} ms without the gradient all-reduce, "
        f"{step['all_reduce_ms']:.1f} ms for the all-reduce of "
        f"{step['gradient_bytes'] / 1e6:.1f} MB of gradients alone.",
        "",
    ]
    table = [
        [
            r["model"],
            str(r["batch"]),
            f"{r['tokens_per_second']:.1f}",
            f"{r['ms_per_token']:.1f}",
        ]
        for r in data["decoding"]
    ]
    header = ["model", "batch", "tokens per second", "ms per token"]
    return lines + _table(header, table)


TITLES = {
    "notebooks": ("Notebooks", _notebooks),
    "explorers": ("Explorer redraw latency", _explorers),
    "scratch": ("From scratch vs PyTorch", _scratch),
    "training": ("Training throughput (samples per second)", _training),
    "llm": ("Large models: a distributed step and quantized decoding", _llm),
    "gpu_matmul": ("GPU corner: matrix multiply", _gpu_matmul),
}


def markdown(results: dict) -> str:
    """Every section present, in a fixed order, each under its own machine and date."""
    results = upgrade(results)
    lines: list[str] = []
    for name in SECTIONS:
        if name not in results:
            continue
        title, render = TITLES[name]
        lines += [f"### {title}", "", _measured_on(results[name]["machine"]), ""]
        lines += render(results[name]["data"])
    return "\n".join(lines)


def write(results: dict, out_dir: Path, stem: str) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out_dir / f"{stem}.md", out_dir / f"{stem}.json"
    md_path.write_text(markdown(results) + "\n")
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    return md_path, json_path
