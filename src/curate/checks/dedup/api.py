"""``curate.dedup``: drop exact and near-duplicate rows (and rows already in another dataset)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from curate.checks.dedup.audit import as_text, jsonable
from curate.checks.dedup.contain import (
    Containment,
    build_index,
    contained_across,
    containment_lines,
    find_contained,
)
from curate.checks.dedup.index import (
    Duplicates,
    Fingerprints,
    choose_kept,
    concat,
    find_duplicates,
    fingerprint,
)
from curate.checks.dedup.output import write_clusters, write_without
from curate.checks.dedup.pairs import Matches, cross_split_matches
from curate.checks.dedup.resolve import resolve
from curate.checks.dedup.settings import DedupSettings, NearSettings, settings_from_rules
from curate.checks.dedup.sources import (
    FileSource,
    Source,
    TableSource,
    check_columns,
    column_values,
    open_source,
)
from curate.checks.dedup.verify import TextBatches
from curate.engine import Engine, get_engine
from curate.errors import UsageError
from curate.io import hf
from curate.io.options import DEFAULT, ReadOptions
from curate.io.outputs import check_outputs
from curate.io.paths import data_path
from curate.io.writers import WRITERS
from curate.progress import track
from curate.rules.loader import RuleSet, load_rules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DedupResult:
    """What a dedup run did; ``frame`` holds the rows kept when no ``out`` was given."""

    rows: int
    kept: int
    blank_rows: int
    exact_duplicates: int
    near_duplicates: int
    against_matches: int
    clusters: int
    settings: DedupSettings
    keep: str
    #: Rows dropped because they contain a row of the ``against`` data (n-gram containment).
    contained_matches: int = 0
    output: Path | None = None
    clusters_path: Path | None = None
    frame: pd.DataFrame | None = None
    #: The rows kept as the kind of ``datasets`` object given (Dataset or DatasetDict).
    dataset: Any = None

    @property
    def data(self) -> Any:
        """The rows kept as the kind of object given: a DataFrame or a ``datasets`` object."""
        return self.dataset if self.dataset is not None else self.frame

    @property
    def dropped(self) -> int:
        return self.rows - self.kept


@dataclass(frozen=True)
class _FingerprintBatch:
    """The map step over one Arrow batch (picklable, for engines with workers)."""

    columns: tuple[str, ...]
    settings: DedupSettings

    def __call__(self, batch: pa.Table) -> Fingerprints:
        return fingerprint([batch.column(c) for c in self.columns], self.settings)


def _fingerprints(
    source: Source, columns: Sequence[str], settings: DedupSettings, engine: Engine
) -> Fingerprints:
    batches = track(source.batches(columns), description=f"hashing {source.name}", unit="batch")
    parts = engine.map(_FingerprintBatch(tuple(columns), settings), batches)
    if sum(part.rows for part in parts) == 0:
        raise source.input_error(ValueError("no rows to deduplicate"))
    return concat(parts)


def _text(source: Source, columns: Sequence[str], *, start: int = 0) -> TextBatches:
    """Read the text columns again, batch by batch, with each batch's first row number."""

    def read() -> Iterator[tuple[int, Sequence[pa.Array | pa.ChunkedArray]]]:
        offset = start
        for batch in track(source.batches(columns), description="verifying", unit="batch"):
            yield offset, [batch.column(c) for c in columns]
            offset += batch.num_rows

    return read


def _score(source: Source, keep: str) -> tuple[np.ndarray | None, str | None]:
    """What the keep policy ranks rows by (None: first), and the column it reads."""
    if keep == "first":
        return None, None
    if keep == "longest":
        return None, "longest"
    if keep.startswith("best:") and keep[5:]:
        column = keep[5:]
        check_columns(source, [column], where=source.name)
        values = pd.to_numeric(column_values(source, column), errors="coerce")
        if values.notna().sum() == 0:
            raise UsageError(f"--keep best:{column}: column '{column}' has no numeric values")
        return values.to_numpy(dtype=np.float64), column
    raise UsageError(f"--keep must be first, longest or best:COLUMN (got '{keep}')")


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
    engine: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    rules: str | os.PathLike[str] | RuleSet | None = None,
) -> DedupResult:
    """Drop duplicate rows from ``data`` (a path, DataFrame or ``datasets`` object).

    Rows are compared on ``text_column`` (one or more; all together) after normalisation;
    near duplicates are verified MinHash-LSH pairs at Jaccard ``threshold``. In each cluster
    one row is kept (``first``, ``longest`` or ``best:COLUMN``, the highest value). With
    ``against``, rows that copy a row of that dataset are dropped too. Rows with no text are
    kept and counted, never clustered. The result is written to ``out`` in the input's
    format (never over the input unless ``in_place``), or returned as ``data``: the kind of
    object given (a DataFrame, or a ``datasets`` Dataset or DatasetDict, features kept).
    A ``rules`` file supplies the text and id columns, the settings of its ``dedup.near``
    check and its ``read:`` options, for whatever the arguments leave unset.
    ``engine="ray"`` runs it on Ray (a local Ray, or the cluster at ``ray_address``) as a
    shuffle that never gathers every row on the driver (see :mod:`curate.checks.dedup.shuffle`);
    locally, ``workers`` processes hash (default: all cores for inputs of 32 MB and more).
    """
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
    texts = [text_column] if isinstance(text_column, str) else list(text_column or [])
    if not texts:
        raise UsageError("name the text column(s) to compare (--text-column)")
    if isinstance(data, str | os.PathLike):
        data_path(data)
    target = _target(data, out, in_place=in_place)
    source = open_source(data, read=read)
    check_columns(source, [*texts, *([id_column] if id_column else [])], where=data_name(data))
    settings = resolve_for(source, texts, settings)
    if engine == "ray":
        from curate.checks.dedup.shuffle import dedup_on_ray

        return dedup_on_ray(
            source, target=target, texts=texts, id_column=id_column, keep=keep,
            clusters=clusters, against=against, settings=settings, read=read, workers=workers,
            ray_address=ray_address,
        )  # fmt: skip
    score, score_column = _score(source, keep)
    if engine == "local" and workers is None:
        workers = _workers_worth_it(source)
    with get_engine(engine, workers=workers, address=ray_address) as runner:
        prints = _fingerprints(source, texts, settings, runner)
        if score_column == "longest":
            score = prints.length.astype(np.float64)
        dups = find_duplicates(prints, settings, text=_text(source, texts), engine=runner)
        kept = choose_kept(dups.cluster, score=score)
        ids = (
            column_values(source, id_column).to_numpy(dtype=object)
            if id_column
            else np.arange(dups.rows)
        )
        lines = cluster_lines(dups, kept, ids)
        inside, inside_lines = split_containment(
            source, texts, kept, settings, runner, ids=lambda rows: ids[rows], start=len(lines)
        )
        kept[inside.row] = False
        lines += inside_lines
        matches = Matches(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        contained = Containment.empty()
        if against is not None:
            matches, against_lines = _against(
                source,
                against,
                prints,
                texts,
                id_column,
                settings,
                runner,
                ids,
                start=len(lines),
                read=read,
            )
            kept[matches.row] = False
            lines += against_lines
            contained, contained_lines = _contained(
                source,
                against,
                texts,
                id_column,
                settings,
                runner,
                ids,
                start=len(lines),
                read=read,
                copies=matches.row,
            )
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
        clusters=len(lines),
        settings=settings,
        keep=keep,
        contained_matches=len(np.unique(np.concatenate([contained.row, inside.row]))),
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
        lines=lines,
        target=target,
    )


def deliver(
    result: DedupResult,
    *,
    source: Source,
    dropped: np.ndarray,
    clusters: str | os.PathLike[str] | None,
    lines: list[dict[str, Any]],
    target: Path | None,
) -> DedupResult:
    """Write the clusters file and the data less the ``dropped`` rows (sorted row numbers),
    or, with no ``target``, return the rows kept as ``frame``. Both engines end here."""
    if target is None:
        assert isinstance(source, TableSource)
        kept = np.ones(result.rows, dtype=bool)
        kept[dropped] = False
        frame = source.table.frame[kept].reset_index(drop=True)
        given = hf.take_rows(source.data, kept) if hf.is_hf_object(source.data) else None
        result = replace(result, frame=frame, dataset=given)
    else:
        write_without(source, dropped, target, rows=result.rows)
        result = replace(result, output=target)
    if clusters is not None:
        write_clusters(lines, Path(clusters))
        result = replace(result, clusters_path=Path(clusters))
    return result


def resolve_for(source: Source, texts: Sequence[str], settings: DedupSettings) -> DedupSettings:
    """``settings`` with curate's automatic choices made from the first batch of ``source``."""
    first = next(iter(source.batches(texts)), None)
    sample = [first.column(c) for c in texts] if first is not None else []
    if not sample:
        sample = [pa.array([], type=pa.large_string()) for _ in texts]
    return resolve(settings, sample, names=texts)


#: Text below this size is hashed in this process: starting workers would cost more.
PARALLEL_FROM_BYTES = 32 << 20


def _workers_worth_it(source: Source) -> int:
    """The idle cores for a large input, one process for a small one.

    A worker on a core other jobs already keep busy only adds its start-up and the batches'
    copies: on the shared 2-core box at load average 7, two workers took 17 to 38 s where one
    took 7 to 11 s (200,000 rows of 0.7 KB). The one-minute load average says how busy they are.
    """
    if isinstance(source, FileSource):
        size = source.path.stat().st_size
    else:
        assert isinstance(source, TableSource)
        size = int(source.table.frame.memory_usage(deep=True).sum())
    if size < PARALLEL_FROM_BYTES:
        return 1
    return idle_cores()


def idle_cores() -> int:
    """Cores this process may use less the one-minute load average of other work (at least 1)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        busy = os.getloadavg()[0]
    except OSError:  # no load average on this system
        busy = 0.0
    return max(1, min(cores or 1, round((cores or 1) - busy)))


def data_name(data: object) -> object:
    return data if isinstance(data, str | os.PathLike) else type(data).__name__


def _target(data: object, out: str | os.PathLike[str] | None, *, in_place: bool) -> Path | None:
    """Where the output goes; refuses to write over the input unless asked to."""
    is_path = isinstance(data, str | os.PathLike)
    if in_place:
        if not is_path:
            raise UsageError("in_place needs a path to write back to")
        if out is not None and Path(out).resolve() != Path(data).resolve():  # type: ignore[arg-type]
            raise UsageError("give either --out or --in-place, not both")
        return Path(data)  # type: ignore[arg-type]
    if out is None:
        if is_path:
            raise UsageError("name where to write the result (--out PATH, or --in-place)")
        return None
    target = Path(out)
    if is_path:
        check_outputs(inputs=[Path(data)], outputs={"--out": target})  # type: ignore[arg-type]
    _check_format(data, target)
    return target


def _check_format(data: object, target: Path) -> None:
    """Refuse, before anything is read or written, an output the data cannot be written to:
    a folder (no suffix) holds a folder or ``datasets`` input, a file one the known formats;
    a DatasetDict keeps its splits only as a folder."""
    folder = hf.is_hf_object(data) or (isinstance(data, str | os.PathLike) and Path(data).is_dir())
    suffix = target.suffix.lower()
    if not suffix:
        if not folder:
            known = ", ".join(sorted(WRITERS))
            raise UsageError(f"--out {target}: name a file with a format suffix ({known})")
        if hf.is_hf_object(data) or hf.is_saved(data):  # type: ignore[arg-type]
            hf.check_writable(target)
        return
    if suffix not in WRITERS:
        known = ", ".join(sorted(WRITERS))
        raise UsageError(f"--out {target}: cannot write format '{target.suffix}' (known: {known})")
    if hf.is_dict(data):
        raise UsageError(
            f"--out {target}: a DatasetDict keeps its splits only as a folder; "
            "give --out a folder name (no suffix)"
        )


def cluster_lines(dups: Duplicates, kept: np.ndarray, ids: np.ndarray) -> list[dict[str, Any]]:
    """One line per cluster: the kept row, the dropped rows and each one's similarity to it."""
    clustered = np.flatnonzero(dups.cluster >= 0)
    if len(clustered) == 0:
        return []
    order = clustered[np.argsort(dups.cluster[clustered], kind="stable")]
    labels = dups.cluster[order]
    keeper = np.full(labels.max() + 1, -1, dtype=np.int64)
    keeper[labels[kept[order]]] = order[kept[order]]
    dropped = order[~kept[order]]
    similarity = dups.similarity(dropped, keeper[dups.cluster[dropped]])
    lines: list[dict[str, Any]] = []
    by_cluster = pd.Series(np.arange(len(dropped))).groupby(dups.cluster[dropped]).indices
    for cluster in range(len(keeper)):
        members = by_cluster.get(cluster, np.zeros(0, np.int64))
        lines.append(
            {
                "cluster": cluster,
                "kept": jsonable(ids[keeper[cluster]]),
                "dropped": [jsonable(ids[dropped[i]]) for i in members],
                "similarity": {
                    str(jsonable(ids[dropped[i]])): _rounded(similarity[i]) for i in members
                },
            }
        )
    return lines


def _rounded(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 4)


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
) -> tuple[Matches, list[dict[str, Any]]]:
    """Rows of the data that copy a row of ``other`` (exactly or verified near), as clusters."""
    source = open_source(other, read=read)
    check_columns(source, texts, where=data_name(other))
    if id_column not in source.columns:
        id_column = None  # ids of the other data: its id column if it has one, else row numbers
    theirs = _fingerprints(source, texts, settings, runner)

    def text() -> Iterator[tuple[int, Sequence[pa.Array | pa.ChunkedArray]]]:
        yield from _text(data_source, texts)()
        yield from _text(source, texts, start=prints.rows)()

    both = find_duplicates(concat([prints, theirs]), settings, text=text, engine=runner)
    reference = np.arange(both.rows) >= prints.rows
    matches = cross_split_matches(both, reference)
    their_ids = (
        column_values(source, id_column).to_numpy(dtype=object)
        if id_column
        else np.arange(theirs.rows)
    )
    lines: list[dict[str, Any]] = []
    frame = pd.DataFrame({"row": matches.row, "match": matches.match, "sim": matches.similarity})
    for number, (_, group) in enumerate(frame.groupby("match", sort=True)):
        match = int(group["match"].to_numpy()[0])
        dropped = [jsonable(ids[r]) for r in group["row"]]
        lines.append(
            {
                "cluster": start + number,
                "kept": jsonable(their_ids[match - prints.rows]),
                "dropped": dropped,
                "similarity": {
                    str(i): round(float(s), 4) for i, s in zip(dropped, group["sim"], strict=True)
                },
                "against": str(data_name(other)),
            }
        )
    return matches, lines


def _contained(
    data_source: Source,
    other: object,
    texts: Sequence[str],
    id_column: str | None,
    settings: DedupSettings,
    runner: Engine,
    ids: np.ndarray,
    *,
    start: int,
    read: ReadOptions,
    copies: np.ndarray,
) -> tuple[Containment, list[dict[str, Any]]]:
    """Rows of the data that contain a row of ``other`` (its n-grams), as cluster lines;
    rows already found as ``copies`` of one are left out."""
    if not settings.containment.enabled:
        return Containment.empty(), []
    source = open_source(other, read=read)
    index = build_index(_text(source, texts)(), settings)
    found = find_contained(index, _text(data_source, texts)(), settings, engine=runner)
    found = found.without(copies)
    column = id_column if id_column in source.columns else None
    their_ids = column_values(source, column).to_numpy(dtype=object) if column else None
    lines = containment_lines(
        found,
        our_ids=ids[found.row],
        their_ids=their_ids[found.match] if their_ids is not None else found.match,
        start=start,
        against=str(data_name(other)),
    )
    return found, lines


#: The split whose rows must not contain another split's rows (as ``dedup.cross_split``).
TRAIN_SPLIT = "train"


def split_containment(
    source: Source,
    texts: Sequence[str],
    kept: np.ndarray,
    settings: DedupSettings,
    runner: Engine,
    *,
    ids: Callable[[np.ndarray], np.ndarray],
    start: int,
) -> tuple[Containment, list[dict[str, Any]]]:
    """Training rows (still kept) that contain a kept row of another split (data with
    splits: a folder or DatasetDict), as cluster lines. Dropping them, not the evaluation
    rows, leaves the evaluation splits whole, as decontamination does."""
    if not isinstance(source, TableSource) or source.table.split is None:
        return Containment.empty(), []
    split = source.table.split.astype("string").fillna("<missing>").to_numpy(dtype=object)
    train = split == TRAIN_SPLIT
    columns = [as_text(source.table.frame[c]) for c in texts]
    found = contained_across(
        columns, evaluated=~train & kept, train=train & kept, settings=settings, engine=runner
    )
    lines = containment_lines(
        found, our_ids=ids(found.row), their_ids=ids(found.match), start=start, against=None
    )
    for line, row in zip(lines, np.unique(found.match), strict=True):
        line["split"] = str(split[row])  # lines come in the order of the evaluation rows
    return found, lines
