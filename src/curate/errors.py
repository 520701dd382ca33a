"""Every error type curate raises on purpose, and the exit code each maps to.

The command line turns a :class:`CurateError` into one line on stderr and its
``exit_code``; anything else is a crash (exit 3) with a crash log.
"""

from __future__ import annotations


class CurateError(Exception):
    """Base class: an error the user can act on, shown as one line."""

    exit_code = 2


class UsageError(CurateError):
    """Bad command-line usage or a bad argument to the Python API."""


class InputError(CurateError):
    """Malformed or unreadable input data.

    The message names the file and, where known, the 1-based line.
    """

    def __init__(self, message: str, *, path: object = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class RulesError(CurateError):
    """A rules file that does not validate; the message names the file, line and key.

    ``problems`` holds every error found, one line each (``curate rules validate`` shows them
    all); the message is the first, with a count of the rest.
    """

    def __init__(self, message: str, *, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class OutputError(UsageError):
    """An output that cannot be written where asked: over an input, under a file, a full disk."""


class MissingDependencyError(CurateError):
    """An optional package a feature needs is not installed."""

    def __init__(self, *, feature: str, package: str, extra: str) -> None:
        super().__init__(f"{feature} needs the '{package}' package: pip install 'curate[{extra}]'")


class GateError(CurateError):
    """A receipt that does not let the data through (verify, train)."""

    exit_code = 1


class RecipeError(CurateError):
    """A training recipe that does not validate; the message names the file, line and key."""


class Terminated(BaseException):
    """SIGTERM arrived: raised in the main thread so every ``finally`` removes its temporary
    files before the command exits (143). A BaseException, so no ``except Exception`` eats it."""
