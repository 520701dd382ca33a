"""Label issues (``quality.labels``): planted wrong labels found, against cleanlab's own.

    python benchmarks/labels.py                 # quality (five seeds) and the 100,000-row run
    python benchmarks/labels.py --speed-rows 0  # quality only

**Quality**: the SMS Spam Collection (``../shared/data/sms_spam``, 5,574 rows) with 5% of
labels flipped at random, one run per seed. Precision and recall of the flipped rows among
those flagged, for curate's check (the audit's entry, default settings: TF-IDF + logistic
regression, 5 folds, near-duplicate conflicts) and for two baselines in the same run:
cleanlab's ``CleanLearning(clf).find_label_issues`` with the same model (the same TF-IDF
features and logistic regression in one pipeline, its own 5-fold cross-validation), and cleanlab's
``filter.find_label_issues`` on curate's out-of-fold probabilities (the check less its
duplicate conflicts). Then the flagged share where nothing was flipped: SMS as published and
HateCheck (``../shared/data/hatecheck``, 3,728 templated test cases, hateful/non-hateful).

**Speed**: ``--speed-rows`` rows resampled from SMS, each with a small perturbation (a word
dropped, a word repeated, a number appended) so all are distinct, 5% of labels flipped; the
real ``curate audit`` command with only this check (and the gate's waivers), against
CleanLearning with the same model on the same rows, in the same run.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
RULES = """\
version: 1
columns: {{text: text, label: label, id: id}}
checks:
  quality.labels: {settings}
waive: {{schema: benchmark, dedup.exact: benchmark, dedup.cross_split: benchmark, pii: benchmark}}
"""


def sms() -> pd.DataFrame:
    """The SMS file split on the first TAB (quoting off, as SOURCE.md says)."""
    lines = (SHARED / "sms_spam" / "SMSSpamCollection").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("\t", 1) for line in lines]
    return pd.DataFrame(
        {
            "id": [f"sms-{i:05d}" for i in range(len(pairs))],
            "text": [t for _, t in pairs],
            "label": [lab for lab, _ in pairs],
        }
    )


def hatecheck() -> pd.DataFrame:
    frame = pd.read_csv(SHARED / "hatecheck" / "test_suite_cases.csv")
    return pd.DataFrame(
        {"id": frame["case_id"], "text": frame["test_case"], "label": frame["label_gold"]}
    )


def flip(frame: pd.DataFrame, *, share: float, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` with ``share`` of its labels swapped to another class; the rows flipped."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(frame), size=round(share * len(frame)), replace=False))
    classes = sorted(frame["label"].unique())
    out = frame.copy()
    for row in rows:
        others = [c for c in classes if c != out.at[row, "label"]]
        out.at[row, "label"] = others[rng.integers(len(others))]
    return out, rows


def curate_flags(frame: pd.DataFrame, settings: str = "{}") -> tuple[np.ndarray, dict[str, object]]:
    import curate

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.yaml"
        rules.write_text(RULES.format(settings=settings))
        report = curate.audit(frame, rules=str(rules), infer=False)
    result = report.check("quality.labels")
    rows = np.array([r["row"] for r in result.records["label_issues.jsonl"]], dtype=np.int64)
    return rows, result.metrics


def model(c: float = 1.0):  # type: ignore[no-untyped-def]
    """The same model curate fits (word 1-2 grams beside character 2-5 grams, TF-IDF, then a
    logistic regression), as one scikit-learn pipeline for CleanLearning."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    common = {"sublinear_tf": True, "min_df": 2, "max_features": 100_000, "dtype": np.float32}
    return make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), **common),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), **common),
        ),
        LogisticRegression(C=c, max_iter=1000),
    )


def cleanlearning_flags(frame: pd.DataFrame, *, seed: int) -> np.ndarray:
    from cleanlab.classification import CleanLearning

    codes, _ = pd.factorize(frame["label"])
    learner = CleanLearning(clf=model(), cv_n_folds=5, seed=seed, verbose=False)
    found = learner.find_label_issues(frame["text"].to_numpy(dtype=object), codes)
    return np.flatnonzero(found["is_label_issue"].to_numpy())


def oof_flags(frame: pd.DataFrame) -> np.ndarray:
    """cleanlab's filter on curate's own out-of-fold probabilities (no duplicate conflicts)."""
    rows, _ = curate_flags(frame, "{duplicates: off}")
    return rows


def scores(flagged: np.ndarray, truth: np.ndarray) -> tuple[float, float, int]:
    hits = len(np.intersect1d(flagged, truth))
    return hits / max(len(flagged), 1), hits / max(len(truth), 1), len(flagged)


def quality(seeds: int, share: float) -> None:
    base = sms()
    print(f"## SMS Spam, {len(base):,} rows, {share:.0%} of labels flipped, seeds 0..{seeds - 1}")
    print(
        "| seed | curate P / R (flagged) | CleanLearning P / R (flagged) | filter on curate's OOF P / R |"
    )
    print("|---|---|---|---|")
    totals: dict[str, list[tuple[float, float, int]]] = {"curate": [], "cl": [], "oof": []}
    for seed in range(seeds):
        frame, truth = flip(base, share=share, seed=seed)
        start = time.perf_counter()
        ours = scores(curate_flags(frame)[0], truth)
        ours_s = time.perf_counter() - start
        start = time.perf_counter()
        theirs = scores(cleanlearning_flags(frame, seed=seed), truth)
        theirs_s = time.perf_counter() - start
        oof = scores(oof_flags(frame), truth)
        totals["curate"].append(ours)
        totals["cl"].append(theirs)
        totals["oof"].append(oof)
        print(
            f"| {seed} | {ours[0]:.3f} / {ours[1]:.3f} ({ours[2]}, {ours_s:.1f} s) "
            f"| {theirs[0]:.3f} / {theirs[1]:.3f} ({theirs[2]}, {theirs_s:.1f} s) "
            f"| {oof[0]:.3f} / {oof[1]:.3f} ({oof[2]}) |",
            flush=True,
        )
    for name, rows in totals.items():
        p, r, _ = np.mean(np.array(rows), axis=0)
        worst_p, worst_r = min(x[0] for x in rows), min(x[1] for x in rows)
        print(f"{name}: mean P {p:.3f} R {r:.3f}; worst seed P {worst_p:.3f} R {worst_r:.3f}")
    print("\n## Nothing flipped: share of rows flagged")
    for name, frame in (("SMS as published", base), ("HateCheck", hatecheck())):
        rows, metrics = curate_flags(frame)
        cl = cleanlearning_flags(frame, seed=0)
        print(
            f"{name}: curate {len(rows)} of {len(frame):,} ({len(rows) / len(frame):.2%}; "
            f"model accuracy {metrics['model_accuracy']:.3f}); CleanLearning {len(cl)} "
            f"({len(cl) / len(frame):.2%})",
            flush=True,
        )


def perturbed(rows: int, *, seed: int) -> pd.DataFrame:
    """``rows`` SMS rows drawn with replacement, each changed a little so all are distinct."""
    base = sms()
    rng = np.random.default_rng(seed)
    picked = base.iloc[rng.integers(len(base), size=rows)].reset_index(drop=True)
    texts = []
    for i, text in enumerate(picked["text"]):
        words = text.split()
        kind = i % 3
        if kind == 0 and len(words) > 3:
            del words[rng.integers(len(words))]
        elif kind == 1 and words:
            at = rng.integers(len(words))
            words.insert(at, words[at])
        texts.append(" ".join(words) + f" {i}")
    frame = pd.DataFrame(
        {"id": [f"r{i}" for i in range(rows)], "text": texts, "label": picked["label"]}
    )
    return flip(frame, share=0.05, seed=seed)[0]


def speed(rows: int, workers: int) -> None:
    frame = perturbed(rows, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.csv"
        frame.to_csv(data, index=False)
        rules = Path(tmp) / "rules.yaml"
        rules.write_text(RULES.format(settings="{}"))
        command = [sys.executable, "-m", "curate", "audit", str(data), "--rules", str(rules),
                   "--out", str(Path(tmp) / "out"), "--workers", str(workers), "-q"]  # fmt: skip
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, env={**os.environ}, check=False)
        ours = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        flagged = sum(1 for _ in (Path(tmp) / "out" / "label_issues.jsonl").open())
    print(f"\n## Speed: {rows:,} perturbed rows, --workers {workers}")
    print(f"curate audit (quality.labels only): {ours:.1f} s, exit {done.returncode}, "
          f"{flagged} flagged; {cpu:.1f} CPU s in all; load {os.getloadavg()}", flush=True)  # fmt: skip
    start = time.perf_counter()
    theirs_rows = cleanlearning_flags(frame, seed=0)
    theirs = time.perf_counter() - start
    print(
        f"CleanLearning, same model: {theirs:.1f} s ({len(theirs_rows)} flagged); "
        f"curate / CleanLearning time ratio {ours / theirs:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--share", type=float, default=0.05)
    parser.add_argument("--speed-rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    print(f"uptime: {os.getloadavg()}")
    if not args.skip_quality:
        quality(args.seeds, args.share)
    if args.speed_rows:
        speed(args.speed_rows, args.workers)
    print(f"uptime: {os.getloadavg()}")


if __name__ == "__main__":
    main()
