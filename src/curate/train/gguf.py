"""Base models shipped as GGUF files: dequantized once into a float32 folder, then reused.

transformers reads a GGUF file (``gguf_file=``) and dequantizes it to float32, which takes
about a minute for SmolLM2-135M on a busy two-core CPU, and the tokenizer alone a quarter
of that. The result is saved as an ordinary model folder under the user's cache
(``$XDG_CACHE_HOME/curate/models``, else ``~/.cache/curate/models``), keyed by the file's
sha256, so every later run loads it in under a second.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

from curate.errors import RecipeError

log = logging.getLogger("curate.train")

#: What a converted folder holds once it is complete; written last, so a half-made folder never counts.
DONE = "curate-gguf.txt"


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "curate" / "models"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def cached_folder(gguf: Path) -> Path:
    """Where the float32 copy of ``gguf`` lives (whether or not it has been made yet)."""
    return cache_root() / f"{gguf.stem}-{file_sha256(gguf)[:16]}"


def dequantized(gguf: Path) -> Path:
    """A model folder (config, float32 safetensors, tokenizer) made from ``gguf``, cached."""
    folder = cached_folder(gguf)
    if (folder / DONE).is_file():
        log.debug("base model from cache %s", folder)
        return folder
    log.info("dequantizing %s once into %s (about a minute on a CPU)", gguf.name, folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _convert(gguf, staging)
        (staging / DONE).write_text(f"{gguf.name}\n", encoding="utf-8")
        try:
            staging.rename(folder)
        except OSError:
            if not (folder / DONE).is_file():
                # An incomplete folder from an interrupted run that predates DONE being written.
                shutil.rmtree(folder, ignore_errors=True)
                staging.rename(folder)
            # Otherwise another process finished the same conversion first: use its folder.
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def _convert(gguf: Path, target: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    except (OSError, ValueError, ImportError) as exc:
        raise RecipeError(
            f"cannot load the GGUF base model {gguf}: {str(exc).splitlines()[0]}"
        ) from exc
    # The weights are float32 now; what remains of the GGUF quantizer only blocks saving them.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(target, safe_serialization=True)
    tokenizer.save_pretrained(target)
