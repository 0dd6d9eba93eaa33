"""The ring all-reduce (simulated, and on two real gloo processes), DDP and FSDP against one process."""

from __future__ import annotations

import pytest
import torch

from course_utils.distributed import (
    SCRIPTS,
    launch,
    simulate_ring_all_reduce,
    torchrun_command,
)


def test_simulated_ring_equals_the_sum_for_many_ranks_and_shapes():
    generator = torch.Generator().manual_seed(0)
    for world in range(1, 9):
        for shape in [(1,), (world - 1 or 1,), (7,), (3, 5), (2, 3, 4)]:
            tensors = [torch.randn(shape, generator=generator) for _ in range(world)]
            expected = torch.stack(tensors).sum(0)
            results = simulate_ring_all_reduce(tensors)
            assert len(results) == world
            for result in results:
                assert result.shape == expected.shape
                assert torch.allclose(result, expected, atol=1e-5)
    x = torch.ones(3)
    simulate_ring_all_reduce([x, x.clone()])
    assert torch.equal(x, torch.ones(3)), "the inputs are left unchanged"


def test_simulated_ring_sends_two_chunks_per_rank_per_round():
    trace = []
    simulate_ring_all_reduce([torch.arange(8.0)] * 4, trace=trace)
    assert len(trace) == 2 * 3 * 4  # 2 phases x (n - 1) steps x n senders
    first = [(sender, chunk) for phase, step, sender, chunk in trace if step == 0][:4]
    assert first == [
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
    ]  # each rank starts with its own chunk


def test_simulated_ring_rejects_bad_input():
    with pytest.raises(TypeError, match="non-empty list"):
        simulate_ring_all_reduce([])
    with pytest.raises(ValueError, match="same shape"):
        simulate_ring_all_reduce([torch.zeros(2), torch.zeros(3)])
    with pytest.raises(TypeError, match="must be a tensor"):
        simulate_ring_all_reduce([torch.zeros(2), [0.0, 0.0]])


def test_torchrun_command():
    command = torchrun_command("ddp_tiny_gpt", 4, ("--steps", 3))
    assert command[1:5] == ["-m", "torch.distributed.run", "--nproc-per-node", "4"]
    assert command[-3:] == ["course_utils.distributed.ddp_tiny_gpt", "--steps", "3"]
    assert set(SCRIPTS) == {"ring_all_reduce", "ddp_tiny_gpt", "fsdp_tiny_gpt"}
    with pytest.raises(ValueError, match="unknown script"):
        torchrun_command("train_gpt5")
    with pytest.raises(ValueError, match="nproc must be >= 1"):
        torchrun_command("ring_all_reduce", 0)


def test_ring_all_reduce_on_two_gloo_processes_equals_dist_all_reduce():
    run = launch(
        "ring_all_reduce", 2, ("--numel", "10000", "--repeats", "1", "--cases", "20")
    )
    result = run.result
    assert result["world"] == 2 and result["cases"] == 24
    # Two ranks: each number is a + b in both, and addition commutes exactly.
    assert result["max_difference"] == 0.0
    assert result["bytes_sent_per_rank"] == result["bytes"]  # 2 (n - 1) / n = 1
    assert "[rank 1] ring == dist.all_reduce" in run.printed()


@pytest.mark.slow
def test_ddp_on_two_processes_equals_one_process_on_the_combined_batch():
    result = launch("ddp_tiny_gpt", 2, ("--steps", "5", "--repeats", "2")).result
    assert result["ranks_differ"] == 0.0
    assert result["max_gradient_difference"] < 1e-6
    # Same sums in another order: differences far below one AdamW step (lr 3e-3).
    assert result["max_weight_difference"] < 1e-4 < result["max_weight_change"]
    assert abs(result["last_loss"] - result["reference_last_loss"]) < 0.1


@pytest.mark.slow
def test_fsdp_on_two_processes_shards_and_equals_one_process():
    result = launch("fsdp_tiny_gpt", 2, ("--steps", "5")).result
    assert abs(result["shard_bytes"] / result["full_bytes"] - 0.5) < 0.01
    assert abs(result["adam_state_bytes"] / result["full_bytes"] - 1.0) < 0.01
    assert result["max_weight_difference"] < 1e-4


@pytest.mark.slow
def test_a_failing_script_raises_with_its_output():
    with pytest.raises(RuntimeError, match="must be divisible"):
        launch("ddp_tiny_gpt", 2, ("--batch", "3"))
