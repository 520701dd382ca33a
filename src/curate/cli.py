"""The command line: the ``curate`` group, and the one place a command's errors become exit codes.

Each command lives in its own module under :mod:`curate.commands` and returns an exit code:
0 done / gate passed · 1 gate failed · 2 bad usage or input (one line, no traceback) ·
3 internal error (short message and the path of a crash log).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
from collections.abc import Sequence

import click

from curate._version import __version__
from curate.commands import audit, dedup, report, rules, scrub, train, verify
from curate.commands.options import (
    EXIT_CRASH,
    EXIT_TERMINATED,
    EXIT_USAGE,
    log_options,
    setup_logging,
)
from curate.crashlog import write_crash_log
from curate.errors import CurateError, Terminated
from curate.signals import terminate_cleanly


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="curate")
@log_options
def cli() -> None:
    """Audit, deduplicate, scrub and gate the data that goes into a fine-tuned model."""


for command in (
    audit.audit,
    verify.verify,
    report.report,
    rules.rules,
    dedup.dedup,
    scrub.scrub,
    train.train,
):
    cli.add_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Without ``argv`` (the ``curate`` program), the process ends without tearing the
    interpreter down: see :func:`_end_without_teardown`.
    """
    if argv is None:
        atexit.register(_end_without_teardown)
    code = _run(list(sys.argv[1:] if argv is None else argv))
    _exit_code[0] = code
    return code


#: The code :func:`main` returned, for :func:`_end_without_teardown`.
_exit_code: list[int | None] = [None]


def _end_without_teardown() -> None:
    """End the ``curate`` program with ``os._exit`` once everything else at exit has run.

    Python's teardown frees every object one by one: with spaCy and Presidio loaded that is
    about a fifth of a pre-commit hook's run, and nothing of curate's waits on it (every file
    is written and closed inside its command). Registered at the start of :func:`main`, this
    runs after the exit functions registered since (a worker pool's, Ray's, weak-reference
    finalizers); logging and the standard streams are flushed here. Should :func:`main` not
    have returned, Python ends as usual.
    """
    code = _exit_code[0]
    if code is None:
        return
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream
            stream.flush()
    os._exit(code)


def _run(args: list[str]) -> int:
    setup_logging(quiet=False, verbose=False)
    try:
        with terminate_cleanly():
            result = cli.main(args=args, prog_name="curate", standalone_mode=False)
    except Terminated:
        click.echo("curate: terminated", err=True)
        return EXIT_TERMINATED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("curate: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        click.echo(f"curate: error: {exc.format_message()}", err=True)
        return EXIT_USAGE
    except CurateError as exc:
        click.echo(f"curate: error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("curate: interrupted", err=True)
        return 130
    except Exception as exc:
        path = write_crash_log(exc, context="curate " + " ".join(args[:1]))
        click.echo(f"curate: internal error ({type(exc).__name__}); crash log: {path}", err=True)
        return EXIT_CRASH
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
