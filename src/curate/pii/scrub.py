"""``curate.scrub``: find personal data in data files and report it, or write them anonymized."""

from __future__ import annotations

import logging
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curate.engine import Engine, get_engine
from curate.errors import InputError, UsageError
from curate.extras import PII_PACKAGES, require
from curate.io import hf
from curate.io.documents import Document, open_document
from curate.io.outputs import check_outputs
from curate.io.paths import data_path
from curate.pii.baseline import Baseline, file_key
from curate.pii.columns import ColumnJudgement, judge_columns
from curate.pii.operators import Anonymizer
from curate.pii.resolve import Span
from curate.pii.scan import Finding, Hit, find_pii
from curate.pii.settings import PiiParams
from curate.progress import track

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


@dataclass
class FileReport:
    """What scrub found in one file and what it wrote."""

    path: Path | None
    name: str
    findings: list[Finding]
    accepted: int = 0
    written: Path | None = None
    frame: pd.DataFrame | None = field(default=None, repr=False)
    #: A ``datasets`` object given to the API, scrubbed (the same kind, features kept).
    dataset: Any = field(default=None, repr=False)
    #: Columns judged wholly personal data, each anonymized whole.
    columns: list[ColumnJudgement] = field(default_factory=list)

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per entity type: how many values in how many rows."""
        values = Counter(f.entity_type for f in self.findings)
        rows = Counter(t for t, _ in {(f.entity_type, f.row) for f in self.findings})
        return {entity: (values[entity], rows[entity]) for entity in sorted(values)}


@dataclass
class ScrubResult:
    files: list[FileReport]

    @property
    def found(self) -> bool:
        return any(f.findings for f in self.files)

    @property
    def findings(self) -> list[Finding]:
        return [finding for f in self.files for finding in f.findings]

    @property
    def changed(self) -> list[FileReport]:
        return [f for f in self.files if f.written is not None and f.findings]


def pii_settings(rules: object = None) -> PiiParams:
    """The ``checks.pii`` settings of a rules file (the shipped default when None)."""
    from curate.rules.loader import load_section

    if isinstance(rules, PiiParams):
        return rules
    return load_section(None if rules is None else Path(str(rules)), "pii", PiiParams)


def expand(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Files as given; folders as the data files and ``save_to_disk`` folders under them."""
    found: list[Path] = []
    for item in paths:
        path = data_path(item)
        if not path.is_dir() or hf.is_saved(path):
            found.append(path)
            continue
        from curate.io.readers import DATA_SUFFIXES  # pandas: only for a folder to search

        under: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(path):
            here = Path(dirpath)
            saved = [d for d in dirnames if not d.startswith(".") and hf.is_saved(here / d)]
            under += [here / d for d in saved]
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in saved]
            under += [
                data_path(here / name)
                for name in filenames
                if Path(name).suffix.lower() in DATA_SUFFIXES and not name.startswith(".")
            ]
        found += sorted(under)
    return found


def _document(path: Path) -> Document:
    """A data file, or a ``save_to_disk`` folder (every split)."""
    if path.is_dir() and hf.is_saved(path):
        from curate.io.hf_document import DatasetDocument

        return DatasetDocument(hf.load_saved(path), path)
    return open_document(path)


def scrub(
    data: Any,
    *,
    rules: object = None,
    out: str | os.PathLike[str] | None = None,
    in_place: bool = False,
    check: bool = False,
    baseline: str | os.PathLike[str] | None = None,
    update_baseline: bool = False,
    workers: int | None = None,
    engine: str = "local",
    ray_address: str | None = None,
) -> ScrubResult:
    """Find personal data in ``data`` (paths, a DataFrame or a ``datasets`` object) and, unless
    ``check``, anonymize it.

    Files and ``save_to_disk`` folders are written to ``out`` (one input) or over themselves
    (``in_place``), atomically and only when something was found; a DataFrame comes back
    scrubbed in ``.frame``, a Dataset or DatasetDict as the same kind in ``.dataset``. A
    ``baseline`` of accepted findings leaves those values alone; ``update_baseline`` accepts
    every current finding into it instead. ``engine="ray"`` analyses on Ray: a local Ray, or
    the cluster at ``ray_address``.
    """
    require(PII_PACKAGES, feature="curate scrub")
    settings = pii_settings(rules)
    frame_input = _is_frame(data) or hf.is_hf_object(data)
    paths = [] if frame_input else expand([data] if isinstance(data, str | os.PathLike) else data)
    modes = sum([check, in_place, out is not None])
    if modes > 1:
        raise UsageError("choose one of check, out and in_place")
    if not frame_input and not paths:
        raise UsageError("no data files to scrub")
    if not frame_input and modes == 0 and not update_baseline:
        raise UsageError("say what to do with files: check, out=PATH or in_place")
    if out is not None and len(paths) != 1:
        raise UsageError("out takes exactly one input file; use in_place for several")
    if update_baseline and baseline is None:
        raise UsageError("update_baseline needs a baseline file")
    check_outputs(inputs=paths, outputs={"out": None if out is None else Path(out)})
    if out is not None:
        _check_target(paths[0], Path(out))
    accepted = Baseline()
    if baseline is not None:
        accepted = Baseline.load(Path(baseline), missing_ok=update_baseline)

    anonymizer = None if check or update_baseline else Anonymizer(settings)
    documents: list[tuple[str, Path | None, Document]] = (
        [_object_document(data)] if frame_input else [(file_key(p), p, _document(p)) for p in paths]
    )
    with get_engine(engine, workers=workers, address=ray_address) as runner:
        reports = [
            _scrub_one(
                name,
                path,
                document,
                settings,
                runner,
                accepted,
                anonymizer,
                out=out,
                update_baseline=update_baseline,
                workers=workers,
            )
            for name, path, document in track(documents, description="scrubbing", unit="file")
        ]
    if update_baseline and baseline is not None:
        accepted.write(Path(baseline))
    return ScrubResult(reports)


def _scrub_one(
    name: str,
    path: Path | None,
    document: Document,
    settings: PiiParams,
    engine: Engine,
    accepted: Baseline,
    anonymizer: Anonymizer | None,
    *,
    out: str | os.PathLike[str] | None,
    update_baseline: bool,
    workers: int | None,
) -> FileReport:
    skip = frozenset(settings.skip_columns)
    judged = judge_columns(document.cells(skip=skip), settings)
    hits = find_pii(
        document.cells(skip=skip), settings, workers=workers, engine=engine, columns=judged
    )
    hits, n_accepted = _without_accepted(hits, name, accepted)
    if update_baseline:
        for hit in hits:
            for span in hit.spans:
                accepted.add(name, span.entity_type, hit.text[span.start : span.end])
                n_accepted += 1
        hits = []
    report = FileReport(
        path,
        name,
        _findings(name, hits),
        accepted=n_accepted,
        columns=[j for j in judged.values() if j.verdict == "pii"],
    )
    if anonymizer is None or not (hits or path is None or out is not None):
        return report
    # Whole columns repeat values (first names, birth dates): anonymize each distinct cell once.
    rewritten: dict[tuple[str, tuple[Span, ...]], str] = {}
    for hit in hits:
        key = (hit.text, hit.spans)
        new = rewritten.get(key)
        if new is None:
            new = rewritten[key] = anonymizer(hit.text, hit.spans)
        document.set(hit.row, hit.loc, new)
    if path is None:
        from curate.io.frame_documents import FrameDocument
        from curate.io.hf_document import DatasetDocument

        if isinstance(document, FrameDocument):
            report.frame = document.frame
        elif isinstance(document, DatasetDocument):
            report.dataset = document.result()
        return report
    target = Path(out) if out is not None else path
    assert target is not None
    try:
        document.write(target)
    except OSError as exc:
        raise InputError(
            f"cannot write: {exc.strerror or exc}; the original is unchanged", path=target
        ) from exc
    report.written = target
    log.debug("%s: %d findings, %d accepted", name, len(report.findings), n_accepted)
    return report


def _is_frame(data: Any) -> bool:
    """Whether ``data`` is a DataFrame (one exists only where pandas is loaded: files to
    scrub never load it)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(data, pd.DataFrame)


def _object_document(data: Any) -> tuple[str, None, Document]:
    from curate.io.frame_documents import FrameDocument
    from curate.io.hf_document import DatasetDocument

    if _is_frame(data):
        return "dataframe", None, FrameDocument(data)
    return "dataset", None, DatasetDocument(data)


def _check_target(source: Path, target: Path) -> None:
    """Refuse, before any work, an output a ``save_to_disk`` folder cannot be written to."""
    if not hf.is_saved(source):
        return
    if not target.suffix:
        hf.check_writable(target)
    elif hf.is_dict(source):
        raise UsageError(
            f"out {target}: a DatasetDict keeps its splits only as a folder; "
            "give a folder name (no suffix)"
        )


def _without_accepted(hits: list[Hit], name: str, baseline: Baseline) -> tuple[list[Hit], int]:
    if not baseline.entries:
        return hits, 0
    kept: list[Hit] = []
    dropped = 0
    for hit in hits:
        spans = tuple(
            s
            for s in hit.spans
            if not baseline.accepts(name, s.entity_type, hit.text[s.start : s.end])
        )
        dropped += len(hit.spans) - len(spans)
        if spans:
            kept.append(Hit(hit.row, hit.loc, hit.text, spans))
    return kept, dropped


def _findings(name: str, hits: list[Hit]) -> list[Finding]:
    return [
        Finding(name, hit.row, hit.column, s.start, s.end, s.entity_type, s.score)
        for hit in hits
        for s in hit.spans
    ]
