"""Run one configured check: skip it without its columns, turn a crash into ``error``, apply thresholds.

A metric that is the worst over columns and intersections (the bias gaps) opens the summary
with where it came from, in the words the report's verdict uses.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from curate.checks.base import CheckResult, Status
from curate.checks.data import AuditData
from curate.checks.thresholds import breaches
from curate.crashlog import write_crash_log
from curate.errors import CurateError
from curate.report.verdict import Limits, opening
from curate.rules.loader import CheckConfig

log = logging.getLogger(__name__)

ROLE_HELP = {
    "text": "a text column (--text-column or columns.text)",
    "label": "a label column (--label-column or columns.label)",
    "sensitive": "a sensitive column (--sensitive-column or columns.sensitive)",
    "prediction": "a prediction column (--prediction-column or columns.prediction)",
    "split": "splits (a split column, split file names or a DatasetDict)",
    "time": "a time column (--time-column or columns.time)",
    "id": "an id column (--id-column or columns.id)",
}


def _has_role(data: AuditData, role: str) -> bool:
    if role == "split":
        return data.split is not None and data.split.nunique() > 1
    return data.columns.has(role)


def run_check(config: CheckConfig, data: AuditData) -> CheckResult:
    missing = [role for role in config.check.requires if not _has_role(data, role)]
    if missing:
        needs = " and ".join(ROLE_HELP.get(r, r) for r in missing)
        return CheckResult(config.id, Status.SKIPPED, f"Skipped: needs {needs}.")
    log.info("running %s", config.id)
    try:
        outcome = config.check.run(data)
    except CurateError as exc:
        return CheckResult(config.id, Status.ERROR, f"Could not run: {exc}")
    except Exception as exc:
        path = write_crash_log(exc, context=f"check {config.id}")
        log.error("check %s crashed (%s); details in %s", config.id, type(exc).__name__, path)
        return CheckResult(
            config.id,
            Status.ERROR,
            f"The check crashed ({type(exc).__name__}); details in {path}.",
            metrics={"crash_log": str(path)},
        )
    metrics = outcome.metrics_json()
    if outcome.skipped:
        return CheckResult(config.id, Status.SKIPPED, outcome.summary, metrics, outcome.findings)
    failed = breaches(metrics, config.fail_if)
    warned = breaches(metrics, config.warn_if)
    status = Status.FAIL if failed else Status.WARN if warned else Status.PASS
    summary = outcome.summary.rstrip(".")
    if failed:
        summary += "; fails the gate: " + ", ".join(map(str, failed))
    elif warned:
        summary += "; warning: " + ", ".join(map(str, warned))
    elif config.fail_if:
        limits = ", ".join(f"{metric} {condition}" for metric, condition in config.fail_if.items())
        summary += f"; within the gate (fails if {limits})"
    result = CheckResult(
        config.id, status, summary + ".", metrics, outcome.findings, outcome.records
    )
    first = opening(result, Limits(fail_if=config.fail_if, warn_if=config.warn_if))
    if first is not None:
        result = replace(result, summary=f"{first} {result.summary}")
    return result
