"""A Hugging Face dataset card (``README.md`` with the Hub's YAML metadata) from an audit.

The card carries the evidence with the data: what it holds, its splits, the checks and their
results, known biases and gaps, how personal data was handled and the receipt's fingerprint.
Its sections follow the questions of *Datasheets for Datasets* (Gebru et al.) and the data
governance duties of the EU AI Act, Article 10(2)(f)-(h): examination for biases, measures to
detect, prevent and mitigate them, and data gaps and how they are addressed. What an audit
cannot know (why the data was made, how it was collected) is left as a question to answer.
Summaries carry counts and group names only, never a cell's value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from curate.checks.coverage.metrics import CoverageMetrics
from curate.checks.metrics import metrics_of
from curate.errors import InputError
from curate.io.splits import split_from_path
from curate.io.table import SPLIT_ORDER
from curate.report.model import Report
from curate.report.verdict import reasons

#: The Hub's ``size_categories`` buckets, upper bounds first to last.
SIZES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
)
#: A language shown in the metadata holds at least this share of the texts.
MIN_LANGUAGE_SHARE = 0.01
BIAS = ("bias.selection", "bias.sampling", "bias.label", "bias.historical")
GAPS = ("coverage", "schema", "dedup.exact", "dedup.near", "dedup.cross_split")
OPEN_QUESTIONS = (
    ("Motivation", "Why was the dataset created, by whom, and who funded it?"),
    (
        "Collection process",
        "How, when and from whom was the data collected; did the people in it consent?",
    ),
    ("Labelling", "Who labelled it, with what instructions, and how was agreement checked?"),
    ("Uses", "What should it be used for, and what not?"),
    ("Distribution and licence", "Under what licence may it be shared?"),
    ("Maintenance", "Who maintains it, and how are errors reported and fixed?"),
)


def _size_category(rows: int) -> str:
    for bound, name in SIZES:
        if rows < bound:
            return name
    return "n>1B"


def _languages(report: Report) -> list[str]:
    try:
        coverage = metrics_of(report.check("coverage"), CoverageMetrics)
    except KeyError:
        coverage = None
    found: dict[str, float] = {}
    for column in coverage.text.values() if coverage is not None else ():
        for code, share in column.languages.items():
            if code != "und" and share >= MIN_LANGUAGE_SHARE:
                found[code] = max(found.get(code, 0.0), share)
    return sorted(found, key=lambda code: -found[code])


def _roles(report: Report) -> dict[str, str]:
    return {
        str(c["name"]): str(c["role"]) for c in report.dataset.get("columns", []) if c.get("role")
    }


def _data_files(report: Report) -> list[dict[str, Any]]:
    files = [str(f) for f in report.dataset.get("files", [])]
    sources = report.dataset.get("split_sources", {})
    if not files:
        return []
    if not sources or any(not str(v).startswith("file name") for v in sources.values()):
        return [{"split": "train", "path": files}]
    by_split: dict[str, list[str]] = {}
    for path in files:
        by_split.setdefault(split_from_path(path) or "train", []).append(path)
    order = sorted(by_split, key=lambda s: (SPLIT_ORDER.index(s) if s in SPLIT_ORDER else 9, s))
    return [{"split": split, "path": by_split[split]} for split in order]


def metadata(report: Report) -> dict[str, Any]:
    """The card's YAML header, in the Hub's keys."""
    roles = set(_roles(report).values())
    meta: dict[str, Any] = {"pretty_name": str(report.dataset.get("name", "dataset"))}
    languages = _languages(report)
    if languages:
        meta["language"] = languages
    meta["size_categories"] = [_size_category(int(report.dataset.get("rows", 0)))]
    if {"text", "label"} <= roles:
        meta["task_categories"] = ["text-classification"]
    meta["tags"] = ["curate-audit", f"curate-{report.decision}"]
    data_files = _data_files(report)
    if data_files:
        meta["configs"] = [{"config_name": "default", "data_files": data_files}]
    return meta


def _status_lines(report: Report, ids: tuple[str, ...]) -> list[str]:
    lines = []
    for check_id in ids:
        try:
            result = report.check(check_id)
        except KeyError:
            lines.append(f"- `{check_id}`: not run.")
            continue
        why = " ".join(r.sentence() for r in reasons(result, report.limits(check_id)))
        lines.append(f"- `{check_id}` ({result.status.value}): {why or result.summary}")
        if why:
            lines.append(f"  In full: {result.summary}")
    return lines


def load_receipt_beside(report_path: Path) -> dict[str, Any] | None:
    """The receipt.json beside a report, as plain data, or None when there is none."""
    path = report_path.parent / "receipt.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise InputError("cannot read the receipt beside the report", path=path) from exc
    return value if isinstance(value, dict) else None


def render_card(report: Report, *, receipt: Mapping[str, Any] | None = None) -> str:
    """The dataset card as Markdown with a YAML front matter block."""
    ds = report.dataset
    roles = _roles(report)
    gate = report.extra.get("gate", {})
    waived: Mapping[str, str] = gate.get("waived", {})
    header = yaml.safe_dump(metadata(report), sort_keys=False, allow_unicode=True)
    splits = ds.get("splits", {}) or {"(no splits)": ds.get("rows", 0)}
    sources = ds.get("split_sources", {})
    lines = [
        "---",
        header.rstrip(),
        "---",
        "",
        f"# Dataset card for {ds.get('name', 'dataset')}",
        "",
        f"This card was written by curate {report.curate_version} from an audit of "
        f"{report.created_at}. The audit **{'passed' if report.passed else 'failed'}** the gate "
        f"under the rules `{report.rules.get('path')}`.",
        "",
        "## Composition",
        "",
        f"{int(ds.get('rows', 0)):,} rows.",
        "",
        "| split | rows | named by |",
        "|---|---|---|",
        *(f"| {s} | {int(n):,} | {sources.get(s, '')} |" for s, n in splits.items()),
        "",
        "| column | type | role |",
        "|---|---|---|",
        *(
            f"| `{c['name']}` | {c.get('type', '')} | {roles.get(str(c['name']), '')} |"
            for c in ds.get("columns", [])
        ),
        "",
    ]
    languages = _languages(report)
    if languages:
        lines += [
            f"Languages (over {MIN_LANGUAGE_SHARE:.0%} of texts): {', '.join(languages)}.",
            "",
        ]
    lines += [
        "## Checks and results",
        "",
        "| check | status | what decided it | summary |",
        "|---|---|---|---|",
        *(
            f"| `{c.id}` | {c.status.value} | "
            + "; ".join(r.brief() for r in reasons(c, report.limits(c.id))).replace("|", "/")
            + f" | {c.summary.replace('|', '/')} |"
            for c in report.checks
        ),
        "",
        "## Known biases (examination for possible biases: AI Act Art. 10(2)(f))",
        "",
        *_status_lines(report, BIAS),
        "",
        "## Data gaps and shortcomings (Art. 10(2)(h))",
        "",
        *_status_lines(report, GAPS),
        "",
        "## Measures taken (Art. 10(2)(g))",
        "",
    ]
    if waived:
        lines += [f"- `{name}` was waived: {why}" for name, why in waived.items()]
    lines += [
        "- The audit records what was found; say here how each finding above was addressed "
        "(rows removed, relabelled, reweighted, or accepted and why).",
        "",
        "## Personal data",
        "",
        *_status_lines(report, ("pii",)),
        "",
        "Findings are counted by entity type; no detected value appears in the report or here.",
        "",
        "## Provenance",
        "",
        f"- dataset fingerprint: `{ds.get('fingerprint')}`",
        f"- rules: `{report.rules.get('path')}` (sha256 `{report.rules.get('sha256')}`)",
        f"- files: {', '.join(f'`{f}`' for f in ds.get('files', [])) or '(in memory)'}",
    ]
    if receipt is not None:
        signed = "signed" if receipt.get("signature") else "unsigned"
        lines += [
            f"- receipt: decision `{receipt.get('decision')}`, report sha256 "
            f"`{receipt.get('report_sha256')}`, {signed}",
            "- check it: `curate verify DATA --receipt receipt.json`",
        ]
    lines += ["", "## Questions the audit cannot answer", ""]
    lines += [f"- **{title}**: {question} _(to be answered)_" for title, question in OPEN_QUESTIONS]
    return "\n".join(lines) + "\n"
