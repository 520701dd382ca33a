"""The coverage section of the HTML report: plots and tables made from the check's metrics."""

from __future__ import annotations

import numpy as np

from curate.checks.base import CheckResult, Status
from curate.checks.coverage.metrics import (
    ChatCoverage,
    ColumnProfile,
    CoverageMetrics,
    DriftRow,
    Histogram,
    Instruction,
    Labels,
    SliceTable,
    TextColumn,
    Topics,
)
from curate.checks.coverage.profile import MIN_VALUE_ROWS
from curate.checks.metrics import metrics_of
from curate.checks.thresholds import Condition
from curate.report.limit_plots import limit_lines
from curate.report.plots import (
    PALETTE,
    PLOTS,
    TABLES,
    Plot,
    Table,
    bar_chart,
    figure_svg,
    new_figure,
    short,
)
from curate.report.verdict import NO_LIMITS, Limits

GAP_COLOUR = "#cf222e"
WARN_COLOUR = "#9a6700"
MAX_HISTOGRAMS = 6


def coverage_plots(result: CheckResult, limits: Limits = NO_LIMITS) -> list[Plot]:
    m = metrics_of(result, CoverageMetrics)
    if m is None:
        return []
    plots: list[Plot] = []
    if m.labels is not None:
        plots.append(_label_plot(m.labels))
    for column, text in m.text.items():
        plots.append(_length_plot(column, text))
        if len(text.languages) > 1:
            langs = dict(list(text.languages.items())[:12])
            plots.append(
                bar_chart(
                    {k: v * 100 for k, v in langs.items()},
                    title=f"Languages of {column}",
                    xlabel="% of rows",
                    ylabel="language (ISO 639 code)",
                    fmt="%.1f",
                    note="'und': too short or too mixed to tell.",
                )
            )
    if m.topics is not None and m.topics.clusters:
        plots.append(_topic_plot(m.topics))
    if m.drift:
        plots.append(_drift_plot(m.drift, limits))
    if m.slices is not None:
        for table in m.slices.tables[:4]:
            plots.append(_slice_plot(table, m.slices.min_rows))
    if m.instruction is not None:
        plots.append(_instruction_plot(m.instruction))
    numeric = [
        (name, p.histogram)
        for name, p in m.profile.items()
        if p.histogram is not None and p.histogram.counts
    ]
    for name, histogram in numeric[:MAX_HISTOGRAMS]:
        plots.append(_histogram_plot(name, histogram))
    return plots


def _label_plot(labels: Labels) -> Plot:
    by_split = labels.by_split
    classes = list(labels.counts)[:12]
    splits = list(by_split)
    fig, ax = new_figure(6.4, 0.9 + 0.3 * len(classes) * max(1, min(len(splits), 3)))
    y = np.arange(len(classes))
    height = 0.8 / len(splits)
    for i, split in enumerate(splits):
        total = sum(by_split[split].values()) or 1
        shares = [100 * by_split[split].get(c, 0) / total for c in classes]
        bars = ax.barh(y + i * height, shares, height=height, label=split, color=PALETTE[i % 8])
        ax.bar_label(bars, fmt="%.1f%%", padding=2, fontsize=7)
    ax.set_yticks(y + height * (len(splits) - 1) / 2, [short(c) for c in classes])
    ax.invert_yaxis()
    ax.set_xlabel("% of the split's rows")
    ax.set_ylabel("label")
    ax.legend(loc="lower right")
    return Plot(
        "Label balance per split",
        figure_svg(fig),
        "Each split's classes as a share of its rows; the same shape in every split is good.",
    )


def _length_plot(column: str, text: TextColumn) -> Plot:
    tokens = text.tokens_histogram is not None
    hist = text.tokens_histogram or text.chars_histogram
    unit = "tokens" if tokens else "characters"
    fig, ax = new_figure(6.4, 2.8)
    edges = np.asarray(hist.edges, dtype=float)
    if len(edges) > 1:
        ax.stairs(hist.counts, edges, fill=True, color=PALETTE[0], alpha=0.85)
    note = f"Length of each {column} in {unit}"
    if tokens and text.max_tokens is not None:
        ax.axvline(text.max_tokens, color=GAP_COLOUR, linestyle="--", linewidth=1.2)
        ax.annotate(
            f"max {text.max_tokens} ({text.truncated_share:.1%} truncated)",
            (text.max_tokens, 1),
            xycoords=("data", "axes fraction"),
            xytext=(4, -10),
            textcoords="offset points",
            color=GAP_COLOUR,
            fontsize=8,
        )
        note += f" ({text.tokenizer}); rows right of the line are cut at training"
    ax.set_xlabel(f"length in {unit}")
    ax.set_ylabel("rows")
    return Plot(f"Length of {column}", figure_svg(fig), note + ".")


def _topic_plot(topics: Topics) -> Plot:
    clusters = topics.clusters
    splits = sorted({s for c in clusters for s in c.by_split}, key=_split_key)
    names = [f"{c.topic}: {', '.join(c.terms[:3]) or '—'}" for c in clusters]
    fig, ax = new_figure(6.4, 0.9 + 0.3 * len(clusters))
    left = np.zeros(len(clusters))
    for i, split in enumerate(splits or ["all"]):
        sizes = np.array(
            [c.by_split.get(split, c.size if not splits else 0) for c in clusters],
            dtype=float,
        )
        ax.barh(names, sizes, left=left, label=split, color=PALETTE[i % 8])
        left += sizes
    for y, cluster in enumerate(clusters):
        if cluster.missing_from_train:
            ax.annotate(
                "missing from train",
                (left[y], y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                color=GAP_COLOUR,
                fontsize=8,
            )
    ax.invert_yaxis()
    ax.set_xlabel(f"rows in the embedded sample of {topics.sampled:,}")
    ax.set_ylabel("topic: distinctive terms")
    if splits:
        ax.legend(loc="lower right")
    note = "Clusters of sentence embeddings, named by their most distinctive terms, split by split."
    if topics.terms_hidden:
        note = f"Clusters of sentence embeddings, split by split ({topics.terms_hidden})."
    return Plot("Topics", figure_svg(fig), note)


#: Conventional PSI bands, drawn when the rules set no limit on ``max_psi``.
PSI_SOME, PSI_LARGE = 0.1, 0.25


def _drift_plot(drift: list[DriftRow], limits: Limits) -> Plot:
    """PSI per feature, scaled to the limits (not to the largest bar), each limit a line."""
    worst = drift[:15]
    lines = limits.for_metric("max_psi") or [(Status.FAIL, Condition(">", PSI_LARGE))]
    fail_at = min((c.value for s, c in lines if s is Status.FAIL), default=PSI_LARGE)
    warn_at = min((c.value for s, c in lines if s is Status.WARN), default=PSI_SOME)
    fig, ax = new_figure(6.4, 1.1 + 0.28 * len(worst))
    labels = [short(f"{d.feature} ({d.split})", 34) for d in worst]
    values = [d.psi for d in worst]
    colours = [
        GAP_COLOUR if v > fail_at else WARN_COLOUR if v > warn_at else PALETTE[0] for v in values
    ]
    bars = ax.barh(labels, values, color=colours)
    ax.bar_label(bars, fmt="%.3f", padding=2, fontsize=7)
    limit_lines(
        ax,
        [(Status.WARN, Condition(">", warn_at)), (Status.FAIL, Condition(">", fail_at))],
        "max_psi",
    )
    ax.set_xlim(0, max(fail_at * 1.25, max(values, default=0) * 1.15))
    ax.invert_yaxis()
    ax.set_xlabel("population stability index (PSI) against train")
    ax.set_ylabel("feature (split)")
    gate = "the rules' limit" if limits.for_metric("max_psi") else "the usual bands"
    return Plot(
        "Split drift, worst first",
        figure_svg(fig),
        f"Bars scaled to {gate}: under {warn_at:g} little change, over {fail_at:g} a different "
        "population.",
    )


def _slice_plot(table: SliceTable, min_rows: int) -> Plot:
    counts = np.asarray(table.counts, dtype=float)
    rows, cols = table.row_values, table.column_values
    fig, ax = new_figure(min(9.0, 2.2 + 0.6 * len(cols)), min(9.0, 1.2 + 0.32 * len(rows)))
    ax.imshow(np.log1p(counts), cmap="Blues", aspect="auto")
    for i in range(len(rows)):
        for j in range(len(cols)):
            n = int(counts[i, j])
            gap = n < min_rows
            ax.text(
                j,
                i,
                f"{n:,}",
                ha="center",
                va="center",
                fontsize=7,
                color=GAP_COLOUR if gap else "#1f2328",
                fontweight="bold" if gap else "normal",
            )
    ax.set_xticks(range(len(cols)), [short(c, 16) for c in cols], rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), [short(r, 20) for r in rows])
    ax.set_xlabel(table.columns_column)
    ax.set_ylabel(table.rows_column)
    ax.spines[["left", "bottom"]].set_visible(False)
    return Plot(
        f"Slices: {table.rows_column} × {table.columns_column}",
        figure_svg(fig),
        f"Rows per cell; red cells have fewer than {min_rows} rows (gaps).",
    )


def _instruction_plot(instruction: Instruction) -> Plot:
    categories = instruction.categories
    names = sorted(categories, key=lambda c: categories[c].rows, reverse=True)[:20]
    fig, (left, right) = new_figure(7.2, 0.9 + 0.28 * len(names), ncols=2)
    left.barh(names, [categories[c].rows for c in names], color=PALETTE[0])
    left.set_xlabel("rows")
    left.set_ylabel("task category")
    right.barh(names, [categories[c].response_words_median for c in names], color=PALETTE[2])
    right.set_xlabel("median response words")
    left.invert_yaxis()
    return Plot(
        "Instruction data by task category",
        figure_svg(fig),
        "Rows per category and how long their responses are.",
    )


def _histogram_plot(name: str, hist: Histogram) -> Plot:
    fig, ax = new_figure(4.2, 2.4)
    ax.stairs(hist.counts, np.asarray(hist.edges, dtype=float), fill=True, color=PALETTE[4])
    ax.set_xlabel(name)
    ax.set_ylabel("rows")
    return Plot(f"Distribution of {name}", figure_svg(fig))


def coverage_tables(result: CheckResult) -> list[Table]:
    m = metrics_of(result, CoverageMetrics)
    if m is None:
        return []
    tables: list[Table] = []
    profile = m.profile
    if profile:
        tables.append(
            Table(
                "Columns",
                ["column", "type", "missing", "distinct", "values"],
                [
                    [
                        name,
                        p.type,
                        f"{p.missing_rate:.1%}",
                        f"{p.distinct:,}",
                        _values(p),
                    ]
                    for name, p in profile.items()
                ],
                note="Text, id and personal-data columns never show their values, and a value "
                f"is named only when at least {MIN_VALUE_ROWS} rows hold it.",
            )
        )
    clusters = m.topics.clusters if m.topics is not None else []
    if clusters:
        rows = [
            [c.topic, c.size, ", ".join(c.terms), _counts(c.by_split), _counts(c.by_label)]
            for c in clusters
        ]
        flagged = frozenset((i, 2) for i, c in enumerate(clusters) if c.missing_from_train)
        tables.append(
            Table(
                "Topics",
                ["topic", "rows", "distinctive terms", "by split", "by label"],
                rows,
                note=m.topics.terms_hidden or "" if m.topics is not None else "",
                highlight=flagged,
            )
        )
    drift = m.drift
    if drift:
        tables.append(
            Table(
                "Split drift",
                ["feature", "split", "PSI", "largest shift", "train", "split share"],
                [
                    [
                        d.feature,
                        d.split,
                        f"{d.psi:.3f}",
                        d.largest_shift,
                        f"{d.reference_share:.1%}",
                        f"{d.split_share:.1%}",
                    ]
                    for d in drift[:30]
                ],
                highlight=frozenset((i, 2) for i, d in enumerate(drift[:30]) if d.psi > 0.1),
            )
        )
    if m.instruction is not None:
        categories = m.instruction.categories
        tables.append(
            Table(
                "Task categories",
                ["category", "rows", "without response", "with context", "median words", "p90"],
                [
                    [
                        name,
                        c.rows,
                        c.without_response,
                        c.with_context,
                        c.response_words_median,
                        c.response_words_p90,
                    ]
                    for name, c in categories.items()
                ],
            )
        )
    if m.chat is not None:
        tables.append(_chat_table(m.chat))
    return tables


def _chat_table(chat: ChatCoverage) -> Table:
    """Conversations at a glance: how long, what training would cut, what the answers lack."""
    tokens = chat.tokens or {}
    system = chat.system_prompts
    rows = [
        ["format", chat.format],
        ["turns per conversation", _counts(chat.turns_per_conversation)],
        ["rows without a user turn", f"{chat.rows_without_user_turn:,}"],
        ["rows without an answer", f"{chat.rows_without_answer:,}"],
        ["empty answers", f"{chat.empty_answers:,} of {chat.assistant_turns:,}"],
        ["refusal-like answers", f"{chat.refusal_answers:,} of {chat.assistant_turns:,}"],
        [
            "system prompts",
            f"{system.distinct:,} distinct in {system.rows_with:,} rows"
            f" (the commonest in {system.top_share:.0%})",
        ],
    ]
    if tokens:
        rows.append(
            [
                f"over {tokens['max_length']:,} tokens",
                f"{tokens['truncated']:,} ({tokens['truncated_share']:.1%});"
                f" median {tokens.get('p50', 0)}; {tokens['counted_with']}",
            ]
        )
    if chat.categories:
        named = {k: v for k, v in chat.categories.items() if k != "column"}
        rows.append([f"rows per {chat.categories.get('column')}", _counts(named)])
    return Table("Chat and instruction rows", ["", ""], rows)


def _values(profile: ColumnProfile) -> str:
    if profile.values is not None:
        return profile.values
    if profile.top is not None:
        return ", ".join(f"{short(v, 20)} ({n:,})" for v, n in profile.top[:5])
    q = profile.quantiles
    if q:
        return f"min {q['p0']}, median {q['p50']}, max {q['p100']}"
    return ""


def _counts(values: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in values.items())


def _split_key(name: str) -> tuple[int, str]:
    order = ["train", "validation", "test"]
    return (order.index(name) if name in order else len(order), name)


PLOTS["coverage"] = coverage_plots
TABLES["coverage"] = coverage_tables
