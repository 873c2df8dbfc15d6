"""Property-based tests (hypothesis) of dictionaries and the matcher (issue 13).

* any dictionary, as a mapping, a YAML file or a LIWC file, loads or raises DictionaryError;
* the matcher never raises on any text (lone surrogates, control and astral characters);
* on small random dictionaries it finds exactly what the brute-force reference of
  tests/test_themes_matcher.py finds.
"""

from __future__ import annotations

import os
import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.errors import DictionaryError
from discourse.text import TOKEN_RE
from discourse.themes import Matcher, load_dictionary
from test_themes_matcher import _reference

# THEMES_EXAMPLES=5000 for a longer search than the test suite's
SETTINGS = settings(max_examples=int(os.environ.get("THEMES_EXAMPLES", "150")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# --- random dictionaries raise only DictionaryError -------------------------------------------

_PIECES = ["digital", "divide", "cyber*", "*ity", "(", ")", ")?", "|", " ", "-", "near(", ",", "3",
           "re:", "(a+)+b", "(?=x)", "(?<!e)", "\\1", "\\b", "[", "]", "*", "?", "+", "{2,}", "é",
           "\u4e2d", "'", '"', ":", "#", "&a", "*a", "\n", "\t", "%", "\ud800", "\x00"]
pattern_text = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join) | st.text(max_size=20)
scalar = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | pattern_text
leaf = scalar | st.lists(scalar, max_size=4)
key = st.sampled_from(["themes", "patterns", "exclude", "label", "parent", "groups", "name",
                       "description", "t", "a.b", "_x", ""]) | st.text(max_size=6)
mapping = st.recursive(leaf, lambda children: st.dictionaries(key, children, max_size=4)
                       | st.lists(children, max_size=3), max_leaves=20)


def _loads_or_dictionary_error(source) -> None:
    try:
        d = load_dictionary(source)
    except DictionaryError as err:
        assert str(err)  # worded through describe()
        return
    assert len(d) >= 1
    Matcher(d).counts(["digital divide cyber security é \u4e2d aab"])


@SETTINGS
@given(st.dictionaries(key, mapping, max_size=4))
def test_random_mappings_load_or_raise_dictionary_error(m):
    _loads_or_dictionary_error(m)


@SETTINGS
@given(st.dictionaries(st.text(string.ascii_lowercase, min_size=1, max_size=5),
                       st.lists(pattern_text, min_size=1, max_size=4), min_size=1, max_size=3))
def test_random_patterns_load_or_raise_dictionary_error(themes):
    _loads_or_dictionary_error({"themes": {t: {"patterns": p} for t, p in themes.items()}})


yaml_text = st.lists(st.sampled_from(
    ["themes:", "\n", "  ", "t:", "patterns:", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/object ",
     "'re:(?!x)'", "digital", ": ", "%", "\t", "1\t2", "---", "? ", "|", ">", "#", "\ufeff", "\x00", "é"]),
    max_size=30).map("".join) | st.text(max_size=60)


@SETTINGS
@given(yaml_text, st.sampled_from([".yaml", ".dic"]))
def test_random_files_load_or_raise_dictionary_error(tmp_path_factory, text, suffix):
    path = tmp_path_factory.mktemp("dic") / f"d{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _loads_or_dictionary_error(path)


@SETTINGS
@given(st.binary(max_size=200))
def test_random_bytes_load_or_raise_dictionary_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("dic") / "d.yaml"
    path.write_bytes(data)
    _loads_or_dictionary_error(path)


def test_a_valid_random_dictionary_round_trips():
    # the properties above must be able to succeed too: a mapping they can draw loads
    d = load_dictionary({"themes": {"t": {"patterns": ["cyber*", "re:(a+)+b"]}}})
    assert yaml.safe_load(yaml.safe_dump(d.to_dict()))["themes"]["t"]["patterns"] == ["cyber*", "re:(a+)+b"]


# --- the matcher on random text ---------------------------------------------------------------

_WORDS = ("digital divide gap cyber cybersecurity security data protection AI Al safety risk "
          "people human rights online e government no one is left behind aab ab sécurité").split()
_REGEXES = [r"re:(a+)+b", r"re:\bdata\b", r"re:(?-i:Al)\s+safety", r"re:s\pL*ité", r"re:[0-9]+",
            r"re:digital\s+(?:divide|gap)"]
_PHRASES = ["digital divide", "cyber*", "*security", "(digital|data) (divide|protection)", "(the )?gap",
            "e government", "(no one|nobody) (is )?(left )?behind", "near(data, (risk|safety), 3)",
            "human rights online", "ai", "al"]
_ODD = ["\ud800", "\udfff", "\x00", "\u2028", "\U0001f600", "\u4e2d", "e\u0301", "\u0130", "\ufeff",
        "\n\n", ". ", "-\n", "\t", "'s"]

pattern = st.sampled_from(_PHRASES + _REGEXES)
small_dictionary = st.dictionaries(
    st.sampled_from(["a", "b", "c"]),
    st.fixed_dictionaries({"patterns": st.lists(pattern, min_size=1, max_size=3, unique=True)},
                          optional={"exclude": st.lists(pattern, min_size=1, max_size=2, unique=True)}),
    min_size=1, max_size=3,
)
token = st.sampled_from(_WORDS) | st.sampled_from(_ODD) | st.sampled_from([w.upper() for w in _WORDS])
controlled_text = st.lists(token, max_size=40).flatmap(
    lambda toks: st.lists(st.sampled_from([" ", "  ", ", ", "\n", "-"]), min_size=len(toks), max_size=len(toks))
    .map(lambda seps: "".join(t + s for t, s in zip(toks, seps, strict=True))))


@SETTINGS
@given(small_dictionary, st.lists(controlled_text, min_size=1, max_size=4))
def test_matcher_agrees_with_brute_force(themes, texts):
    m = Matcher(load_dictionary({"themes": themes}))
    fast = list(m.scan(texts, chunk_chars=64))  # small chunks: several documents per chunk, or one
    assert [f.doc for f in fast] == list(range(len(texts)))
    for f, text in zip(fast, texts, strict=True):
        assert f.matches == _reference(m, text), text
        assert f.n_tokens == len(TOKEN_RE.findall(text))


@SETTINGS
@given(small_dictionary, st.lists(st.text(max_size=300), max_size=4))
def test_matcher_never_raises_on_any_text(themes, texts):
    m = Matcher(load_dictionary({"themes": themes}))
    out = list(m.scan(texts, raw=True))
    assert len(out) == len(texts)
    for dm, text in zip(out, texts, strict=True):
        for _theme, _unit, s, e in dm.matches:
            assert 0 <= s < e <= len(text)


@SETTINGS
@given(st.lists(st.sampled_from(["a", "b", "ab", "ba", "*"]), min_size=1, max_size=6).map("".join),
       st.lists(st.text("ab", min_size=1, max_size=12), min_size=1, max_size=6))
def test_globs_match_like_fnmatch(glob, tokens):
    import fnmatch

    if glob.strip("*") == "" or (glob[0] == "*" and glob[-1] == "*"):
        return  # refused by the pattern language (a glob needs a fixed start or end)
    m = Matcher(load_dictionary({"themes": {"g": {"patterns": [glob]}}}))
    text = " ".join(tokens)
    expected = sum(fnmatch.fnmatchcase(t, glob) for t in tokens)
    assert int(m.counts([text])[0][0, 0]) == expected, (glob, text)
