"""The command line: a thin layer over the library; each command returns an exit code.

0 done / gate passed · 1 gate failed · 2 bad usage or input (one line, no traceback) ·
3 internal error (short message and the path of a crash log).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from curate.crashlog import write_crash_log
from curate.errors import CurateError, Terminated
from curate.io.outputs import check_outputs
from curate.progress import is_quiet, set_quiet

log = logging.getLogger("curate")

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3
EXIT_TERMINATED = 128 + signal.SIGTERM


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record arrives, not when the CLI started:
    a later library call (a notebook, a test after ``capsys``) never hits a closed stream."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _setup_logging(*, quiet: bool, verbose: bool) -> None:
    set_quiet(quiet)
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = _StderrHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("curate: %(message)s"))
    root = logging.getLogger("curate")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _log_options(fn: F) -> F:
    """``--quiet`` and ``--verbose``, accepted before or after the command name."""

    def apply(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
        if value:
            _setup_logging(quiet=param.name == "quiet", verbose=param.name == "verbose")
        return value

    fn = click.option(
        "-v", "--verbose", is_flag=True, expose_value=False, callback=apply, help="Debug logging."
    )(fn)
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=apply,
        help="No progress or informational output.",
    )(fn)


def _say(message: str) -> None:
    """A result line on stderr; ``--quiet`` leaves only the exit code and errors."""
    if not is_quiet():
        click.echo(message, err=True)


def command(group: click.Group, name: str | None = None) -> Callable[[F], F]:
    """A subcommand of ``group`` that also takes ``--quiet`` / ``--verbose``."""

    def decorate(fn: F) -> F:
        return group.command(name)(_log_options(fn))  # type: ignore[return-value]

    return decorate


def engine_options(fn: F) -> F:
    """``--engine``, ``--workers`` and ``--ray-address``, shared by audit, dedup and scrub."""
    fn = click.option(
        "--workers",
        type=click.IntRange(1),
        help="Processes on this machine, or Ray workers (default: as many as pay off, up to all cores).",
    )(fn)
    fn = click.option(
        "--ray-address",
        envvar="RAY_ADDRESS",
        help="Ray cluster to join (default: start a local Ray for the run). Env: RAY_ADDRESS.",
    )(fn)
    return click.option(
        "--engine",
        type=click.Choice(["local", "ray"]),
        default="local",
        show_default=True,
        help="Where the work runs: this machine, or Ray.",
    )(fn)


def column_options(fn: F) -> F:
    """The column options shared by audit and dedup."""
    options = [
        click.option("--text-column", multiple=True, help="Text column (repeatable)."),
        click.option("--label-column", help="Label column."),
        click.option("--id-column", help="Column of row ids (default: 0-based row numbers)."),
        click.option("--split-column", help="Column naming each row's split."),
        click.option("--sensitive-column", multiple=True, help="Sensitive attribute (repeatable)."),
        click.option("--prediction-column", help="Column of a model's predictions or scores."),
        click.option("--time-column", help="Column of timestamps."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def pick_columns(kwargs: dict[str, Any]) -> dict[str, Any]:
    names = (
        "text_column",
        "label_column",
        "id_column",
        "split_column",
        "sensitive_column",
        "prediction_column",
        "time_column",
    )
    return {name: kwargs.pop(name) for name in names if name in kwargs}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="curate", prog_name="curate")
@_log_options
def cli() -> None:
    """Audit, deduplicate, scrub and gate the data that goes into a fine-tuned model."""


@command(cli)
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
    _say(f"audit {verdict}: {report.dataset['name']} ({report.dataset['rows']:,} rows)")
    for label, path in (
        ("html", files.html),
        ("json", files.json),
        ("markdown", files.markdown),
        ("receipt", files.receipt),
    ):
        _say(f"  {label:<9}{path}")
    return EXIT_OK if report.passed else EXIT_GATE


ALLOW_UNSIGNED = click.option(
    "--allow-unsigned",
    is_flag=True,
    help="Accept a receipt that is unsigned or whose signature does not match (the model card says so).",
)


@command(cli)
@click.argument("data", type=click.Path(path_type=Path))
@click.option(
    "--receipt",
    type=click.Path(path_type=Path),
    required=True,
    help="receipt.json from curate audit.",
)
@click.option(
    "--rules",
    type=click.Path(path_type=Path),
    help="Also require the receipt to be made under these rules.",
)
@ALLOW_UNSIGNED
def verify(data: Path, receipt: Path, rules: Path | None, allow_unsigned: bool) -> int:
    """Check that DATA is, byte for byte, the data a passing audit's receipt names."""
    from curate.receipt import verify as run_verify

    verified = run_verify(data, receipt=receipt, rules=rules, allow_unsigned=allow_unsigned)
    signed = "" if verified.signature == "valid" else f", signature {verified.signature}"
    _say(
        f"verified: {data} matches {receipt} ({verified.fingerprint[:19]}…, audit passed{signed})",
    )
    return EXIT_OK


@command(cli)
@click.argument("report_path", metavar="REPORT.json", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md", "card"]),
    default="html",
    show_default=True,
    help="card: a Hugging Face dataset card (README.md with the Hub's metadata).",
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Output file (default: beside the report)."
)
def report(report_path: Path, fmt: str, out: Path | None) -> int:
    """Re-render a report.json as HTML or Markdown, or write a dataset card from it."""
    import jinja2

    from curate.errors import InputError
    from curate.io import write_text
    from curate.report import load_report

    if fmt == "card":
        target = out or report_path.parent / "README.md"
    else:
        target = out or report_path.with_suffix(".html" if fmt == "html" else ".md")
    check_outputs(inputs=[report_path], outputs={"--out": target})
    loaded = load_report(report_path)
    try:
        if fmt == "card":
            from curate.report.card import load_receipt_beside, render_card

            text = render_card(loaded, receipt=load_receipt_beside(report_path))
        else:
            text = loaded.to_html() if fmt == "html" else loaded.to_markdown()
    except (TypeError, ValueError, LookupError, AttributeError, jinja2.TemplateError) as exc:
        raise InputError(
            f"cannot render: a value has a type curate did not write ({type(exc).__name__});"
            " was the report edited?",
            path=report_path,
        ) from exc
    write_text(target, text)
    _say(f"wrote {target}")
    return EXIT_OK


@cli.group()
def rules() -> None:
    """Validate or show rules files."""


@command(rules, "validate")
@click.argument("path", type=click.Path(path_type=Path))
def rules_validate(path: Path) -> int:
    """Check a rules file: every unknown key, check id, metric, bad value and PII entity, each
    on its own line with its file and line; and that the gate's required checks run or are waived."""
    from curate.rules.loader import validate_rules
    from curate.rules.required import how_to_waive

    ruleset, problems = validate_rules(path)
    if ruleset is None:
        for problem in problems:
            click.echo(f"curate: error: {problem}", err=True)
        return EXIT_USAGE
    missing = ruleset.unmet(has_splits=ruleset.columns.split is not None)
    if missing:
        click.echo(f"curate: error: {path}: {how_to_waive(missing)}", err=True)
        return EXIT_USAGE
    waived = f"; waived: {', '.join(ruleset.waived)}" if ruleset.waived else ""
    click.echo(
        f"{path}: valid ({len(ruleset.checks)} checks: {', '.join(c.id for c in ruleset.checks)}"
        f"{waived})"
    )
    if ruleset.unmet(has_splits=True):
        _say("note: data with splits also needs dedup.cross_split (or its waiver)")
    return EXIT_OK


@command(rules, "show")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def rules_show(path: Path | None) -> int:
    """Print a rules file (the default when none is given) and the checks curate knows."""
    from curate.checks import registered
    from curate.rules import default_rules_path, load_rules

    source = path or default_rules_path()
    load_rules(source)
    click.echo(source.read_text(encoding="utf-8"), nl=False)
    click.echo("\n# checks curate knows: " + ", ".join(registered()))
    return EXIT_OK


@command(cli)
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Where to write the rows kept.")
@click.option("--in-place", is_flag=True, help="Overwrite DATA with the rows kept.")
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    help="Jaccard similarity for near duplicates (default 0.8).",
)
@click.option("--clusters", type=click.Path(path_type=Path), help="Write duplicate groups (JSONL).")
@click.option(
    "--against",
    type=click.Path(path_type=Path),
    help="Also drop rows that copy a row of this dataset.",
)
@click.option(
    "--keep",
    default="first",
    show_default=True,
    help="Row kept in each cluster: first, longest or best:COLUMN (highest value).",
)
@click.option(
    "--rules",
    type=click.Path(path_type=Path),
    help="Rules file: its columns, dedup.near settings and read: options (options here win).",
)
@click.option("--exact-only", is_flag=True, help="Exact duplicates only (no MinHash).")
@click.option(
    "--semantic",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    metavar="THRESHOLD",
    help="Also drop rows that say the same as another in other words: cosine of MiniLM"
    " embeddings at least THRESHOLD (e.g. 0.9). Settings from the rules' dedup.semantic.",
)
@click.option(
    "--shingle",
    type=click.Choice(["word", "char"]),
    help="Shingle type (default: picked from the text lengths, char for short texts).",
)
@click.option(
    "--shingle-size", type=click.IntRange(1, 64), help="Shingle size (default 3 chars, 5 words)."
)
@click.option(
    "--compare",
    type=click.Choice(["auto", "joined", "fields"]),
    help="Several text columns: joined into one text, or field by field (default auto:"
    " fields when they are short).",
)
@click.option("--num-perm", type=click.IntRange(8, 1024), help="MinHash size (default 128).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="MinHash seed (recorded).")
@click.option(
    "--normalize",
    help="Comma-separated subset of nfkc,lowercase,whitespace,punctuation (default: the first three); 'none' for none.",
)
@engine_options
@column_options
def dedup(
    data: Path,
    out: Path | None,
    in_place: bool,
    threshold: float | None,
    clusters: Path | None,
    against: Path | None,
    keep: str,
    rules: Path | None,
    exact_only: bool,
    semantic: float | None,
    shingle: str | None,
    shingle_size: int | None,
    compare: str | None,
    num_perm: int | None,
    seed: int | None,
    normalize: str | None,
    engine: str,
    workers: int | None,
    ray_address: str | None,
    **kwargs: Any,
) -> int:
    """Write DATA without exact and near-duplicate rows (and without rows found in --against)."""
    from curate.duplicates.api import dedup as run_dedup
    from curate.duplicates.settings import settings_from_options, settings_from_rules
    from curate.rules.loader import load_rules

    columns = pick_columns(kwargs)
    check_outputs(
        inputs=[data, against, rules],
        outputs={"--out": None if in_place else out, "--clusters": clusters},
    )
    ruleset = load_rules(rules) if rules is not None else None
    settings = settings_from_options(
        base=settings_from_rules(ruleset) if ruleset is not None else None,
        normalize=normalize,
        shingle=shingle,
        shingle_size=shingle_size,
        num_perm=num_perm,
        seed=seed,
        compare=compare,  # type: ignore[arg-type]
    )
    result = run_dedup(
        data,
        out=out,
        in_place=in_place,
        text_column=columns.get("text_column") or None,
        id_column=columns.get("id_column"),
        threshold=threshold,
        keep=keep,
        clusters=clusters,
        against=against,
        settings=settings,
        near=not exact_only,
        engine=engine,
        workers=workers,
        ray_address=ray_address,
        rules=ruleset,
        semantic=_semantic_settings(semantic, ruleset),
    )
    against_part = (
        f", {result.against_matches} found in {against},"
        f" {result.contained_matches} containing a row of it"
        if against
        else ""
    )
    if result.contained_matches and not against:
        against_part = f", {result.contained_matches} training rows holding another split's row"
    _say(
        f"dedup: kept {result.kept:,} of {result.rows:,} rows ({result.exact_duplicates:,} exact,"
        f" {result.near_duplicates:,} near duplicates{against_part}; {result.blank_rows:,} without text)"
        f" -> {result.output}",
    )
    if semantic is not None:
        _say(f"  {result.semantic_duplicates:,} more dropped by meaning (cosine >= {semantic:g})")
    if result.settings.picked:
        _say(f"  compared on {result.settings.picked}")
    if result.clusters_path is not None:
        _say(f"  clusters {result.clusters_path} ({result.clusters:,})")
    return EXIT_OK


def _semantic_settings(threshold: float | None, ruleset: Any) -> Any:
    """``--semantic THRESHOLD`` over the rules' ``dedup.semantic`` settings, if they name it."""
    if threshold is None:
        return None
    from curate.duplicates.semantic import SemanticSettings

    for config in ruleset.checks if ruleset is not None else ():
        if config.id == "dedup.semantic":
            settings: SemanticSettings = config.check.params.settings()
            return settings.model_copy(update={"threshold": threshold})
    return SemanticSettings(threshold=threshold)


@command(cli)
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
            _say(f"baseline {baseline}: {'created, empty' if made else 'already there, unchanged'}")
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
            _say(
                f"{report.name}: column {judged.column!r} is wholly {judged.entity_type} "
                f"({judged.reason})"
            )
        for entity, (values, rows) in report.counts().items():
            _say(f"{report.name}: {entity}: {values} values in {rows} rows")
        if report.accepted:
            _say(f"{report.name}: {report.accepted} accepted by the baseline")
    total = len(result.findings)
    hit_files = sum(1 for r in result.files if r.findings)
    if update_baseline:
        accepted = sum(r.accepted for r in result.files)
        _say(f"baseline {baseline}: {accepted} findings accepted")
        return EXIT_OK
    if check:
        if not total:
            _say(f"no personal data found in {len(result.files)} file(s)")
            return EXIT_OK
        click.echo(f"curate: personal data found: {total} values in {hit_files} file(s)", err=True)
        for line in blocking_lines(result.findings, files=paths, baseline=baseline):
            click.echo(f"curate: {line}", err=True)
        return EXIT_GATE
    for report in result.changed:
        _say(f"scrubbed {report.name} -> {report.written}")
    if in_place:
        return EXIT_GATE if result.changed else EXIT_OK
    if out is not None and not result.changed:
        _say(f"no personal data found; copied to {out}")
    return EXIT_OK


@command(cli)
@click.argument("data", type=click.Path(path_type=Path))
@click.option(
    "--receipt",
    type=click.Path(path_type=Path),
    required=True,
    help="receipt.json from a passing curate audit of DATA.",
)
@click.option(
    "--recipe",
    type=click.Path(path_type=Path),
    help="Training recipe (default: train/default.yaml, LoRA on the packaged MiniLM).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output folder (default: runs/<name>-<fingerprint>/).",
)
@click.option(
    "--rules",
    type=click.Path(path_type=Path),
    help="Where the receipt's rules are, when not at the path it names.",
)
@ALLOW_UNSIGNED
def train(
    data: Path,
    receipt: Path,
    recipe: Path | None,
    out: Path | None,
    rules: Path | None,
    allow_unsigned: bool,
) -> int:
    """Fine-tune with LoRA on DATA, only if it is byte for byte the data a passing audit saw."""
    from curate.train import train as run_train

    check_outputs(inputs=[data, receipt, recipe, rules], outputs={"--out": out}, folders=["--out"])
    result = run_train(
        data, receipt=receipt, recipe=recipe, out=out, rules=rules, allow_unsigned=allow_unsigned
    )
    test = result.metrics["test"]
    score = (
        f"accuracy {test['accuracy']:.3f}, macro-F1 {test['macro_f1']:.3f}"
        if "accuracy" in test
        else f"loss {test['loss']:.3f}"
    )
    _say(f"trained: {score} on {test['rows']:,} test rows")
    _say(f"  model    {result.out}")
    _say(f"  card     {result.card}")
    return EXIT_OK


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` in this process, so temporary files are removed.

    Worker processes forked meanwhile inherit the handler; in them it does what SIGTERM
    always did (end the process), since their parent cleans up.
    """
    owner = os.getpid()

    def handle(signum: int, frame: object) -> None:
        if os.getpid() != owner:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, handle)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    _setup_logging(quiet=False, verbose=False)
    try:
        with _terminate_cleanly():
            result = cli.main(args=args, prog_name="curate", standalone_mode=False)
    except Terminated:
        click.echo("curate: terminated", err=True)
        return EXIT_TERMINATED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("curate: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        click.echo(f"curate: error: {exc.format_message()}", err=True)
        return EXIT_USAGE
    except CurateError as exc:
        click.echo(f"curate: error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("curate: interrupted", err=True)
        return 130
    except Exception as exc:
        path = write_crash_log(exc, context="curate " + " ".join(args[:1]))
        click.echo(f"curate: internal error ({type(exc).__name__}); crash log: {path}", err=True)
        return EXIT_CRASH
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
