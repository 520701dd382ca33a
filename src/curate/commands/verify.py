"""``curate verify``: is this data, byte for byte, what a passing audit saw?"""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands.options import ALLOW_UNSIGNED, EXIT_OK, command, say


@command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option(
    "--receipt",
    type=click.Path(path_type=Path),
    required=True,
    help="receipt.json from curate audit.",
)
@click.option(
    "--rules",
    type=click.Path(path_type=Path),
    help="Also require the receipt to be made under these rules.",
)
@ALLOW_UNSIGNED
def verify(data: Path, receipt: Path, rules: Path | None, allow_unsigned: bool) -> int:
    """Check that DATA is, byte for byte, the data a passing audit's receipt names."""
    from curate.receipt import verify as run_verify

    verified = run_verify(data, receipt=receipt, rules=rules, allow_unsigned=allow_unsigned)
    signed = "" if verified.signature == "valid" else f", signature {verified.signature}"
    say(
        f"verified: {data} matches {receipt} ({verified.fingerprint[:19]}…, audit passed{signed})",
    )
    return EXIT_OK
