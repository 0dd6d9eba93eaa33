"""LLM chapter, part 2: the distributed training step and the quantized model's decoding speed.

- :func:`distributed_step` launches ``course_utils.distributed.ddp_tiny_gpt`` on two
  processes (gloo on the CPU, NCCL on GPUs) and reports its step time with and
  without the gradient all-reduce, and the all-reduce alone.
- :func:`quantized_decoding` times greedy decoding of SmolLM2 in float32 and with
  ``torchao``'s int8 weight-only quantization, in tokens per second.

Both run in ``python -m benchmarks`` (section ``llm``; ``--only llm`` runs them alone).
"""

from __future__ import annotations

import copy


def distributed_step(processes: int = 2, steps: int = 10) -> dict:
    """Milliseconds per DDP step of the tiny GPT, with and without the all-reduce."""
    from course_utils.distributed import launch

    run = launch("ddp_tiny_gpt", processes, ("--steps", str(steps), "--repeats", "5"))
    if run.returncode != 0:
        raise RuntimeError(f"ddp_tiny_gpt failed:\n{run.output[-2000:]}")
    result = run.result
    row = {
        "processes": processes,
        "backend": result["backend"],
        "step_ms": result["step_seconds"] * 1e3,
        "step_no_sync_ms": result["step_seconds_no_sync"] * 1e3,
        "all_reduce_ms": result["all_reduce_seconds"] * 1e3,
        "gradient_bytes": result["gradient_bytes"],
    }
    print(
        f"  DDP tiny GPT on {processes} ({row['backend']}): step {row['step_ms']:.1f} ms, "
        f"without sync {row['step_no_sync_ms']:.1f} ms, all-reduce {row['all_reduce_ms']:.1f} ms"
    )
    return row


def quantized_decoding(new_tokens: int = 16, batch: int = 1) -> list[dict]:
    """Tokens per second of SmolLM2 decoding, float32 against torchao int8 weight-only."""
    from torchao.quantization import Int8WeightOnlyConfig, quantize_

    from course_utils.models import load_smollm
    from course_utils.serving import measure_decoding

    model, _ = load_smollm()
    model.eval()
    int8 = copy.deepcopy(model)
    quantize_(int8, Int8WeightOnlyConfig())
    rows = []
    for name, m in (("float32", model), ("torchao int8 weight-only", int8)):
        measure_decoding(m, batch=batch, prompt_length=16, new_tokens=2)  # warm-up
        timing = measure_decoding(
            m, batch=batch, prompt_length=16, new_tokens=new_tokens
        )
        rows.append(
            {
                "model": f"SmolLM2-135M {name}",
                "batch": batch,
                "tokens_per_second": timing.tokens_per_second,
                "ms_per_token": timing.step_seconds * 1e3,
            }
        )
        print(f"  {rows[-1]['model']}: {timing.tokens_per_second:.1f} tokens/s")
    return rows


if __name__ == "__main__":
    distributed_step()
    quantized_decoding()
