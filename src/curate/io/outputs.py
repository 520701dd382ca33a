"""Where a command may write: never over its input, whatever the spelling, link or folder.

Checked before any work starts, so a refused output costs nothing and touches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from curate.errors import InputError, OutputError


def check_outputs(
    *,
    inputs: Iterable[Path | None],
    outputs: Mapping[str, Path | None],
    folders: Iterable[str] = (),
) -> None:
    """Refuse any output that is an input, holds one, lies inside an input folder or is another
    output; and one whose folder cannot exist (a file stands on its path).

    ``outputs`` maps the option that named each output (``--out``) to its path; options in
    ``folders`` name output folders, which must not be existing files.
    """
    given = [p for p in inputs if p is not None]
    named = {option: path for option, path in outputs.items() if path is not None}
    as_folder = set(folders)
    for option, out in named.items():
        for source in given:
            _refuse_overlap(option, out, source)
        if option in as_folder and out.exists() and not out.is_dir():
            raise OutputError(f"{out}: {option} names an existing file; it takes a folder")
        _refuse_blocked(option, out, out if option in as_folder else out.parent)
    seen: dict[Path, str] = {}
    for option, out in named.items():
        key = _resolve(out)
        if key in seen:
            raise OutputError(f"{out}: {option} and {seen[key]} name the same file")
        seen[key] = option


def _refuse_overlap(option: str, out: Path, source: Path) -> None:
    target, origin = _resolve(out), _resolve(source)
    if target == origin or _same_file(out, source):
        raise OutputError(
            f"{out}: {option} is the input {source}; write elsewhere (or use --in-place where "
            "the command has it)"
        )
    if origin.is_relative_to(target):
        raise OutputError(f"{out}: {option} holds the input {source}; choose another place")
    if origin.is_dir() and target.is_relative_to(origin):
        raise OutputError(f"{out}: {option} is inside the input folder {source}; write outside it")


def _resolve(path: Path) -> Path:
    """The real path; a loop of symbolic links is bad input, named as the readers name it."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as exc:  # RuntimeError: pathlib's symlink-loop signal
        raise InputError("cannot read: a loop of symbolic links", path=path) from exc


def _same_file(a: Path, b: Path) -> bool:
    """One file under two names (a hard link, a symlink, another spelling)."""
    try:
        return a.samefile(b)
    except OSError:
        return False


def _refuse_blocked(option: str, out: Path, folder: Path) -> None:
    """An output folder that cannot be made because a file stands where a folder must be."""
    for part in (folder, *folder.parents):
        if part.exists():
            if not part.is_dir():
                raise OutputError(f"{out}: cannot write ({option}): {part} is a file")
            return
