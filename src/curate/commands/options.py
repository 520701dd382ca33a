"""What every command shares: its logging options, result lines, exit codes and option groups."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from curate.progress import is_quiet, set_quiet

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3
EXIT_TERMINATED = 128 + signal.SIGTERM


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record arrives, not when the CLI started:
    a later library call (a notebook, a test after ``capsys``) never hits a closed stream."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def setup_logging(*, quiet: bool, verbose: bool) -> None:
    set_quiet(quiet)
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = _StderrHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("curate: %(message)s"))
    root = logging.getLogger("curate")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def log_options(fn: F) -> F:
    """``--quiet`` and ``--verbose``, accepted before or after the command name."""

    def apply(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
        if value:
            setup_logging(quiet=param.name == "quiet", verbose=param.name == "verbose")
        return value

    fn = click.option(
        "-v", "--verbose", is_flag=True, expose_value=False, callback=apply, help="Debug logging."
    )(fn)
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=apply,
        help="No progress or informational output.",
    )(fn)


def say(message: str) -> None:
    """A result line on stderr; ``--quiet`` leaves only the exit code and errors."""
    if not is_quiet():
        click.echo(message, err=True)


def command(
    group: click.Group | None = None, name: str | None = None
) -> Callable[[Callable[..., int]], click.Command]:
    """A command (of ``group``, or on its own for the CLI to add) that returns an exit code and
    also takes ``--quiet`` / ``--verbose``."""

    def decorate(fn: Callable[..., int]) -> click.Command:
        make = group.command(name) if group is not None else click.command(name)
        return make(log_options(fn))

    return decorate


def engine_options(fn: F) -> F:
    """``--engine``, ``--workers`` and ``--ray-address``, shared by audit, dedup and scrub."""
    fn = click.option(
        "--workers",
        type=click.IntRange(1),
        help=(
            "Workers on this machine (dedup: threads; audit, scrub: processes), or Ray workers"
            " (default: as many as pay off, up to all cores)."
        ),
    )(fn)
    fn = click.option(
        "--ray-address",
        envvar="RAY_ADDRESS",
        help="Ray cluster to join (default: start a local Ray for the run). Env: RAY_ADDRESS.",
    )(fn)
    return click.option(
        "--engine",
        type=click.Choice(["local", "ray"]),
        default="local",
        show_default=True,
        help="Where the work runs: this machine, or Ray.",
    )(fn)


def column_options(fn: F) -> F:
    """The column options shared by audit and dedup."""
    options = [
        click.option("--text-column", multiple=True, help="Text column (repeatable)."),
        click.option("--label-column", help="Label column."),
        click.option("--id-column", help="Column of row ids (default: 0-based row numbers)."),
        click.option("--split-column", help="Column naming each row's split."),
        click.option("--sensitive-column", multiple=True, help="Sensitive attribute (repeatable)."),
        click.option("--prediction-column", help="Column of a model's predictions or scores."),
        click.option("--time-column", help="Column of timestamps."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def pick_columns(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take the column options out of a command's keyword arguments."""
    names = (
        "text_column",
        "label_column",
        "id_column",
        "split_column",
        "sensitive_column",
        "prediction_column",
        "time_column",
    )
    return {name: kwargs.pop(name) for name in names if name in kwargs}


ALLOW_UNSIGNED = click.option(
    "--allow-unsigned",
    is_flag=True,
    help="Accept a receipt that is unsigned or whose signature does not match (the model card says so).",
)
