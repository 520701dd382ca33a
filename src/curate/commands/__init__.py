"""One module per command, each a click command that returns an exit code.

:mod:`curate.cli` adds them to the ``curate`` group and turns errors into exit codes; the
work itself is in the library (``curate.auditing``, ``curate.duplicates``, ``curate.pii``,
``curate.receipt``, ``curate.train``), so a command holds only its options and its output.
"""
