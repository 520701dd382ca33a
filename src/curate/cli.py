"""The command line: the ``curate`` group, and the one place a command's errors become exit codes.

Each command lives in its own module under :mod:`curate.commands` and returns an exit code:
0 done / gate passed · 1 gate failed · 2 bad usage or input (one line, no traceback) ·
3 internal error (short message and the path of a crash log).
"""

from __future__ import annotations

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
    """Run the command line and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
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
