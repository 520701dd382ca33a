"""Reading and writing data in every supported format: the one layer that says what a row is.

``records`` defines rows; ``readers`` and ``table`` load a dataset whole (the audit, train),
``stream`` reads it in batches (dedup), ``documents`` reads cells to rewrite and writes them
back with untouched bytes kept (scrub), ``subset`` writes a source less some rows (dedup);
``splits``, ``fingerprint`` and ``snapshot`` say what a dataset is; ``atomic`` and ``outputs``
make every write safe.

Only the light atomic-write helpers are re-exported here: importing ``curate.io`` (the command
line does, to check output paths) must not load pandas. Tables live in ``curate.io.table``.
"""

from __future__ import annotations

from curate.io.atomic import atomic_path, write_bytes, write_text

__all__ = ["atomic_path", "write_bytes", "write_text"]
