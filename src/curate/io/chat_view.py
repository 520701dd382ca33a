"""Chat rows as one text column for ``curate dedup``: what the user asked, or the whole
conversation, rendered batch by batch from the columns that hold the conversation.

A source with a :class:`ChatView` answers for a column of the view's name (``<chat: prompt>``)
with that text, so every dedup stage (hashing, verification, containment, ``--against``, Ray)
reads it as any other text column; the data itself is written back untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from curate.io.chat import ChatLayout, ChatRows, Compare, conversations, detect_layout

#: The column name each comparison reads as; no data file names a column like this.
VIEW_NAMES: dict[Compare, str] = {
    "prompt": "<chat: prompt>",
    "conversation": "<chat: conversation>",
}


def is_view(column: str) -> bool:
    return column in VIEW_NAMES.values()


@dataclass(frozen=True)
class ChatView:
    """How a source's rows hold conversations, and which of their text dedup compares."""

    layout: ChatLayout
    turns: Compare
    #: the file (or data name) errors name
    where: object

    @property
    def name(self) -> str:
        return VIEW_NAMES[self.turns]

    def render(
        self, read: Callable[[Sequence[str]], Iterator[pa.Table]], columns: Sequence[str]
    ) -> Iterator[pa.Table]:
        """Batches of ``columns``, the view's column rendered from the layout's columns."""
        real = [c for c in columns if c != self.name]
        wanted = list(dict.fromkeys([*real, *self.layout.columns]))
        offset = 0
        for batch in read(wanted):
            frame = batch.select(list(self.layout.columns)).to_pandas()
            rows = conversations(
                frame, self.layout, origin=lambda row: (self.where, row), offset=offset
            )
            offset += batch.num_rows
            text = pa.array(ChatRows(self.layout, tuple(rows)).texts(self.turns), pa.large_string())
            yield pa.table({c: text if c == self.name else batch.column(c) for c in columns})


def find_view(
    read: Callable[[Sequence[str]], Iterator[pa.Table]],
    columns: Sequence[str],
    *,
    turns: Compare,
    where: object,
) -> ChatView | None:
    """The chat view of a source whose first batch holds chat or instruction data, else None."""
    first = next(iter(read(columns)), None)
    if first is None:
        return None
    layout = detect_layout(pd.DataFrame(first.to_pandas()))
    return None if layout is None else ChatView(layout, turns, where)
