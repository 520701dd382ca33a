"""``curate.dedup``: drop exact and near-duplicate rows (and rows already in another dataset)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from curate.duplicates.contain import Containment
from curate.duplicates.driver import (
    DedupResult,
    KeepPolicy,
    data_name,
    deliver,
    numeric_scores,
    parse_keep,
    resolve_for,
    target_of,
)
from curate.duplicates.index import (
    Fingerprints,
    choose_kept,
    concat,
    find_duplicates,
)
from curate.duplicates.lines import (
    Line,
    against_lines,
    cluster_lines,
    contained_in,
    row_ids,
    split_containment,
    text_batches,
)
from curate.duplicates.minhash import warm_kernels
from curate.duplicates.pairs import Matches, cross_split_matches
from curate.duplicates.semantic import SemanticSettings, drop_by_meaning, semantic_settings
from curate.duplicates.settings import DedupSettings, NearSettings, settings_from_rules
from curate.duplicates.task import FingerprintTask
from curate.engine import Engine, LocalEngine, get_engine
from curate.errors import UsageError
from curate.extras import DEDUP_PACKAGES, require
from curate.io.chat import Compare
from curate.io.options import DEFAULT, ReadOptions
from curate.io.paths import data_path
from curate.io.stream import (
    BATCH_ROWS,
    BLOCK_BYTES,
    FileSource,
    Source,
    TableSource,
    check_columns,
    column_values,
    open_source,
)
from curate.progress import track
from curate.rules.loader import RuleSet, load_rules

__all__ = ["DedupResult", "dedup"]

log = logging.getLogger(__name__)


def _fingerprints(
    source: Source, columns: Sequence[str], settings: DedupSettings, engine: Engine
) -> Fingerprints:
    batches = track(source.batches(columns), description=f"hashing {source.name}", unit="batch")
    parts = engine.map(FingerprintTask(tuple(columns), settings), batches)
    if sum(part.rows for part in parts) == 0:
        raise source.input_error(ValueError("no rows to deduplicate"))
    return concat(parts)


def _score(source: Source, policy: KeepPolicy) -> np.ndarray | None:
    """What a ``best:COLUMN`` policy ranks rows by (None: another policy)."""
    if policy.column is None:
        return None
    return numeric_scores(column_values(source, policy.column), policy.column)


def dedup(
    data: object,
    *,
    out: str | os.PathLike[str] | None = None,
    text_column: Sequence[str] | str | None = None,
    id_column: str | None = None,
    threshold: float | None = None,
    keep: str = "first",
    clusters: str | os.PathLike[str] | None = None,
    against: object = None,
    settings: DedupSettings | None = None,
    near: bool = True,
    in_place: bool = False,
    turns: Compare | None = None,
    engine: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    rules: str | os.PathLike[str] | RuleSet | None = None,
    semantic: float | SemanticSettings | None = None,
) -> DedupResult:
    """Drop duplicate rows from ``data`` (a path, DataFrame or ``datasets`` object).

    Rows are compared on ``text_column`` (one or more; all together) after normalisation;
    near duplicates are verified MinHash-LSH pairs at Jaccard ``threshold``. In each cluster
    one row is kept (``first``, ``longest`` or ``best:COLUMN``, the highest value). With
    ``against``, rows that copy a row of that dataset are dropped too. Rows with no text are
    kept and counted, never clustered. The result is written to ``out`` in the input's
    format (never over the input unless ``in_place``), or returned as ``data``: the kind of
    object given (a DataFrame, or a ``datasets`` Dataset or DatasetDict, features kept).
    Chat and instruction rows are recognised without a ``text_column`` (or with one naming
    the conversation's columns) and compared on what the user asked, or on every user and
    assistant turn with ``turns="conversation"``; the system prompt is never compared.
    A ``rules`` file supplies the text and id columns, the settings of its ``dedup.near``
    check and its ``read:`` options, for whatever the arguments leave unset.
    ``engine="ray"`` runs it on Ray (a local Ray, or the cluster at ``ray_address``) as a
    shuffle that never gathers every row on the driver (see :mod:`curate.duplicates.shuffle`);
    locally, ``workers`` threads hash and verify (default: :func:`default_workers`).
    With ``semantic`` (a cosine threshold, or :class:`SemanticSettings`), rows left that say
    the same as another in other words are dropped too (:mod:`curate.duplicates.semantic`).
    """
    require(DEDUP_PACKAGES, feature="curate dedup")
    if engine == "local":
        warm_kernels()  # while the data is opened and its first batches read
    read = DEFAULT
    if rules is not None:
        ruleset = rules if isinstance(rules, RuleSet) else load_rules(Path(rules))
        text_column = text_column or ruleset.columns.text
        id_column = id_column or ruleset.columns.id
        settings = settings or settings_from_rules(ruleset)
        read = ruleset.read
    settings = settings or DedupSettings()
    if threshold is not None:
        near_settings = NearSettings.model_validate(
            {**settings.near.model_dump(), "threshold": threshold}
        )
        fields = settings.fields.model_copy(update={"threshold": threshold})
        settings = settings.model_copy(update={"near": near_settings, "fields": fields})
    if not near:
        settings = settings.model_copy(update={"near_enabled": False})
    if turns is not None:
        settings = settings.model_copy(update={"turns": turns})
    texts = [text_column] if isinstance(text_column, str) else list(text_column or [])
    if isinstance(data, str | os.PathLike):
        data_path(data)
    target = target_of(data, out, in_place=in_place)
    source = open_source(data, read=read)
    texts = _chat_texts(source, texts, settings.turns)
    check_columns(source, [*texts, *([id_column] if id_column else [])], where=data_name(data))
    settings = resolve_for(source, texts, settings)
    policy = parse_keep(keep, source)
    by_meaning = semantic_settings(semantic)
    if engine == "ray":
        from curate.duplicates.on_ray import dedup_on_ray

        return dedup_on_ray(
            source, target=target, texts=texts, id_column=id_column, keep=policy,
            clusters=clusters, against=against, settings=settings, read=read, workers=workers,
            ray_address=ray_address, semantic=by_meaning,
        )  # fmt: skip
    score = _score(source, policy)
    if engine != "local":
        get_engine(engine)  # exit 2 naming the engines known
    with LocalEngine(workers=workers or default_workers(source), threads=True) as runner:
        prints = _fingerprints(source, texts, settings, runner)
        if policy.kind == "longest":
            score = prints.length.astype(np.float64)
        dups = find_duplicates(prints, settings, text=text_batches(source, texts), engine=runner)
        kept = choose_kept(dups.cluster, score=score)
        ids = (
            column_values(source, id_column).to_numpy(dtype=object)
            if id_column
            else np.arange(dups.rows)
        )
        chosen = kept.copy()  # the clusters' lines name the row chosen before containment
        clustered = int(dups.cluster.max(initial=-1)) + 1  # one line per cluster, made last
        inside, lines = split_containment(
            source, texts, kept, settings, runner, ids=lambda rows: ids[rows], start=clustered
        )
        kept[inside.row] = False
        meaning = np.zeros(0, np.int64)
        if by_meaning is not None:
            meaning, meaning_lines = drop_by_meaning(
                source, texts, kept, by_meaning, runner, ids=lambda rows: ids[rows],
                score=score, start=clustered + len(lines),
            )  # fmt: skip
            kept[meaning] = False
            lines += meaning_lines
        matches = Matches(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        contained = Containment.empty()
        if against is not None:
            matches, against_found = _against(
                source, against, prints, texts, id_column, settings, runner, ids,
                start=clustered + len(lines), read=read,
            )  # fmt: skip
            kept[matches.row] = False
            lines += against_found
            contained, contained_lines = contained_in(
                source, against, texts, id_column, settings, runner,
                start=clustered + len(lines), read=read, copies=matches.row,
            )  # fmt: skip
            kept[contained.row] = False
            lines += contained_lines
    exact = dups.exact_duplicate_rows
    within = int(dups.rows - choose_kept(dups.cluster).sum())
    result = DedupResult(
        rows=dups.rows,
        kept=int(kept.sum()),
        blank_rows=int(dups.blank.sum()),
        exact_duplicates=exact,
        near_duplicates=within - exact,
        against_matches=len(matches),
        clusters=clustered + len(lines),
        settings=settings,
        keep=policy.text,
        contained_matches=len(np.unique(np.concatenate([contained.row, inside.row]))),
        semantic_duplicates=len(meaning),
    )
    log.debug(
        "kept %d of %d rows (%d exact, %d near duplicates, %d in the --against data)",
        result.kept,
        result.rows,
        result.exact_duplicates,
        result.near_duplicates,
        result.against_matches,
    )
    return deliver(
        result,
        source=source,
        dropped=np.flatnonzero(~kept),
        clusters=clusters,
        lines=lambda: cluster_lines(dups, chosen, ids) + lines,
        target=target,
    )


def _chat_texts(source: Source, texts: list[str], turns: Compare) -> list[str]:
    """The text columns to compare: the chat view of chat rows when no text column is named
    or the named ones are the conversation's own, else those named."""
    view = source.with_view(turns)
    if view is not None and (not texts or view.layout.renders(texts)):
        log.info("comparing %s on %s", view.layout.describe(), turns)
        return [view.name]
    if not texts:
        raise UsageError(
            "name the text column(s) to compare (--text-column); "
            "the data holds no chat or instruction rows curate recognises"
        )
    return texts


def default_workers(source: Source) -> int:
    """Threads that hash and verify when ``workers`` is not given: one per core this process
    may run on, or one for an input of a single batch (nothing to share).

    They are threads of this process, not processes: the work is Arrow's compute and numba
    kernels that release the GIL, so a second worker starts nothing and copies nothing. The
    count depends only on the cores and the input's size, never on how busy the machine is,
    so the same command runs the same way every time; ``workers`` sets it. Measured on the
    shared 2-core box at load average 11-12 (200,000 rows of 0.7 KB, benchmarks/README.md):
    two threads 15.3 s and 12.4 s against one thread's 17.7 s and 11.9 s, never the 2.5 to 4
    times slowdown a second process had cost. The steps threads share (reading, hashing,
    verifying, writing) are about two thirds of the CPU time; on an idle machine they can
    take up to half as long (not measured: the box was never idle).
    """
    if isinstance(source, FileSource):
        if source.kind == "parquet":
            single = pq.ParquetFile(source.path).metadata.num_rows <= BATCH_ROWS
        else:
            single = source.path.stat().st_size <= BLOCK_BYTES
    else:
        assert isinstance(source, TableSource)
        single = len(source.table.frame) <= BATCH_ROWS
    return 1 if single else usable_cores()


def usable_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _against(
    data_source: Source,
    other: object,
    prints: Fingerprints,
    texts: Sequence[str],
    id_column: str | None,
    settings: DedupSettings,
    runner: Engine,
    ids: np.ndarray,
    *,
    start: int,
    read: ReadOptions,
) -> tuple[Matches, list[Line]]:
    """Rows of the data that copy a row of ``other`` (exactly or verified near), as clusters."""
    source = open_source(other, read=read, texts=texts)
    check_columns(source, texts, where=data_name(other))
    theirs = _fingerprints(source, texts, settings, runner)

    def text() -> Iterator[tuple[int, Sequence[pa.Array | pa.ChunkedArray]]]:
        yield from text_batches(data_source, texts)()
        yield from text_batches(source, texts, start=prints.rows)()

    both = find_duplicates(concat([prints, theirs]), settings, text=text, engine=runner)
    matches = cross_split_matches(both, np.arange(both.rows) >= prints.rows)
    their_column = id_column if id_column in source.columns else None
    lines = against_lines(
        matches,
        our_ids=ids[matches.row],
        their_ids=row_ids(source, their_column, matches.match, start=prints.rows),
        start=start,
        against=str(data_name(other)),
    )
    return matches, lines
