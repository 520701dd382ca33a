"""What a check sees: the table, the column roles, and the engine that runs map steps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from curate.io.chat import ChatRows
from curate.io.table import Table
from curate.rules.schema import Columns, Target

if TYPE_CHECKING:
    from curate.engine import Engine

BATCH_ROWS = 50_000


@dataclass(frozen=True)
class AuditData:
    """The dataset under audit (or one batch of it) with its column roles."""

    table: Table
    columns: Columns
    engine: Engine
    offset: int = 0
    #: The rows as conversations, for chat and instruction data (see :mod:`curate.io.chat`).
    chat: ChatRows | None = None

    @property
    def frame(self) -> pd.DataFrame:
        return self.table.frame

    @property
    def split(self) -> pd.Series | None:
        return self.table.split

    @property
    def as_chat(self) -> ChatRows | None:
        """The rows as conversations when the text columns are the chat layout's own (so a
        check reads turns by role); None for other data, or other text columns named."""
        if self.chat is not None and self.chat.renders(self.columns.text):
            return self.chat
        return None

    def ids(self) -> pd.Series:
        """Row ids as DESIGN.md defines them: the id column, or 0-based data-row numbers."""
        if self.columns.id is not None:
            return self.frame[self.columns.id]
        return pd.Series(
            np.arange(self.offset, self.offset + len(self.frame)), index=self.frame.index
        )

    def positive(self, target: Target | None) -> pd.Series | None:
        """Whether each row's label or prediction is positive, or None where undeclared."""
        if target is None:
            return None
        values = self.frame[target.column]
        if target.positive is None:
            return None
        wanted = {str(v) for v in target.positive}
        return values.astype("string").isin(wanted).astype(bool)

    def batches(self, size: int = BATCH_ROWS) -> Iterator[AuditData]:
        """Consecutive slices of at most ``size`` rows, for map steps."""
        for start in range(0, max(len(self.frame), 1), size):
            stop = min(start + size, len(self.frame))
            part = Table(
                name=self.table.name,
                frame=self.frame.iloc[start:stop],
                split=None if self.split is None else self.split.iloc[start:stop],
            )
            chat = None if self.chat is None else self.chat.slice(start, stop)
            yield replace(self, table=part, offset=self.offset + start, chat=chat)
