"""The map step every dedup caller shares, and the small conversions around it.

The audit checks, local ``curate dedup`` and the Ray driver all fingerprint a batch with
:class:`FingerprintTask`; it lives here, beside the pipeline, so no caller imports another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from curate.duplicates.index import Fingerprints, fingerprint
from curate.duplicates.settings import DedupSettings

if TYPE_CHECKING:
    from curate.checks.data import AuditData


def as_text(series: pd.Series) -> pa.Array:
    """A column as an Arrow string array (numbers and other scalars as their text)."""
    try:
        values = pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        values = pa.array(series.astype("string"), from_pandas=True)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        if pa.types.is_null(values.type) or pa.types.is_primitive(values.type):
            return values.cast(pa.large_string())
        return pa.array(series.astype("string"), from_pandas=True)
    return values


@dataclass(frozen=True)
class FingerprintTask:
    """The map step for one batch of any caller: the audit checks, local and Ray dedup
    (a picklable callable, so engines can ship it to workers)."""

    columns: tuple[str, ...]
    settings: DedupSettings

    def __call__(self, batch: AuditData | pa.Table) -> Fingerprints:
        """An audit's batch (a DataFrame's rows) or a streamed file's (an Arrow table)."""
        if isinstance(batch, pa.Table):
            return fingerprint([batch.column(c) for c in self.columns], self.settings)
        return fingerprint([as_text(batch.frame[c]) for c in self.columns], self.settings)


def jsonable(value: Any) -> Any:
    """A numpy scalar as the plain Python value JSON needs."""
    return value.item() if isinstance(value, np.generic) else value
