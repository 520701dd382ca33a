"""``curate train``: LoRA fine-tuning, only on data a passing audit saw."""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands.options import ALLOW_UNSIGNED, EXIT_OK, command, say
from curate.io.outputs import check_outputs


@command()
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
    help="Training recipe: a YAML file, or a shipped one by name (chat, instruct); "
    "default: train/default.yaml, LoRA on the packaged MiniLM.",
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
    test = result.metrics.test
    score = (
        f"accuracy {test.accuracy:.3f}, macro-F1 {test.macro_f1:.3f}"
        if test.accuracy is not None and test.macro_f1 is not None
        else f"loss {test.loss:.3f}"
    )
    say(f"trained: {score} on {test.rows:,} test rows")
    say(f"  model    {result.out}")
    say(f"  card     {result.card}")
    return EXIT_OK
