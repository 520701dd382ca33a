"""``pii``: how much personal data the dataset holds, per entity type, with masked examples."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from curate.checks.base import MapReduceCheck, Outcome, register
from curate.checks.data import AuditData
from curate.extras import PII_PACKAGES
from curate.io.frame_documents import FrameDocument
from curate.pii.columns import ColumnJudgement, judge_columns
from curate.pii.scan import find_pii, masked
from curate.pii.settings import DEFAULT_ENTITIES, PiiParams

#: Entities whose per-entity metrics ``fail_if`` / ``warn_if`` may name.
GATEABLE = (
    *DEFAULT_ENTITIES,
    "URL",
    "NRP",
    "ORGANIZATION",
    "US_PASSPORT",
    "US_DRIVER_LICENSE",
    "DATE_OF_BIRTH",  # columns judged wholly dates of birth
    "PII",  # columns the rules call pii with no entity to name
)


@dataclass
class PiiPartial:
    """One batch's counts; only masked values leave the batch."""

    rows: int
    pii_rows: int
    values: Counter[str] = field(default_factory=Counter)
    rows_by_entity: Counter[str] = field(default_factory=Counter)
    cells: int = 0
    columns: Counter[str] = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)


@register
class PiiCheck(MapReduceCheck[PiiParams, PiiPartial]):
    id = "pii"
    title = "Personal data"
    params_model = PiiParams
    packages: ClassVar[Mapping[str, str]] = PII_PACKAGES
    threshold_metrics = frozenset(
        {"pii_rows", "pii_row_rate", "pii_values", "pii_cells"}
        | {f"row_rate.{e}" for e in GATEABLE}
        | {f"rows.{e}" for e in GATEABLE}
    )

    judged: dict[str, ColumnJudgement] | None = None

    def run(self, data: AuditData) -> Outcome:
        """Judge the columns on the whole table once, then scan it batch by batch."""
        skip = frozenset(self.params.skip_columns)
        self.judged = judge_columns(_cells_document(data.frame).cells(skip=skip), self.params)
        return super().run(data)

    def map(self, batch: AuditData) -> PiiPartial:
        document = _cells_document(batch.frame)
        hits = find_pii(
            document.cells(skip=frozenset(self.params.skip_columns)),
            self.params,
            engine=batch.engine,
            columns=self.judged,
        )
        ids = batch.ids().tolist()
        part = PiiPartial(rows=len(batch.frame), pii_rows=len({h.row for h in hits}))
        entity_rows: set[tuple[str, int]] = set()
        for hit in hits:
            part.cells += 1
            part.columns[hit.column] += 1
            for span in hit.spans:
                part.values[span.entity_type] += 1
                entity_rows.add((span.entity_type, hit.row))
                if len(part.examples) < self.params.max_findings:
                    part.examples.append(
                        {
                            "id": _plain(ids[hit.row]),
                            "row": batch.offset + hit.row,
                            "column": hit.column,
                            "entity_type": span.entity_type,
                            "start": span.start,
                            "end": span.end,
                            "score": span.score,
                            "masked": masked(hit.text[span.start : span.end], span.entity_type),
                        }
                    )
        part.rows_by_entity.update(entity for entity, _ in sorted(entity_rows))
        return part

    def reduce(self, data: AuditData, partials: Sequence[PiiPartial]) -> Outcome:
        rows = sum(p.rows for p in partials)
        pii_rows = sum(p.pii_rows for p in partials)
        values: Counter[str] = Counter()
        by_rows: Counter[str] = Counter()
        columns: Counter[str] = Counter()
        for p in partials:
            values.update(p.values)
            by_rows.update(p.rows_by_entity)
            columns.update(p.columns)
        examples = [e for p in partials for e in p.examples][: self.params.max_findings]

        def rate(n: int) -> float:
            return round(n / rows, 6) if rows else 0.0

        metrics: dict[str, Any] = {
            "rows": rows,
            "pii_rows": pii_rows,
            "pii_row_rate": rate(pii_rows),
            "pii_values": sum(values.values()),
            "pii_cells": sum(p.cells for p in partials),
            "entities_checked": list(self.params.all_entities),
            "values_by_entity": dict(values.most_common()),
            "row_rate_by_entity": {e: rate(n) for e, n in by_rows.most_common()},
            "cells_by_column": dict(columns.most_common()),
            "columns_judged": {
                c: f"{j.entity_type}: {j.reason}"
                for c, j in (self.judged or {}).items()
                if j.verdict == "pii"
            },
        }
        for entity, n in by_rows.items():
            metrics[f"rows.{entity}"] = n
            metrics[f"row_rate.{entity}"] = rate(n)
        if values:
            top = ", ".join(f"{e} {n}" for e, n in values.most_common(4))
            summary = f"{pii_rows} of {rows} rows ({rate(pii_rows):.1%}) hold personal data ({top})"
        else:
            summary = f"No personal data found in {rows} rows"
        if metrics["columns_judged"]:
            summary += f"; columns wholly personal data: {', '.join(metrics['columns_judged'])}"
        return Outcome(summary=summary, metrics=metrics, findings=examples)


def _cells_document(frame: pd.DataFrame) -> FrameDocument:
    """The frame with parsed dates as their text, so a date-of-birth column is judged too."""
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)]
    if dates:
        frame = frame.assign(**{str(c): frame[c].astype("string") for c in dates})
    return FrameDocument(frame)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
