"""Deduplication: exact and near-duplicate rows, and copies across splits or datasets.

One pipeline for every caller (the audit's ``dedup.*`` checks, local ``curate dedup`` and
``curate dedup --engine ray``): ``text`` normalises and tokenises, ``minhash`` signs, ``lsh``
finds candidates, ``confirm`` checks them, ``index`` groups and clusters, ``contain`` finds
evaluation rows inside longer ones; ``api`` and ``on_ray`` are the two command drivers around
the shared ``driver``.
"""
