"""``curate.train``: gate, then data, fine-tune, evaluate, and write the model folder atomically."""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate._version import __version__
from curate.errors import UsageError
from curate.train.gate import Admitted, open_gate
from curate.train.metrics import TrainMetrics
from curate.train.recipe import Recipe, load_recipe

log = logging.getLogger("curate.train")

ADAPTER = "adapter_model.safetensors"


@dataclass(frozen=True)
class TrainResult:
    """Where the model went, and what it scored."""

    out: Path
    metrics: TrainMetrics

    @property
    def adapter(self) -> Path:
        return self.out / ADAPTER

    @property
    def card(self) -> Path:
        return self.out / "README.md"


def default_out_dir(admitted: Admitted) -> Path:
    stem = Path(admitted.name).resolve().stem if isinstance(admitted.data, Path) else admitted.name
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "data"
    return Path("runs") / f"{name}-{admitted.fingerprint.removeprefix('sha256:')[:12]}"


def train(
    data: object,
    *,
    receipt: str | Path,
    recipe: str | Path | Recipe | None = None,
    out: str | Path | None = None,
    rules: str | Path | None = None,
    allow_unsigned: bool = False,
) -> TrainResult:
    """Fine-tune with LoRA on ``data``, which must match a passing audit's ``receipt``.

    ``data`` is a path, or the DataFrame or ``datasets`` object that was audited.

    The gate runs first and refuses with :class:`~curate.errors.GateError` before torch or
    any model is imported; ``allow_unsigned`` lets an unsigned or wrongly signed receipt
    through, and the model card says so. ``recipe`` is a YAML path, a loaded :class:`Recipe`, or None
    for the shipped default. The output folder holds the adapter (safetensors), the
    tokenizer, the recipe used, ``metrics.json``, ``splits.json`` and the model card.
    """
    started = time.perf_counter()
    admitted = open_gate(data, receipt=receipt, rules=rules, allow_unsigned=allow_unsigned)
    gate_seconds = time.perf_counter() - started
    chosen = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    target = Path(out) if out is not None else default_out_dir(admitted)
    _check_target(target)

    from curate.train.data import load_training_data

    training_data = load_training_data(admitted, chosen)
    from curate.train.lora import cpu_threads, fine_tune, predict

    with cpu_threads(chosen.model.training.threads):
        trained, tokenized = fine_tune(training_data, chosen)
        test = predict(trained.model, tokenized["test"], tokenizer=trained.tokenizer, recipe=chosen)
        language = {}
        if chosen.model.task == "causal-lm":
            language = _language_metrics(trained, tokenized, training_data, chosen)
    measured = _metrics(admitted, chosen, training_data, trained, test)
    measured["test"].update(language.pop("test", {}))
    measured.update(language)
    measured["timing"] = {
        "gate_seconds": gate_seconds,
        "train_seconds": trained.seconds,
        "train_examples_per_second": trained.examples / trained.seconds
        if trained.seconds
        else None,
        "total_seconds": time.perf_counter() - started,
    }
    metrics = TrainMetrics.model_validate(measured)
    _write(
        target,
        admitted=admitted,
        recipe=chosen,
        metrics=metrics,
        trained=trained,
        ids=training_data.ids,
    )
    _log_summary(target, metrics)
    return TrainResult(out=target, metrics=metrics)


def _language_metrics(
    trained: Any, tokenized: dict[str, Any], data: Any, recipe: Recipe
) -> dict[str, Any]:
    """The base model's test loss beside the tuned one's, generation scores, forgetting."""
    from curate.train.lm_eval import language_model_metrics
    from curate.train.lora import predict

    with trained.model.disable_adapter():
        base = predict(trained.model, tokenized["test"], tokenizer=trained.tokenizer, recipe=recipe)
    out = language_model_metrics(
        trained.model, trained.tokenizer, data.splits["test"], recipe=recipe
    )
    out["test"] = {"base_loss": base.loss, "base_perplexity": math.exp(min(base.loss, 50.0))}
    out["truncation"] = trained.truncation
    out["chat"] = data.chat
    return out


def _metrics(
    admitted: Admitted, recipe: Recipe, data: Any, trained: Any, test: Any
) -> dict[str, Any]:
    from curate.train.data import LABEL, SENSITIVE_PREFIX
    from curate.train.evaluate import classification_metrics, group_metrics, loss_by_group

    settings = recipe.model
    test_split = data.splits["test"]
    sensitive = {c: test_split[SENSITIVE_PREFIX + c] for c in data.sensitive}
    min_size = settings.evaluation.min_group_size
    label = admitted.columns.label
    positive = [str(v) for v in label.positive] if label is not None and label.positive else None
    if settings.task == "sequence-classification":
        scores = classification_metrics(
            y_true=test.labels,
            probabilities=test.probabilities,
            labels=data.labels,
            calibration_bins=settings.evaluation.calibration_bins,
        )
        scores["loss"] = test.loss
        predicted = [data.labels[i] for i in test.probabilities.argmax(axis=1)]
        groups = group_metrics(
            sensitive=sensitive,
            y_true=test_split[LABEL],
            y_pred=predicted,
            positive=positive,
            min_group_size=min_size,
        )
    else:
        scores = {
            "rows": len(test.example_losses),
            "loss": test.loss,
            "perplexity": math.exp(min(test.loss, 50.0)),
        }
        groups = loss_by_group(
            sensitive=sensitive, example_losses=test.example_losses, min_group_size=min_size
        )
    return {
        "curate_version": __version__,
        "task": settings.task,
        "base_model": settings.base_model.describe(),
        "base_model_path": recipe.base_model_path(),
        "recipe": {"path": recipe.path, "sha256": recipe.sha256},
        "data": {
            "path": admitted.name,
            "fingerprint": admitted.fingerprint,
            "receipt": str(admitted.receipt_path),
            "rules_sha256": admitted.receipt.rules_sha256,
            "signature": admitted.signature,
        },
        "labels": list(data.labels),
        "positive": positive,
        "min_group_size": min_size,
        "splits": data.record,
        "training": {
            "history": trained.history,
            "best_epoch": trained.best_epoch,
            "stopped_early": trained.stopped_early,
            "steps": trained.steps,
            "examples": trained.examples,
            "trainable_parameters": trained.trainable_parameters,
            "total_parameters": trained.total_parameters,
        },
        "test": scores,
        "groups": groups,
    }


def _check_target(target: Path) -> None:
    """Refuse to replace a folder that is not an earlier curate training output."""
    if target.exists() and (
        not target.is_dir() or (any(target.iterdir()) and not (target / "metrics.json").is_file())
    ):
        raise UsageError(
            f"{target}: exists and is not a curate training output; choose another --out"
        )


def _write(
    target: Path,
    *,
    admitted: Admitted,
    recipe: Recipe,
    metrics: TrainMetrics,
    trained: Any,
    ids: dict[str, list[Any]],
) -> None:
    """Build the folder beside ``target`` and swap it in, so a failed run leaves the old one."""
    from curate.train.base import quiet_libraries
    from curate.train.card import render_card

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        with quiet_libraries():
            trained.model.save_pretrained(staging, safe_serialization=True)
            trained.tokenizer.save_pretrained(staging)
        (staging / "recipe.yaml").write_text(recipe.text, encoding="utf-8")
        (staging / "receipt.json").write_text(admitted.receipt.to_json(), encoding="utf-8")
        (staging / "splits.json").write_text(
            json.dumps({"record": metrics.splits.to_json(), "ids": ids}, default=str) + "\n",
            encoding="utf-8",
        )
        (staging / "metrics.json").write_text(
            json.dumps(metrics.to_json(), indent=2, ensure_ascii=False, allow_nan=False) + "\n",
            encoding="utf-8",
        )
        (staging / "README.md").write_text(
            render_card(admitted=admitted, recipe=recipe, metrics=metrics), encoding="utf-8"
        )
        for path in staging.iterdir():
            path.chmod(0o644)
        staging.chmod(0o755)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{staging.name}")
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _log_summary(target: Path, metrics: TrainMetrics) -> None:
    test = metrics.test
    if test.accuracy is not None:
        log.info(
            "test: accuracy %.4f, macro-F1 %.4f, calibration error %.4f (%d rows)",
            test.accuracy,
            test.macro_f1,
            test.calibration_error,
            test.rows,
        )
    else:
        log.info(
            "test: loss %.4f (base model %.4f), perplexity %.2f",
            test.loss,
            test.base_loss if test.base_loss is not None else math.nan,
            test.perplexity,
        )
    for column, result in metrics.groups.items():
        if result.amplification is not None:
            log.info(
                "%s: positive-rate gap %.3f in labels, %.3f in predictions",
                column,
                result.gaps["label_positive_rate"],
                result.gaps["predicted_positive_rate"],
            )
