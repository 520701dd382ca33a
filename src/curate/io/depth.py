"""How deep JSON nests, found on the raw bytes before any parser sees them.

Deep input crashes parsers (pyarrow's segfaults at about 10,000 levels) and no table needs it,
so readers refuse it with the file and line. Counting brackets outside strings is cheap; numpy
is loaded only for input that could nest too deep.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from curate.errors import InputError

if TYPE_CHECKING:
    import numpy as np

#: Deepest nesting of JSON arrays and objects read; deeper input crashes parsers (pyarrow's
#: segfaults at about 10,000) and no table needs it.
MAX_DEPTH = 100
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"{}[]\n")
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


@functools.cache
def _brackets() -> np.ndarray:
    """+1 for each opening bracket's byte, -1 for each closing one's, 0 for the rest."""
    import numpy as np  # only for input that could nest too deep; small files never need it

    table = np.zeros(256, dtype=np.int8)
    table[[ord("{"), ord("[")]] = 1
    table[[ord("}"), ord("]")]] = -1
    return table


def _deep_line(data: bytes) -> bool:
    """Whether brackets outside strings nest deeper than :data:`MAX_DEPTH`."""
    depth = 0
    for token in _TOKENS.finditer(data):
        char = token.group()
        if char in (b"{", b"["):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in (b"}", b"]"):
            depth -= 1
    return False


def check_depth(data: bytes, *, path: object, first_line: int = 1, lines: bool = True) -> None:
    """Refuse JSON nested deeper than :data:`MAX_DEPTH`, before any parser sees it."""
    index = too_deep(data, lines=lines)
    if index is not None:
        raise InputError(
            f"JSON nested deeper than {MAX_DEPTH} levels", path=path, line=first_line + index
        )


def too_deep(data: bytes, *, lines: bool = True) -> int | None:
    """The 0-based index of the first line nested deeper than :data:`MAX_DEPTH`, or None.

    A vectorised bound (brackets counted per line, strings ignored) clears almost every
    input; only lines it cannot clear are scanned exactly, strings skipped.
    """
    brackets = data.translate(None, _NOT_BRACKETS)
    if max(map(len, brackets.split(b"\n") if lines else [brackets])) <= MAX_DEPTH:
        return None  # no line has enough brackets to nest that deep
    import numpy as np

    codes = np.frombuffer(data, dtype=np.uint8)
    delta = _brackets()[codes]
    where = np.flatnonzero(delta)
    steps = delta[where].astype(np.int32)
    level = np.cumsum(steps)
    if lines:
        line = np.searchsorted(np.flatnonzero(codes == 10), where)
        first = np.empty(len(line), dtype=bool)
        first[:1] = True
        first[1:] = line[1:] != line[:-1]
        base = (level - steps)[first][np.cumsum(first) - 1]
        level = level - base
    else:
        line = np.zeros(len(where), dtype=np.int64)
    starts = [0, *(np.flatnonzero(codes == 10) + 1).tolist()] if lines else [0]
    for index in np.unique(line[level > MAX_DEPTH]).tolist():
        start = starts[index]
        end = data.find(b"\n", start) if lines else -1
        if _deep_line(data[start : None if end < 0 else end]):
            return int(index)
    return None
