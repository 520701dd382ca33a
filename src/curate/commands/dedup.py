"""``curate dedup``: write the data without its exact and near-duplicate rows."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from curate.commands.options import (
    EXIT_OK,
    column_options,
    command,
    engine_options,
    pick_columns,
    say,
)
from curate.io.outputs import check_outputs

if TYPE_CHECKING:
    from curate.duplicates.semantic import SemanticSettings
    from curate.rules.loader import RuleSet


@command()
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
@click.option(
    "--turns",
    type=click.Choice(["prompt", "conversation"]),
    help="Chat and instruction rows: compare what the user asked (default prompt) or every"
    " user and assistant turn (conversation); the system prompt is never compared.",
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
    turns: str | None,
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
        turns=turns,  # type: ignore[arg-type]
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
    say(
        f"dedup: kept {result.kept:,} of {result.rows:,} rows ({result.exact_duplicates:,} exact,"
        f" {result.near_duplicates:,} near duplicates{against_part}; {result.blank_rows:,} without text)"
        f" -> {result.output}",
    )
    if semantic is not None:
        say(f"  {result.semantic_duplicates:,} more dropped by meaning (cosine >= {semantic:g})")
    if result.settings.picked:
        say(f"  compared on {result.settings.picked}")
    if result.clusters_path is not None:
        say(f"  clusters {result.clusters_path} ({result.clusters:,})")
    return EXIT_OK


def _semantic_settings(threshold: float | None, ruleset: RuleSet | None) -> SemanticSettings | None:
    """``--semantic THRESHOLD`` over the rules' ``dedup.semantic`` settings, if they name it."""
    if threshold is None:
        return None
    from curate.duplicates.semantic import SemanticSettings

    for config in ruleset.checks if ruleset is not None else ():
        if config.id == "dedup.semantic":
            settings: SemanticSettings = config.check.params.settings()
            return settings.model_copy(update={"threshold": threshold})
    return SemanticSettings(threshold=threshold)
