"""Does curation pay? The same LoRA recipe trained on the raw SMS demo and on its curated copy.

EXPERIMENT, NOT A SUPPORTED PATH: the raw demo fails curate's audit (train/test leaks,
duplicates, phone numbers), so ``curate.train`` refuses it. To train on it anyway, this
script skips the gate and calls what runs after it (``curate.train.lora.fine_tune``,
``predict`` and ``curate.train.evaluate``) for BOTH models, so they go through exactly the
same code. Never ship a model trained like the raw one.

- raw:      ``examples/sms_spam`` as it is (a seeded ``--rows`` sample of it, per split).
- curated:  the same rows scrubbed (``curate.scrub``, the demo rules) and deduplicated
            (``curate.dedup``: exact and near copies, within and across splits, one kept),
            made by this script in a temporary folder, as ``scripts/demo.sh`` does.
- test:     the raw test split less every row that ``curate.dedup(..., against=...)`` finds
            to copy a raw or a curated training row (exactly or at Jaccard >= 0.8), so
            both models are scored on the same unseen rows. The curated model is scored on
            those rows as they arrive (raw text) and as scrubbed (what it was trained on).
- groups:   the demo has no sensitive column; each test row's group per category of the
            shipped identity-term lexicon (one group, ``several``, or ``no mention``), and the
            largest accuracy gap between groups of at least ``min_group_size`` rows.

Both models: the demo's recipe (``train/demo.yaml``: the shipped default with 1 epoch,
max length 64 and one torch thread).
Baseline: the raw model. Differences come with a paired bootstrap 95% interval over the
test rows (it covers test-set noise, not the spread between training seeds).

    python benchmarks/curation_value.py --rows 2000
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import curate
from curate.checks.bias.groups import NO_MENTION
from curate.checks.bias.lexicon import load_lexicon
from curate.train import Recipe, load_recipe

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "sms_spam"
RULES = REPO / "rules" / "examples" / "sms_spam.yaml"
RECIPE = REPO / "train" / "demo.yaml"
POSITIVE = ["spam"]
SEVERAL = "several"
BANNER = (
    "EXPERIMENT: the raw model SKIPS curate's training gate (its data fails the audit).\n"
    "It exists only to measure what curation is worth; never ship a model trained this way."
)

log = logging.getLogger("curation_value")


@dataclass(frozen=True)
class Prepared:
    """The frames both models are trained and scored on."""

    raw_train: pd.DataFrame
    curated_train: pd.DataFrame
    #: Clean test rows, raw text, and the same rows as the scrubbed copy has them.
    test_raw: pd.DataFrame
    test_scrubbed: pd.DataFrame
    counts: dict[str, int]
    seconds: dict[str, float]


def read_split(folder: Path, split: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{split}.csv", dtype=str, keep_default_na=False)


def sample_demo(target: Path, *, rows: int | None, seed: int) -> None:
    """Copy the demo, or a seeded sample of ``rows`` of it taken evenly from each split."""
    target.mkdir(parents=True)
    frames = {split: read_split(DEMO, split) for split in ("train", "test")}
    total = sum(len(f) for f in frames.values())
    for split, frame in frames.items():
        if rows is not None and rows < total:
            frame = frame.sample(n=max(1, round(len(frame) * rows / total)), random_state=seed)
            frame = frame.sort_index()
        frame.to_csv(target / f"{split}.csv", index=False)


def leaked_ids(test: pd.DataFrame, train: pd.DataFrame, *, clusters: Path) -> set[str]:
    """Ids of test rows that copy a training row, exactly or near (``curate.dedup`` against)."""
    curate.dedup(test, against=train, text_column="text", id_column="id", clusters=clusters)
    leaked: set[str] = set()
    with clusters.open(encoding="utf-8") as lines:
        for line in lines:
            cluster = json.loads(line)
            if "against" in cluster:
                leaked.update(str(i) for i in cluster["dropped"])
    return leaked


def prepare(folder: Path, *, rows: int | None, seed: int) -> Prepared:
    """Sample the demo, scrub and deduplicate a copy, and find the clean test rows."""
    seconds: dict[str, float] = {}
    raw = folder / "raw"
    sample_demo(raw, rows=rows, seed=seed)
    scrubbed = folder / "scrubbed"
    shutil.copytree(raw, scrubbed)
    started = time.perf_counter()
    curate.scrub(scrubbed, rules=RULES, in_place=True)
    seconds["scrub"] = time.perf_counter() - started
    started = time.perf_counter()
    curated = folder / "curated"
    curate.dedup(scrubbed, out=curated, text_column="text", id_column="id")
    seconds["dedup"] = time.perf_counter() - started

    raw_train, raw_test = read_split(raw, "train"), read_split(raw, "test")
    scrubbed_test = read_split(scrubbed, "test")
    curated_train = read_split(curated, "train")
    started = time.perf_counter()
    leaked = leaked_ids(raw_test, raw_train, clusters=folder / "raw-leaks.jsonl")
    leaked |= leaked_ids(scrubbed_test, curated_train, clusters=folder / "curated-leaks.jsonl")
    seconds["test_dedup"] = time.perf_counter() - started
    keep = ~raw_test["id"].isin(leaked)
    test_raw = raw_test[keep].reset_index(drop=True)
    test_scrubbed = scrubbed_test.set_index("id").loc[test_raw["id"]].reset_index()
    counts = {
        "raw_train": len(raw_train),
        "curated_train": len(curated_train),
        "raw_test": len(raw_test),
        "curated_test": len(read_split(curated, "test")),
        "test_leaked": int((~keep).sum()),
        "test_clean": len(test_raw),
    }
    return Prepared(raw_train, curated_train, test_raw, test_scrubbed, counts, seconds)


def training_data(train: pd.DataFrame, tests: dict[str, pd.DataFrame], recipe: Recipe) -> Any:
    """curate's ``TrainingData``: validation carved from ``train`` as the recipe says, and each test view."""
    from datasets import Dataset, DatasetDict

    from curate.train.data import ID, LABEL, TEXT, TrainingData, assign_splits

    def frame(rows: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({ID: rows["id"], TEXT: rows["text"], LABEL: rows["label"]})

    # With a test split present, assign_splits carves only validation out of train.
    work = pd.concat([frame(train), frame(tests["test"])], ignore_index=True)
    split = pd.Series(["train"] * len(train) + ["test"] * len(tests["test"]))
    assigned, record = assign_splits(split, rows=len(work), labels=work[LABEL], recipe=recipe)
    splits = {
        name: work[assigned == name].reset_index(drop=True) for name in ("train", "validation")
    }
    splits |= {name: frame(rows).reset_index(drop=True) for name, rows in tests.items()}
    labels = tuple(sorted(work[LABEL].unique()))
    return TrainingData(
        splits=DatasetDict(
            {n: Dataset.from_pandas(f, preserve_index=False) for n, f in splits.items()}
        ),
        labels=labels,
        sensitive=(),
        record=record,
        ids={name: f[ID].tolist() for name, f in splits.items()},
    )


def lexicon_groups(text: pd.Series) -> dict[str, np.ndarray[Any, Any]]:
    """Each row's group per lexicon category: the one group it mentions, ``several``, or none."""
    lexicon = load_lexicon()
    out: dict[str, np.ndarray[Any, Any]] = {}
    for category in lexicon.categories:
        found = lexicon.mentions(text, category)
        names = np.array(list(found), dtype=object)
        hits = np.column_stack(list(found.values()))
        many = hits.sum(axis=1)
        group = np.full(len(text), NO_MENTION, dtype=object)
        group[many == 1] = names[hits[many == 1].argmax(axis=1)]
        group[many > 1] = SEVERAL
        out[category] = group
    return out


def score(
    y_true: np.ndarray[Any, Any],
    probabilities: np.ndarray[Any, Any],
    *,
    labels: tuple[str, ...],
    groups: dict[str, np.ndarray[Any, Any]],
    min_group_size: int,
) -> dict[str, Any]:
    """Accuracy, macro-F1 and calibration (curate's evaluation) and the largest group gap."""
    from curate.train.evaluate import classification_metrics, group_metrics

    metrics = classification_metrics(y_true=y_true, probabilities=probabilities, labels=labels)
    truth = [labels[i] for i in y_true]
    predicted = [labels[i] for i in probabilities.argmax(axis=1)]
    by_category = group_metrics(
        sensitive=groups,
        y_true=truth,
        y_pred=predicted,
        positive=POSITIVE,
        min_group_size=min_group_size,
    )
    gaps = [
        (result["gaps"]["accuracy"], category)
        for category, result in by_category.items()
        if "accuracy" in result["gaps"]
    ]
    gap, category = max(gaps) if gaps else (None, None)
    metrics["largest_group_gap"] = {"metric": "accuracy", "gap": gap, "category": category}
    metrics["groups"] = by_category
    return metrics


def paired_interval(
    first: np.ndarray[Any, Any],
    second: np.ndarray[Any, Any],
    y_true: np.ndarray[Any, Any],
    *,
    resamples: int = 2000,
    seed: int = 0,
) -> dict[str, list[float]]:
    """95% paired bootstrap intervals of (second - first) accuracy and macro-F1 over test rows."""
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(seed)
    accuracy, macro_f1 = [], []
    for _ in range(resamples):
        rows = rng.integers(0, len(y_true), len(y_true))
        t, a, b = y_true[rows], first[rows], second[rows]
        accuracy.append(float((b == t).mean() - (a == t).mean()))
        macro_f1.append(
            float(f1_score(t, b, average="macro", labels=[0, 1], zero_division=0))
            - float(f1_score(t, a, average="macro", labels=[0, 1], zero_division=0))
        )
    return {
        "accuracy": [float(v) for v in np.percentile(accuracy, [2.5, 97.5])],
        "macro_f1": [float(v) for v in np.percentile(macro_f1, [2.5, 97.5])],
    }


def train_and_score(
    name: str,
    train: pd.DataFrame,
    tests: dict[str, pd.DataFrame],
    recipe: Recipe,
    groups: dict[str, np.ndarray[Any, Any]],
) -> dict[str, Any]:
    """Fine-tune with curate's post-gate entry point, then score each test view."""
    from curate.train.lora import cpu_threads, fine_tune, predict

    data = training_data(train, tests, recipe)
    log.warning(
        "%s: training on %d rows WITHOUT the gate (experiment)", name, len(data.ids["train"])
    )
    settings = recipe.model
    with cpu_threads(settings.training.threads):
        trained, tokenized = fine_tune(data, recipe)
        outputs = {
            view: predict(
                trained.model, tokenized[view], tokenizer=trained.tokenizer, recipe=recipe
            )
            for view in tests
        }
    result: dict[str, Any] = {
        "train_rows": len(data.ids["train"]),
        "validation_rows": len(data.ids["validation"]),
        "train_seconds": trained.seconds,
        "history": trained.history,
        "labels": list(data.labels),
        "views": {},
    }
    for view, out in outputs.items():
        assert out.labels is not None and out.probabilities is not None
        metrics = score(
            out.labels,
            out.probabilities,
            labels=data.labels,
            groups=groups,
            min_group_size=settings.evaluation.min_group_size,
        )
        metrics["predicted"] = out.probabilities.argmax(axis=1).tolist()
        metrics["y_true"] = out.labels.tolist()
        result["views"][view] = metrics
    return result


def table(results: dict[str, Any], counts: dict[str, int]) -> str:
    rows = [
        ("raw (gate skipped)", "raw", "test"),
        ("curated", "curated", "test"),
        ("curated, scrubbed test text", "curated", "test_scrubbed"),
    ]
    lines = [
        f"clean test rows: {counts['test_clean']} of {counts['raw_test']} "
        f"({counts['test_leaked']} copy a training row)",
        "",
        "| model | train rows | test text | accuracy | macro-F1 | calibration error "
        "| largest group gap (accuracy) |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, model, view in rows:
        metrics = results[model]["views"][view]
        gap = metrics["largest_group_gap"]
        gap_text = (
            f"{gap['gap']:.3f} ({gap['category']})" if gap["gap"] is not None else "none judged"
        )
        text = "scrubbed" if view == "test_scrubbed" else "raw"
        lines.append(
            f"| {label} | {results[model]['train_rows']:,} | {text} | {metrics['accuracy']:.4f} "
            f"| {metrics['macro_f1']:.4f} | {metrics['calibration_error']:.4f} | {gap_text} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=None, help="sample this many demo rows (default: all 5,574)"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--epochs", type=int, default=1, help="training epochs (default 1)")
    parser.add_argument("--seed", type=int, default=13, help="sampling and training seed")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    if args.rows is not None and args.rows < 100:
        parser.error("--rows must be at least 100")
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    print(BANNER, file=sys.stderr)
    recipe = load_recipe(RECIPE).with_updates(
        training={
            "epochs": args.epochs,
            "max_length": 64,
            "threads": args.threads,
            "seed": args.seed,
        }
    )
    folder = Path(tempfile.mkdtemp(prefix="curate-bench-value-"))
    try:
        prepared = prepare(folder, rows=args.rows, seed=args.seed)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    groups = lexicon_groups(prepared.test_raw["text"])
    tests = {"test": prepared.test_raw}
    results = {
        "raw": train_and_score("raw", prepared.raw_train, tests, recipe, groups),
        "curated": train_and_score(
            "curated",
            prepared.curated_train,
            {"test": prepared.test_raw, "test_scrubbed": prepared.test_scrubbed},
            recipe,
            groups,
        ),
    }
    y_true = np.array(results["raw"]["views"]["test"]["y_true"])
    raw_pred = np.array(results["raw"]["views"]["test"]["predicted"])
    intervals = {
        view: paired_interval(
            raw_pred, np.array(results["curated"]["views"][view]["predicted"]), y_true
        )
        for view in ("test", "test_scrubbed")
    }

    print(BANNER)
    print()
    print(
        f"SMS demo, {args.rows or 'all'} rows sampled; recipe {recipe.model.base_model.describe()}, "
        f"LoRA rank {recipe.model.lora.rank}, {args.epochs} epoch(s), max length 64, "
        f"{args.threads} thread(s), seed {args.seed}"
    )
    c = prepared.counts
    print(
        f"raw train {c['raw_train']:,} rows; curated train {c['curated_train']:,} rows "
        f"(scrub {prepared.seconds['scrub']:.0f} s, dedup {prepared.seconds['dedup']:.1f} s)"
    )
    print(table(results, c))
    print()
    for view, interval in intervals.items():
        text = "scrubbed" if view == "test_scrubbed" else "raw"
        delta_acc = (
            results["curated"]["views"][view]["accuracy"]
            - results["raw"]["views"]["test"]["accuracy"]
        )
        delta_f1 = (
            results["curated"]["views"][view]["macro_f1"]
            - results["raw"]["views"]["test"]["macro_f1"]
        )
        print(
            f"curated ({text} test text) minus raw: accuracy {delta_acc:+.4f} "
            f"[{interval['accuracy'][0]:+.4f}, {interval['accuracy'][1]:+.4f}], "
            f"macro-F1 {delta_f1:+.4f} [{interval['macro_f1'][0]:+.4f}, {interval['macro_f1'][1]:+.4f}]"
            " (paired bootstrap 95%)"
        )
    if args.json is not None:
        summary = {
            "experiment": BANNER,
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "counts": prepared.counts,
            "seconds": prepared.seconds,
            "intervals": intervals,
            "results": results,
        }
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
