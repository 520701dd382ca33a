from __future__ import annotations

from pathlib import Path

import pandas as pd

from curate.io.frame_documents import FrameDocument
from curate.pii.scan import find_pii, masked
from curate.pii.settings import PiiParams


def test_masks_keep_the_shape_not_the_value() -> None:
    assert masked("jane.doe@example.com", "EMAIL_ADDRESS") == "j***@e***.com"
    assert masked("Jane Doe", "PERSON") == "J*** D**"
    assert masked("(212) 555-0187", "PHONE_NUMBER") == "(###) ###-####"
    assert masked("GB82 WEST 1234", "IBAN_CODE") == "**## *** ####"


def test_declared_columns_are_wholly_pii_and_skip_the_analyzer() -> None:
    frame = pd.DataFrame({"email": ["x", "", "y@z.io"], "note": ["hi", "mail y@z.io", "ok"]})
    settings = PiiParams(entities=("EMAIL_ADDRESS",), pii_columns={"email": "EMAIL_ADDRESS"})
    hits = find_pii(FrameDocument(frame).cells(skip=frozenset()), settings)
    assert [(h.row, h.column, [(s.start, s.end) for s in h.spans]) for h in hits] == [
        (0, "email", [(0, 1)]),
        (1, "note", [(5, 11)]),
        (2, "email", [(0, 6)]),
    ]


def test_scrubbed_placeholders_are_not_found_again(tmp_path: Path) -> None:
    """Scrubbing is idempotent: the placeholders one scrub writes are no one's name."""
    import curate

    source = tmp_path / "notes.csv"
    source.write_text(
        "id,text\n"
        '1,"Sir Gideon Hartwell, once free call me."\n'
        '2,"I miss Rosalind Achebe big, so pls give her my love."\n'
        '3,"Forgot my surname Mr . Quillfeather, its spanish."\n'
    )
    once = tmp_path / "once.csv"
    curate.scrub([source], out=once)
    assert "Hartwell" not in once.read_text() and "<PERSON>" in once.read_text()
    result = curate.scrub([once], check=True)
    assert result.findings == []
