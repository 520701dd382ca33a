"""``curate audit``: run the checks the rules name and write the report set and receipt."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from curate.commands.options import (
    EXIT_GATE,
    EXIT_OK,
    column_options,
    command,
    engine_options,
    pick_columns,
    say,
)
from curate.io.outputs import check_outputs

log = logging.getLogger("curate")


@command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option(
    "--rules", type=click.Path(path_type=Path), help="Rules file (default: rules/default.yaml)."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output folder (default: reports/<name>-<fingerprint>/).",
)
@click.option("--positive-label", help="The label value that counts as positive (e.g. spam).")
@click.option("--positive-prediction", help="The prediction value that counts as positive.")
@click.option(
    "--no-infer",
    "no_infer",
    is_flag=True,
    help="Do not guess column roles from names and values; use only the rules and flags.",
)
@engine_options
@column_options
def audit(
    data: Path,
    rules: Path | None,
    out: Path | None,
    positive_label: str | None,
    positive_prediction: str | None,
    no_infer: bool,
    engine: str,
    workers: int | None,
    ray_address: str | None,
    **kwargs: Any,
) -> int:
    """Run every check the rules name; exit 0 when the gate passes, 1 when it fails."""
    from curate.auditing import audit as run_audit
    from curate.auditing import write_audit
    from curate.io.atomic import check_replaceable

    check_outputs(inputs=[data, rules], outputs={"--out": out}, folders=["--out"])
    if out is not None:
        check_replaceable(out, marker="report.json")
    report = run_audit(
        data,
        rules=rules,
        engine=engine,
        workers=workers,
        ray_address=ray_address,
        positive_label=positive_label,
        positive_prediction=positive_prediction,
        infer=not no_infer,
        **pick_columns(kwargs),
    )
    files = write_audit(report, out)
    for result in report.checks:
        log.info("%-18s %-7s %s", result.id, result.status.value, result.summary)
    verdict = "PASSED" if report.passed else "FAILED"
    say(f"audit {verdict}: {report.dataset['name']} ({report.dataset['rows']:,} rows)")
    for label, path in (
        ("html", files.html),
        ("json", files.json),
        ("markdown", files.markdown),
        ("receipt", files.receipt),
    ):
        say(f"  {label:<9}{path}")
    return EXIT_OK if report.passed else EXIT_GATE
