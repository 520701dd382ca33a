"""Instruction data (instruction / context / response, like Dolly): coverage per task category,
response length per category, and instructions without a response."""

from __future__ import annotations

from typing import Any

import pandas as pd

from curate.checks.coverage.labels import MISSING
from curate.checks.coverage.metrics import Category, Instruction

GUESSES = {
    "instruction": ("instruction", "prompt", "question"),
    "context": ("context", "input"),
    "response": ("response", "output", "answer", "completion"),
    "category": ("category", "task", "task_category"),
}


def find_columns(frame: pd.DataFrame, given: dict[str, str | None]) -> dict[str, str | None]:
    """The instruction-data columns: as given, else by their usual names."""
    present = {str(c).lower(): str(c) for c in frame.columns}
    found: dict[str, str | None] = {}
    for role, names in GUESSES.items():
        found[role] = given.get(role) or next((present[n] for n in names if n in present), None)
    return found


def instruction_coverage(
    frame: pd.DataFrame, columns: dict[str, str | None], *, min_rows: int
) -> tuple[Instruction, list[dict[str, Any]]]:
    instruction, response = columns["instruction"], columns["response"]
    assert instruction is not None and response is not None
    answers = frame[response].astype("string").fillna("").str.strip()
    without = answers.eq("")
    words = answers.str.count(r"\S+")
    category = (
        frame[columns["category"]].astype("string").fillna(MISSING)
        if columns["category"] is not None
        else pd.Series("all", index=frame.index, dtype="string")
    )
    has_context = (
        frame[columns["context"]].astype("string").fillna("").str.strip().ne("")
        if columns["context"] is not None
        else pd.Series(False, index=frame.index)
    )
    per_category: dict[str, Category] = {}
    findings: list[dict[str, Any]] = []
    for name, rows in category.groupby(category, sort=True).groups.items():
        lengths = words[rows]
        entry = Category(
            rows=len(rows),
            without_response=int(without[rows].sum()),
            with_context=int(has_context[rows].sum()),
            response_words_median=float(lengths.median()),
            response_words_p90=float(lengths.quantile(0.9)),
        )
        per_category[str(name)] = entry
        if entry.rows < min_rows:
            findings.append(
                {
                    "kind": "category too small",
                    "where": f"{columns['category']}={name}",
                    "rows": entry.rows,
                    "reason": f"{entry.rows} rows, fewer than {min_rows}",
                }
            )
    rows_without = int(without.sum())
    if rows_without:
        findings.append(
            {
                "kind": "instruction without response",
                "where": f"{response} empty",
                "rows": rows_without,
                "reason": f"{rows_without} instructions have no response",
            }
        )
    out = Instruction(
        columns={k: v for k, v in columns.items() if v is not None},
        categories=per_category,
        without_response=rows_without,
        without_response_share=round(rows_without / len(frame), 6) if len(frame) else 0.0,
        small_categories=sum(1 for e in per_category.values() if e.rows < min_rows),
    )
    return out, findings
