"""PII: find personal data with Presidio and spaCy, offline, and anonymize it.

The ``pii`` audit check (:mod:`curate.checks.pii`) and ``curate scrub`` (:mod:`.scrub`) share
one settings model (``checks.pii`` in the rules), one analyzer and one scan over a table's cells.
"""
