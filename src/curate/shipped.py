"""Where the files curate ships (rule packs, training recipes) are found.

In a source checkout they live at the repository root (``rules/``, ``train/``);
in an installed wheel they are packed under ``curate/_shipped/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """The folder of shipped files called ``name`` (``rules`` or ``train``)."""
    packed = _PACKAGE / "_shipped" / name
    if packed.is_dir():
        return packed
    return _PACKAGE.parent.parent / name
