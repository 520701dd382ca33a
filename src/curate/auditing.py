"""Audit: read the data, run the checks the rules name, build the report and write its set.

Named ``auditing`` so the module does not shadow the ``curate.audit`` function."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from curate._version import __version__
from curate.checks.base import CheckResult, Status
from curate.checks.data import AuditData
from curate.checks.runner import run_check
from curate.checks.schema import simple_type
from curate.engine import get_engine
from curate.errors import InputError, RulesError, UsageError
from curate.io import atomic
from curate.io.chat import chat_rows
from curate.io.fingerprint import fingerprint_digests, fingerprint_frame
from curate.io.options import DEFAULT as DEFAULT_READ
from curate.io.options import ReadOptions
from curate.io.table import Table, load_table
from curate.report.model import ColumnInfo, DatasetInfo, GateInfo, Report, RulesInfo
from curate.rules import Columns, RuleSet, Target, load_rules
from curate.rules.infer import Inference, infer_columns
from curate.rules.required import how_to_waive, required_checks

log = logging.getLogger(__name__)


def resolve_columns(
    base: Columns,
    *,
    text_column: Sequence[str] | str | None = None,
    label_column: str | None = None,
    id_column: str | None = None,
    split_column: str | None = None,
    sensitive_column: Sequence[str] | str | None = None,
    prediction_column: str | None = None,
    time_column: str | None = None,
) -> Columns:
    """The rules' columns with any column options laid over them."""
    update: dict[str, Any] = {}
    if text_column:
        update["text"] = (text_column,) if isinstance(text_column, str) else tuple(text_column)
    if sensitive_column:
        update["sensitive"] = (
            (sensitive_column,) if isinstance(sensitive_column, str) else tuple(sensitive_column)
        )
    for role, column in (("label", label_column), ("prediction", prediction_column)):
        if column:
            current: Target | None = getattr(base, role)
            keep = current.positive if current is not None and current.column == column else None
            update[role] = Target(column=column, positive=keep)
    for role, column in (("id", id_column), ("split", split_column), ("time", time_column)):
        if column:
            update[role] = column
    return base.model_copy(update=update)


def dataset_options(columns: Columns, read: ReadOptions) -> dict[str, Any]:
    """How the data is read and which column plays which role: part of the fingerprint."""
    options: dict[str, Any] = {"columns": columns.options()}
    if read.options():
        options["read"] = read.options()
    return options


def prepare(
    data: object, columns: Columns, *, read: ReadOptions = DEFAULT_READ, name: str | None = None
) -> tuple[Table, str]:
    """Load the data, apply the split column, check named columns exist; return it with its fingerprint."""
    return bind(load_table(data, name=name, read=read), columns, read=read, data=data)


def bind(table: Table, columns: Columns, *, read: ReadOptions, data: object) -> tuple[Table, str]:
    """Check the named columns exist, apply the split column; return the table with its fingerprint."""
    present = set(map(str, table.frame.columns))
    for column, role in columns.named().items():
        if column not in present:
            raise InputError(
                f"column '{column}' (the {role} column) not found; columns: {', '.join(sorted(present))}",
                path=data if isinstance(data, str | os.PathLike) else table.name,
            )
    if columns.split is not None:
        table = table.with_split_column(columns.split)
    options = dataset_options(columns, read)
    if table.hashed_files:
        fingerprint = fingerprint_digests(table.hashed_files, options)
    else:
        fingerprint = fingerprint_frame(table.frame, options)
    return table, fingerprint


def with_positive(
    columns: Columns, *, positive_label: str | None, positive_prediction: str | None
) -> Columns:
    """Set the positive value of the label or prediction, which must then be known."""
    update: dict[str, Any] = {}
    for role, value in (("label", positive_label), ("prediction", positive_prediction)):
        if value is None:
            continue
        target: Target | None = getattr(columns, role)
        if target is None:
            raise UsageError(
                f"--positive-{role} needs a {role} column (--{role}-column or columns.{role})"
            )
        update[role] = Target(column=target.column, positive=(value,))
    return columns.model_copy(update=update) if update else columns


def split_sources(table: Table, columns: Columns) -> dict[str, str]:
    """Where each split's name came from: a column, or the files (whole-word names)."""
    if table.split is None:
        return {}
    if columns.split is not None:
        return {split: f"column '{columns.split}'" for split in table.split_counts()}
    named: dict[str, list[str]] = {}
    for source in table.sources:
        named.setdefault(source.split or "unsplit", []).append(source.relpath)
    order = [s for s in table.split_counts() if s in named]
    return {
        split: ("no split name in: " if split == "unsplit" else "file name: ")
        + ", ".join(files[:5])
        + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        for split, files in ((s, named[s]) for s in order)
    }


def audit(
    data: object,
    *,
    rules: str | Path | RuleSet | None = None,
    engine: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    name: str | None = None,
    positive_label: str | None = None,
    positive_prediction: str | None = None,
    infer: bool = True,
    **column_options: Any,
) -> Report:
    """Audit ``data`` (a path, DataFrame or ``datasets`` object) under ``rules``.

    Column options (``text_column``, ``label_column``, ``id_column``, ``split_column``,
    ``sensitive_column``, ``prediction_column``, ``time_column``) override the rules' columns.
    Roles neither names are guessed from the data (:mod:`curate.rules.infer`) unless
    ``infer`` is false or the rules say ``columns: {infer: false}``; the report lists each guess.
    """
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    ruleset.require_packages()
    _refuse_unmet(ruleset, has_splits=False)
    columns = resolve_columns(ruleset.columns, **column_options)
    if not infer:
        columns = columns.model_copy(update={"infer": False})
    table = load_table(data, name=name, read=ruleset.read)
    chat = chat_rows(table.frame, sources=table.sources, name=table.name)
    inference = infer_columns(
        table.frame,
        columns,
        has_file_splits=table.split is not None,
        chat=None if chat is None else chat.layout,
    )
    columns = with_positive(
        inference.columns, positive_label=positive_label, positive_prediction=positive_prediction
    )
    table, fingerprint = bind(table, columns, read=ruleset.read, data=data)
    _log_inference(inference)
    has_splits = table.split is not None and table.split.nunique() > 1
    _refuse_unmet(ruleset, has_splits=has_splits)
    required = set(required_checks(has_splits=has_splits)) - set(ruleset.waived)
    with get_engine(engine, workers=workers, address=ray_address) as runner:
        audit_data = AuditData(table=table, columns=columns, engine=runner, chat=chat)
        results = tuple(
            _required_ran(run_check(config, audit_data), required) for config in ruleset.checks
        )
    roles = {column: role for column, role in columns.named().items()}
    return Report(
        curate_version=__version__,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        dataset=DatasetInfo(
            name=table.name,
            fingerprint=fingerprint,
            rows=table.rows,
            splits=table.split_counts(),
            split_sources=split_sources(table, columns),
            columns=tuple(
                ColumnInfo(name=str(c), type=simple_type(table.frame[c]), role=roles.get(str(c)))
                for c in table.frame.columns
            ),
            options=dataset_options(columns, ruleset.read),
            files=tuple(s.relpath for s in table.sources),
        ),
        rules=RulesInfo(path=ruleset.path, sha256=ruleset.sha256),
        checks=results,
        gate=GateInfo(
            required=tuple(required_checks(has_splits=has_splits)),
            waived=dict(ruleset.waived),
            thresholds=_thresholds(ruleset),
        ),
        extra={"inferred": inference.to_dict()},
    )


def _thresholds(ruleset: RuleSet) -> dict[str, dict[str, dict[str, str]]]:
    """Each check's limits as the rules wrote them, so the report can say what decided it."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for config in ruleset.checks:
        kinds = {
            kind: {metric: str(condition) for metric, condition in conditions.items()}
            for kind, conditions in (("fail_if", config.fail_if), ("warn_if", config.warn_if))
            if conditions
        }
        if kinds:
            out[config.id] = kinds
    return out


def _log_inference(inference: Inference) -> None:
    for guess in inference.inferred:
        log.info("inferred %s column: %s (%s)", guess.role, guess.column, guess.reason)
    for column in inference.suggested_sensitive:
        log.info(
            "possible sensitive attribute, not audited: %s (--sensitive-column %s)", column, column
        )
    if inference.inferred:
        log.info("to override: %s", inference.to_dict()["override"])


def _refuse_unmet(ruleset: RuleSet, *, has_splits: bool) -> None:
    """An audit that would not run a check the gate requires is no audit: exit 2 before work."""
    missing = ruleset.unmet(has_splits=has_splits)
    if missing:
        raise RulesError(f"{ruleset.path}: {how_to_waive(missing)}")


def _required_ran(result: CheckResult, required: Set[str]) -> CheckResult:
    """A required check that skipped did not run: it fails the gate."""
    if result.status is not Status.SKIPPED or result.id not in required:
        return result
    return replace(
        result,
        status=Status.FAIL,
        summary=f"Required by the gate but not run: {result.summary.rstrip('.')}; "
        f"fix the data or options, or waive '{result.id}' in the rules.",
    )


@dataclass(frozen=True)
class AuditFiles:
    json: Path
    html: Path
    markdown: Path
    receipt: Path


def default_out_dir(report: Report) -> Path:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", report.dataset.name).strip("-") or "data"
    digest = report.dataset.fingerprint.removeprefix("sha256:")[:12]
    return Path("reports") / f"{name}-{digest}"


#: Files of one audit's set: replaced together, never carried over from an older set.
REPORT_SET = (
    "report.json",
    "report.html",
    "report.md",
    "receipt.json",
    "rules.yaml",
    "label_issues.jsonl",
)


def side_files(report: Report) -> dict[str, bytes]:
    """The checks' side files (``label_issues.jsonl``) as JSON Lines, by file name.

    Only names of :data:`REPORT_SET`: a file outside the set would outlive the run that made it.
    """
    out: dict[str, bytes] = {}
    for result in report.checks:
        for name, rows in result.records.items():
            if name not in REPORT_SET or name in out:
                raise ValueError(f"check {result.id}: side file '{name}' is not in the report set")
            lines = (json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n" for row in rows)
            out[name] = "".join(lines).encode("utf-8")
    return out


def write_audit(report: Report, out: str | Path | None = None) -> AuditFiles:
    """Write report.json, report.html, report.md, receipt.json, a copy of the rules and the
    checks' side files (``label_issues.jsonl``) as one set.

    They are written into a hidden folder beside ``out`` and swapped in whole, so a reader
    sees the old set or the new one, never a mix; a failed write leaves the old set.
    """
    from curate.receipt import RULES_COPY, make_receipt, rules_copy

    folder = Path(out) if out is not None else default_out_dir(report)
    with atomic.atomic_folder(folder, owned=REPORT_SET, marker="report.json") as staging:
        report_bytes = report.to_json().encode("utf-8")
        atomic.write_member(staging, "report.json", report_bytes)
        atomic.write_member(staging, "report.md", report.to_markdown().encode("utf-8"))
        receipt = make_receipt(report, report_bytes=report_bytes)
        atomic.write_member(staging, "receipt.json", receipt.to_json().encode("utf-8"))
        atomic.write_member(staging, "report.html", report.to_html().encode("utf-8"))
        rules_bytes = rules_copy(report)
        if rules_bytes is not None:
            atomic.write_member(staging, RULES_COPY, rules_bytes)
        for name, data in side_files(report).items():
            atomic.write_member(staging, name, data)
    return AuditFiles(
        json=folder / "report.json",
        html=folder / "report.html",
        markdown=folder / "report.md",
        receipt=folder / "receipt.json",
    )
