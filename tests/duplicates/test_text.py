from __future__ import annotations

import pyarrow as pa

from curate.duplicates.minhash import token_hashes
from curate.duplicates.settings import NearSettings, Normalization
from curate.duplicates.text import (
    ASCII_LOWER,
    codepoints,
    combine,
    combine_words,
    normalize,
    word_spans,
)


def test_normalize_each_step() -> None:
    raw = pa.array(["Ｆｕｌｌ ﬁne\u00a0 Café,  OK!", None])
    default = normalize(raw, Normalization()).to_pylist()
    assert default == ["full fine café, ok!", ""]
    bare = normalize(raw, Normalization(nfkc=False, lowercase=False, whitespace=False))
    assert bare.to_pylist()[0] == "Ｆｕｌｌ ﬁne\u00a0 Café,  OK!"
    no_punct = normalize(raw, Normalization(punctuation=True)).to_pylist()
    assert no_punct[0] == "full fine café ok"


def test_combine_marks_rows_without_text_and_keeps_column_boundaries() -> None:
    first = pa.array(["a b", "a", None, " ", "x"])
    second = pa.array(["c", "b c", None, "", None])
    text, blank = combine([first, second], Normalization())
    assert blank.tolist() == [False, False, True, True, False]
    values = text.to_pylist()
    assert values[0] != values[1]  # ("a b", "c") is not ("a", "b c")


def test_words_and_codepoints_give_row_offsets() -> None:
    text = pa.array(["one two  three", "", "four", " x\ty\n", "é"], type=pa.large_string())
    data, starts, ends, offsets = word_spans(text.slice(0))
    found = [bytes(data[a:b]).decode() for a, b in zip(starts, ends, strict=True)]
    assert found == ["one", "two", "three", "four", "x", "y", "é"]
    assert offsets.tolist() == [0, 3, 3, 4, 6, 7]
    _, starts, _, offsets = word_spans(text.slice(2, 2))  # a slice reads its own rows only
    assert offsets.tolist() == [0, 1, 3]
    points, point_offsets = codepoints(pa.array(["né", "", "x"]))
    assert points.tolist() == [ord("n"), ord("é"), ord("x")]
    assert point_offsets.tolist() == [0, 2, 2, 3]


def test_combine_words_gives_the_words_of_the_normalised_text() -> None:
    """ASCII text is left to the hasher to lower-case; the words hashed are the same as those
    of the normalised text, whatever the settings, ASCII or not, one column or two."""
    first = pa.array(["The  Quick\tFOX!", None, " ", "Café AU lait", "a-b C"])
    second = pa.array(["Over", "x", "", None, "D E"])
    near = NearSettings(shingle="word")
    for settings in (
        Normalization(),
        Normalization(lowercase=False),
        Normalization(punctuation=True),
    ):
        for columns in ([first], [first, second], [first.slice(0, 3), second.slice(0, 3)]):
            text, blank, table = combine_words(columns, settings)
            expected, expected_blank = combine(columns, settings, collapse=False)
            assert blank.tolist() == expected_blank.tolist()
            got = token_hashes(text, near, table=table)
            want = token_hashes(expected, near)
            for a, b in zip(got, want, strict=True):
                assert a.tolist() == b.tolist()
    ascii_text, _, table = combine_words([pa.array(["Plain ASCII"])], Normalization())
    assert ascii_text.to_pylist() == ["Plain ASCII"]  # no lower-cased copy made
    assert (table == ASCII_LOWER).all()
