"""Reading data in every supported format, splits, fingerprints and atomic writes."""

from __future__ import annotations

from curate.io.atomic import atomic_path, write_bytes, write_text
from curate.io.table import Table, load_table
from curate.io.writers import write_frame

__all__ = ["Table", "atomic_path", "load_table", "write_bytes", "write_frame", "write_text"]
