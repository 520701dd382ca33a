"""``curate scrub``: find personal data in data files, and anonymize it on request."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from curate.commands.options import (
    EXIT_GATE,
    EXIT_OK,
    command,
    engine_options,
    say,
)
from curate.io.outputs import check_outputs

log = logging.getLogger("curate")


@command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Only report personal data; exit 1 when found.")
@click.option(
    "--only-data",
    is_flag=True,
    help="Skip files that hold no table of records (package.json, the baseline) instead of failing; for hooks.",
)
@click.option(
    "--findings",
    type=click.Path(path_type=Path),
    help="With --check: write findings as JSON Lines (locations and types, never values).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write the anonymized data here (one FILE, or a folder for a save_to_disk input).",
)
@click.option("--in-place", is_flag=True, help="Anonymize the files themselves (atomically).")
@click.option(
    "--rules", type=click.Path(path_type=Path), help="Rules file (default: rules/default.yaml)."
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    help="JSON file of accepted findings (hashes, never values) to leave alone.",
)
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Accept every current finding into --baseline instead of reporting it; with no FILES, "
    "create an empty baseline.",
)
@engine_options
def scrub(
    files: tuple[Path, ...],
    check: bool,
    only_data: bool,
    findings: Path | None,
    out: Path | None,
    in_place: bool,
    rules: Path | None,
    baseline: Path | None,
    update_baseline: bool,
    engine: str,
    workers: int | None,
    ray_address: str | None,
) -> int:
    """Find personal data in data FILEs; with --out or --in-place, write them anonymized.

    Exit 0 when nothing was found (or fixed), 1 when --check found personal data or
    --in-place changed files that must be re-staged.
    """
    from curate.errors import UsageError

    if sum([check, in_place, out is not None]) != 1 and not (
        update_baseline and not in_place and out is None
    ):
        raise UsageError("choose one of --check, --out PATH and --in-place")
    if findings is not None and not check:
        raise UsageError("--findings goes with --check")
    if update_baseline and baseline is None:
        raise UsageError("--update-baseline needs --baseline FILE")
    check_outputs(inputs=[*files, rules, baseline], outputs={"--out": out, "--findings": findings})
    from curate.hook import blocking_lines, data_files, start_baseline

    if not files:
        if update_baseline and baseline is not None:
            made = start_baseline(baseline)
            say(f"baseline {baseline}: {'created, empty' if made else 'already there, unchanged'}")
            return EXIT_OK
        raise UsageError("name the data FILEs to scrub")
    paths = list(files)
    if only_data:
        paths = data_files(paths, skip=[baseline] if baseline is not None else [])
        if not paths:
            log.debug("no data files among the %d given", len(files))
            return EXIT_OK
    import json

    from curate.io import write_text
    from curate.pii.importing import collection_paused

    with collection_paused():  # models and patterns built at import, none of them garbage
        from curate.pii.scrub import scrub as run_scrub

    result = run_scrub(
        paths,
        rules=rules,
        out=out,
        in_place=in_place,
        check=check,
        baseline=baseline,
        update_baseline=update_baseline,
        engine=engine,
        workers=workers,
        ray_address=ray_address,
    )
    if findings is not None:
        lines = "".join(json.dumps(f.to_dict()) + "\n" for f in result.findings)
        write_text(findings, lines)
    for report in result.files:
        for judged in report.columns:
            say(
                f"{report.name}: column {judged.column!r} is wholly {judged.entity_type} "
                f"({judged.reason})"
            )
        for entity, (values, rows) in report.counts().items():
            say(f"{report.name}: {entity}: {values} values in {rows} rows")
        if report.accepted:
            say(f"{report.name}: {report.accepted} accepted by the baseline")
    total = len(result.findings)
    hit_files = sum(1 for r in result.files if r.findings)
    if update_baseline:
        accepted = sum(r.accepted for r in result.files)
        say(f"baseline {baseline}: {accepted} findings accepted")
        return EXIT_OK
    if check:
        if not total:
            say(f"no personal data found in {len(result.files)} file(s)")
            return EXIT_OK
        click.echo(f"curate: personal data found: {total} values in {hit_files} file(s)", err=True)
        for line in blocking_lines(result.findings, files=paths, baseline=baseline):
            click.echo(f"curate: {line}", err=True)
        return EXIT_GATE
    for report in result.changed:
        say(f"scrubbed {report.name} -> {report.written}")
    if in_place:
        return EXIT_GATE if result.changed else EXIT_OK
    if out is not None and not result.changed:
        say(f"no personal data found; copied to {out}")
    return EXIT_OK
