"""The one corpus helper: validation, the rule for non-string text, the fingerprint."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from discourse.corpus import as_text, check_corpus, corpus_fingerprint, corpus_texts
from discourse.errors import CorpusError, TopicModelError


def _reference_fingerprint(corpus: pd.DataFrame) -> str:
    """The fingerprint as report.py computed it before it moved here (byte for byte)."""
    digest = hashlib.sha256()
    ids = corpus["doc_id"].astype(str).tolist()
    texts = corpus["text"].fillna("").astype(str).tolist()
    for doc_id, text in sorted(zip(ids, texts, strict=True)):
        digest.update(doc_id.encode("utf-8"))
        digest.update(b"\x00")
        digest.update(text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def test_as_text_rule():
    values = ("x", "", None, np.nan, pd.NA, pd.NaT, 2019, 2.5, True)
    assert [as_text(v) for v in values] == ["x", "", "", "", "", "", "2019", "2.5", "True"]


def test_corpus_texts_of_table_series_and_list():
    frame = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "text": ["one two", None, np.nan, 7]})
    assert corpus_texts(frame) == ["one two", "", "", "7"]
    assert corpus_texts(frame["text"]) == ["one two", "", "", "7"]
    assert corpus_texts(["x", None]) == ["x", ""]


def test_fingerprint_is_byte_identical_to_the_old_one():
    frame = pd.DataFrame(
        {"doc_id": ["b", "a", 3, "ü"], "text": ["Zwei Wörter", None, np.nan, "AI governance\n\nnext"]}
    )
    assert corpus_fingerprint(frame) == _reference_fingerprint(frame)
    assert corpus_fingerprint(frame) == _reference_fingerprint(frame.iloc[::-1])
    numbers = pd.DataFrame({"doc_id": ["a", "b"], "text": [12, 3.5]}, dtype=object)
    assert corpus_fingerprint(numbers) == _reference_fingerprint(numbers)


def test_fingerprint_known_value_and_sensitivity():
    a = pd.DataFrame({"doc_id": ["x", "y"], "text": ["one", "two"], "year": [1, 2]})
    expected = hashlib.sha256(b"x\x00one\x00y\x00two\x00").hexdigest()
    assert corpus_fingerprint(a) == expected
    assert corpus_fingerprint(a.drop(columns="year")) == expected  # metadata does not count
    assert corpus_fingerprint(a.assign(text=["one", "two!"])) != expected
    assert corpus_fingerprint(a.assign(doc_id=["x", "z"])) != expected
    # a lone surrogate (damaged decode) is hashed rather than an error
    assert len(corpus_fingerprint(pd.DataFrame({"doc_id": ["s"], "text": ["a\ud800b"]}, dtype=object))) == 64


def test_check_corpus_returns_the_input_untouched():
    frame = pd.DataFrame({"doc_id": ["a"], "text": ["x"]})
    assert check_corpus(frame) is frame
    no_ids = pd.DataFrame({"text": ["x", "y"], "year": [1, 2]})
    out = check_corpus(no_ids)
    assert out["doc_id"].tolist() == [0, 1] and list(out.columns) == ["doc_id", "text", "year"]
    assert "doc_id" not in no_ids.columns
    listed = check_corpus(pd.Series(["p", "q"]))
    assert listed.to_dict("list") == {"doc_id": [0, 1], "text": ["p", "q"]}


@pytest.mark.parametrize(
    ("corpus", "kwargs", "message"),
    [
        ("a string", {}, "the corpus is a string, not a table of documents"),
        (42, {}, "must be a DataFrame .* or a list of texts, not int"),
        (pd.DataFrame({"body": ["x"]}), {}, r"the corpus has no 'text' column \(columns: body\)"),
        (["x"], {"require_ids": True}, r"must be a DataFrame \(from discourse.load_corpus\), not list"),
        (pd.DataFrame({"text": ["x"]}), {"require_ids": True}, "has no 'doc_id' column"),
        (pd.DataFrame({"doc_id": ["a", None], "text": ["x", "y"]}), {"require_ids": True},
         "row 2, corpus: doc_id is missing"),
        (pd.DataFrame({"doc_id": ["a", "b", "a"], "text": ["x", "y", "z"]}), {"require_ids": True},
         "row 3, corpus: doc_id 'a' is not unique"),
    ],
)
def test_check_corpus_errors(corpus, kwargs, message):
    with pytest.raises(CorpusError, match=message):
        check_corpus(corpus, **kwargs)


def test_check_corpus_error_kind_and_name():
    with pytest.raises(TopicModelError, match="the reference corpus is a string"):
        check_corpus("x", "reference corpus", error=TopicModelError)
