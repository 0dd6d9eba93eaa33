"""The benchmark code (``make bench``): timing in turns, the report's rules, thread counts.

Timing is tested with fake clocks, so every expected number is exact.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch
from torch import nn

from benchmarks import __main__ as bench_main
from benchmarks import notebooks, report, sampling, scratch, training
from course_utils.data import lm_windows
from course_utils.models import TinyGPT
from course_utils.notebooks import NotebookRun
from course_utils.train import fit, train_steps


class FakeClock:
    """A clock that only moves when the code under test says a call took time."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def costs(self, seconds: float, log: list | None = None, name: str = ""):
        """A function that takes ``seconds`` of fake time per call."""

        def fn():
            self.now += seconds
            if log is not None:
                log.append(name)

        return fn


# ----------------------------------------------------------------------------- sampling


def test_contenders_take_turns_and_the_order_flips_every_round():
    clock, order = FakeClock(), []
    contenders = {
        "a": clock.costs(1.0, order, "a"),
        "b": clock.costs(2.0, order, "b"),
    }
    seconds = sampling.interleaved(contenders, rounds=4, clock=clock)
    assert order == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert seconds == {"a": [1.0] * 4, "b": [2.0] * 4}


def test_calls_per_sample_are_divided_out():
    clock = FakeClock()
    seconds = sampling.interleaved(
        {"fast": clock.costs(1e-6)}, rounds=3, numbers={"fast": 1000}, clock=clock
    )
    assert seconds["fast"] == pytest.approx([1e-6] * 3)
    assert clock.now == pytest.approx(3 * 1000 * 1e-6)


def test_the_clock_is_read_after_the_device_has_finished():
    """Asynchronous work (a GPU queue) is only counted if ``sync`` waits for it."""
    clock, queued = FakeClock(), []

    def launch():  # returns at once, like a CUDA kernel launch
        queued.append(0.5)

    def sync():
        clock.now += sum(queued)
        queued.clear()

    assert sampling.interleaved({"k": launch}, 2, clock=clock)["k"] == [0.0, 0.0]
    assert sampling.interleaved({"k": launch}, 2, clock=clock, sync=sync)["k"] == [
        0.5,
        0.5,
    ]


@pytest.mark.parametrize("n", [1, 2, 5, 40])
def test_spread_matches_numpy(n):
    values = np.random.default_rng(n).exponential(size=n).tolist()
    spread = sampling.Spread.of(values)
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    assert (spread.q1, spread.median, spread.q3) == pytest.approx((q1, median, q3))
    assert (spread.min, spread.max, spread.runs) == (min(values), max(values), n)
    rates = spread.inverted(64.0)  # seconds per step -> samples per second
    assert rates.median == pytest.approx(64 / median)
    assert rates.q1 == pytest.approx(64 / q3) and rates.q3 == pytest.approx(64 / q1)
    assert rates.min == pytest.approx(64 / max(values))


def test_spread_rejects_no_values_and_bad_scales():
    with pytest.raises(ValueError, match="no values"):
        sampling.Spread.of([])
    with pytest.raises(ValueError, match="factor must be > 0"):
        sampling.Spread.of([1.0]).scaled(0)
    with pytest.raises(ValueError, match="rounds must be >= 1"):
        sampling.interleaved({"a": lambda: None}, rounds=0)


def test_calls_per_sample_make_a_sample_last_a_millisecond():
    clock = FakeClock()  # binary fractions of a second: the sums are exact
    assert sampling.calls_per_sample(clock.costs(2**-13), clock) == 10  # 5: 0.6 ms
    assert sampling.calls_per_sample(clock.costs(3 * 2**-12), clock) == 2
    assert sampling.calls_per_sample(clock.costs(0.25), clock) == 1


@pytest.mark.parametrize(
    "per_round, expected",
    [(0.001, sampling.MAX_ROUNDS), (0.5, sampling.MIN_ROUNDS), (0.0625, 24)],
)
def test_rounds_fit_the_budget_within_limits(per_round, expected):
    assert sampling.rounds_within(per_round, budget_s=1.5) == expected


def test_compare_reports_exact_medians_and_ratio_with_a_fake_clock():
    clock = FakeClock()
    row = sampling.compare(clock.costs(3 * 2**-10), clock.costs(2**-10), clock=clock)
    assert row["scratch_ms"] == pytest.approx(3e3 * 2**-10)
    assert row["torch_ms"] == pytest.approx(1e3 * 2**-10)
    assert row["calls_per_sample"] == {"mine": 1, "theirs": 2}  # 0.98 ms < 1 ms
    assert row["ratio"] == pytest.approx(3.0)
    assert row["ratio_spread"]["q1"] == pytest.approx(row["ratio_spread"]["q3"])
    assert sampling.MIN_ROUNDS <= row["rounds"] <= sampling.MAX_ROUNDS
    assert row["scratch_spread"]["runs"] == row["torch_spread"]["runs"] == row["rounds"]


def test_interleaving_cancels_a_machine_that_slows_down():
    """A background job makes every call slower round after round: the samples
    spread widely, but each round's pair sees the same machine, so the ratio does not."""
    clock = FakeClock()
    load = {"factor": 1.0}

    def costs(seconds):
        def fn():
            clock.now += seconds * load["factor"]

        return fn

    def theirs():
        costs(1e-3)()
        load["factor"] *= 1.01  # the machine gets slower after every call of theirs

    row = sampling.compare(costs(4e-3), theirs, clock=clock)
    spread = row["torch_spread"]
    assert spread["max"] > 1.2 * spread["min"]  # the machine did drift
    ratio = row["ratio_spread"]
    assert 3.9 < ratio["min"] <= ratio["max"] < 4.2  # the ratio did not


def test_scratch_compare_gives_both_sides_the_same_arguments():
    seen = []

    def mine(x, *, scale):
        seen.append(("mine", x, scale))
        return x * scale

    def theirs(x, *, scale):
        seen.append(("theirs", x, scale))
        return x * scale

    row = scratch.compare("scale", "scalar", mine, theirs, 41, scale=2)
    assert {name for name, *_ in seen} == {"mine", "theirs"}
    assert all((x, scale) == (41, 2) for _, x, scale in seen)
    assert row["operation"] == "scale" and row["size"] == "scalar"
    assert row["rounds"] >= sampling.MIN_ROUNDS and row["ratio"] > 0


# ----------------------------------------------------------------------------- training


@pytest.mark.parametrize("name", list(training.WORKLOADS))
def test_every_training_workload_is_a_real_training_step(name):
    result = training.throughput(name, torch.device("cpu"), rounds=2, warmup=1)
    assert result["samples_per_s"] > 0 and result["spread"]["runs"] == 2
    torch.manual_seed(0)
    workload = training.WORKLOADS[name](torch.device("cpu"))
    optimizer = torch.optim.Adam(workload.model.parameters(), lr=1e-3)
    losses = []
    for _ in range(8):
        loss = workload.loss()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0], f"{name}: the loss does not go down"


@pytest.fixture
def two_threads():
    """Two CPU threads by default, so that one thread is distinguishable."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def _threads_seen(model: nn.Module) -> list[int]:
    seen: list[int] = []
    model.register_forward_pre_hook(lambda *_: seen.append(torch.get_num_threads()))
    return seen


def test_train_steps_runs_on_one_thread_and_fit_on_the_default(two_threads):
    gpt = TinyGPT(28, block_size=8, d_model=16, n_head=2, n_layer=1)
    seen_by_gpt = _threads_seen(gpt)
    windows = lm_windows(torch.randint(0, 28, (200,)), 8)
    train_steps(gpt, windows, steps=2, batch_size=4, device="cpu", verbose=False)
    classifier = nn.Linear(784, 10)
    seen_by_fit = _threads_seen(classifier)
    data = (torch.randn(16, 784), torch.randint(0, 10, (16,)))
    fit(classifier, data, epochs=1, device="cpu", verbose=False)
    assert set(seen_by_gpt) == {1} and set(seen_by_fit) == {2}


@pytest.mark.parametrize("name", list(training.WORKLOADS))
def test_each_model_is_timed_with_the_threads_it_is_trained_with(name, two_threads):
    """The GPT is trained by train_steps (one thread, as the test above shows); the
    others by fit or by the notebooks' own loops (PyTorch's default)."""
    workload = training.WORKLOADS[name](torch.device("cpu"))
    assert workload.one_thread == ("GPT" in name)
    result = training.throughput(name, torch.device("cpu"), rounds=1, warmup=0)
    assert result["threads"] == (1 if workload.one_thread else 2)
    assert torch.get_num_threads() == 2  # and the setting is restored afterwards


# ----------------------------------------------------------------------------- notebooks


def test_notebook_times_are_the_runs_medians_and_the_book_is_their_sum(tmp_path):
    paths = [tmp_path / "05_attention" / "a.ipynb", tmp_path / "03_cnn" / "b.ipynb"]
    times = {paths[0]: iter([95.0, 80.0, 85.0]), paths[1]: iter([1.25, 1.5, 1.0])}

    def timer(path):
        return NotebookRun(None, kernel_start_s=1.0, cells_s=next(times[path]) - 1.0)

    result = notebooks.time_notebooks(3, paths, timer=timer)
    a, b = result["notebooks"]
    assert (a["median_s"], a["min_s"], a["max_s"]) == (85.0, 80.0, 95.0)
    assert a["budget_s"] == 90.0 and a["within_budget"]  # the attention chapter's
    assert b["runs_s"] == [1.25, 1.5, 1.0] and b["median_s"] == 1.25
    assert b["kernel_start_median_s"] == 1.0 and b["budget_s"] == 60.0
    assert result["book"]["runs_s"] == [96.25, 81.5, 86.0]
    assert result["book"]["median_s"] == 86.0
    with pytest.raises(ValueError, match="runs must be >= 1"):
        notebooks.time_notebooks(0, paths, timer=timer)


# ----------------------------------------------------------------------------- the report


def _machine(cpu: str, date: str) -> dict:
    return {
        "date": date,
        "cpu": cpu,
        "cores": 2,
        "torch": "2.x",
        "python": "3.11",
        "device": "cpu",
    }


OLD, NEW = _machine("Old CPU", "2026-01-01"), _machine("New CPU", "2026-02-02")
NOTEBOOKS = {
    "notebooks": [
        {
            "notebook": "a.ipynb",
            "median_s": 70.0,
            "min_s": 69.0,
            "max_s": 72.0,
            "budget_s": 60.0,
            "within_budget": False,
            "runs_s": [70.0, 69.0, 72.0],
        },
    ],
    "book": {
        "median_s": 70.0,
        "min_s": 69.0,
        "max_s": 72.0,
        "runs_s": [70.0, 69.0, 72.0],
        "budget_s": 480.0,
        "within_budget": True,
    },
}
SCRATCH = [
    {
        "operation": "conv2d",
        "size": "small",
        "scratch_ms": 2.0,
        "torch_ms": 1.0,
        "ratio": 2.0,
        "scratch_spread": {"q1": 1.9, "q3": 2.1},
        "torch_spread": {"q1": 0.9, "q3": 1.1},
        "ratio_spread": {"q1": 1.8, "q3": 2.2},
    },
    {
        "operation": "Adam step",
        "size": "1,000 parameters",
        "scratch_ms": 0.05,
        "torch_ms": 0.06,
        "ratio": 0.83,
        "scratch_spread": {"q1": 0.049, "q3": 0.051},
        "torch_spread": {"q1": 0.059, "q3": 0.061},
        "ratio_spread": {"q1": 0.8, "q3": 0.86},
    },
]


def _sections(text: str) -> dict[str, list[str]]:
    """Markdown split at '### ' headers: title -> its lines."""
    found: dict[str, list[str]] = {}
    title = None
    for line in text.splitlines():
        if line.startswith("### "):
            title = line[4:]
            found[title] = []
        elif title is not None:
            found[title].append(line)
    return found


def test_every_section_names_its_own_machine_and_date():
    results = {
        "notebooks": report.section(OLD, NOTEBOOKS),
        "scratch": report.section(NEW, SCRATCH),
        "gpu_matmul": report.section(NEW, []),
    }
    text = report.markdown(results)
    sections = _sections(text)
    assert list(sections) == [
        "Notebooks",
        "From scratch vs PyTorch",
        "GPU corner: matrix multiply",
    ]
    assert not text.startswith("Measured")  # no header above the sections
    for title, lines in sections.items():
        stamps = [line for line in lines if line.startswith("Measured on")]
        expected = OLD if title == "Notebooks" else NEW
        assert stamps == [
            f"Measured on {expected['date']}: {expected['cpu']}, 2 cores, torch 2.x, "
            "Python 3.11; device cpu."
        ]
    assert "| `a.ipynb` | 70.0 | 69.0–72.0 | 60 | **NO** |" in text
    assert (
        "| conv2d | small | 2.000 | 1.900–2.100 | 1.000 | 0.900–1.100 | 2.0x | 1.8–2.2 |"
        in text
    )
    assert "| 0.060 | 0.059–0.061 | 0.83x | 0.80–0.86 |" in text
    assert "Skipped: no CUDA GPU" in text


def test_a_partial_run_replaces_only_what_it_measured():
    previous = {
        "notebooks": report.section(OLD, NOTEBOOKS),
        "scratch": report.section(OLD, SCRATCH),
    }
    merged = report.merge(previous, {"scratch": report.section(NEW, [])})
    assert merged["notebooks"] == previous["notebooks"]
    assert merged["scratch"] == {"machine": NEW, "data": []}
    assert list(merged) == ["notebooks", "scratch"]  # the page's order


def test_results_of_the_older_layout_keep_their_machine_per_section():
    older = {"machine": OLD, "notebooks": NOTEBOOKS, "scratch": SCRATCH}
    merged = report.merge(older, {"scratch": report.section(NEW, SCRATCH)})
    assert merged == {
        "notebooks": {"machine": OLD, "data": NOTEBOOKS},
        "scratch": {"machine": NEW, "data": SCRATCH},
    }
    stamps = [
        line
        for line in report.markdown(merged).splitlines()
        if line.startswith("Measured")
    ]
    assert [("Old CPU" in s, "New CPU" in s) for s in stamps] == [
        (True, False),
        (False, True),
    ]


def test_the_command_line_keeps_the_other_sections_of_the_previous_results(
    tmp_path, monkeypatch
):
    (tmp_path / "trial.json").write_text(
        json.dumps({"machine": OLD, "notebooks": NOTEBOOKS, "scratch": SCRATCH})
    )
    monkeypatch.setattr(bench_main.machine, "describe_machine", lambda device: NEW)
    monkeypatch.setattr(bench_main, "measure", lambda name, args, device: [])
    monkeypatch.setattr(
        sys,
        "argv",
        ["benchmarks", "--only", "scratch", "--out", str(tmp_path), "--stem", "trial"],
    )
    bench_main.main()
    written = json.loads((tmp_path / "trial.json").read_text())
    assert written == {
        "notebooks": {"machine": OLD, "data": NOTEBOOKS},
        "scratch": {"machine": NEW, "data": []},
    }
    text = (tmp_path / "trial.md").read_text()
    assert text == report.markdown(written) + "\n"


def test_the_llm_section_shows_the_distributed_step_and_decoding_speed():
    data = {
        "distributed_step": {
            "processes": 2,
            "backend": "gloo",
            "step_ms": 12.34,
            "step_no_sync_ms": 10.0,
            "all_reduce_ms": 2.5,
            "gradient_bytes": 3_200_000,
        },
        "decoding": [
            {
                "model": "SmolLM2-135M float32",
                "batch": 1,
                "tokens_per_second": 20.04,
                "ms_per_token": 49.9,
            }
        ],
    }
    text = report.markdown({"llm": report.section(NEW, data)})
    lines = _sections(text)["Large models: a distributed step and quantized decoding"]
    assert any(
        "on 2 processes (gloo): 12.3 ms per step, 10.0 ms without the gradient "
        "all-reduce, 2.5 ms for the all-reduce of 3.2 MB" in line
        for line in lines
    ), lines
    assert "| SmolLM2-135M float32 | 1 | 20.0 | 49.9 |" in lines


def test_the_command_line_measures_the_llm_section_with_its_two_benchmarks(
    tmp_path, monkeypatch
):
    calls = []
    monkeypatch.setattr(bench_main.machine, "describe_machine", lambda device: NEW)
    monkeypatch.setattr(
        bench_main.llm, "distributed_step", lambda: calls.append("ddp") or {"a": 1}
    )
    monkeypatch.setattr(
        bench_main.llm, "quantized_decoding", lambda: calls.append("int8") or []
    )
    monkeypatch.setattr(report, "markdown", lambda results: "")
    monkeypatch.setattr(
        sys,
        "argv",
        ["benchmarks", "--only", "llm", "--out", str(tmp_path), "--stem", "trial"],
    )
    bench_main.main()
    assert calls == ["ddp", "int8"]
    written = json.loads((tmp_path / "trial.json").read_text())
    assert written == {
        "llm": {"machine": NEW, "data": {"distributed_step": {"a": 1}, "decoding": []}}
    }
