"""Hostile dictionaries: regexes that would backtrack, constructs RE2 lacks, YAML bombs (issue 13)."""

from __future__ import annotations

import shutil
import time

import pandas as pd
import pytest

from discourse.errors import DictionaryError
from discourse.themes import Matcher, default_dictionary, kwic, load_dictionary, theme_counts
from discourse.themes import dictionary as dictionary_module
from discourse.themes._patterns import RE2Regex, compile_regex


def _count(patterns, text):
    d = load_dictionary({"themes": {"t": {"patterns": patterns}}})
    mat, _ = Matcher(d).counts([text])
    return int(mat[0, 0])


def _best_time(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


# --- regexes run in linear time -----------------------------------------------------------


def test_nested_quantifier_on_a_long_line_is_fast_and_linear():
    d = load_dictionary({"themes": {"bomb": {"patterns": ["re:(a+)+b"]}}})
    m = Matcher(d)
    short, long_ = "a" * 10_000 + "!", "a" * 100_000 + "!"
    assert m.counts([short])[0].tolist() == [[0]]  # Python's re would not return in our lifetime
    t_short = _best_time(lambda: m.counts([short]))
    t_long = _best_time(lambda: m.counts([long_]))
    assert t_short < 1.0, t_short
    # linear: ten times the text, about ten times the time (quadratic would be 100)
    assert t_long < 1.0 and t_long / max(t_short, 1e-4) < 40, (t_short, t_long)
    # and it still finds what it should
    assert _count(["re:(a+)+b"], "aaab and ab, not a b") == 2


def test_kwic_query_regex_runs_on_re2():
    corpus = pd.DataFrame({"doc_id": ["x"], "text": ["a" * 20_000 + "c aab here"]})
    t = time.perf_counter()
    out = kwic(corpus, "re:(a+)+b")
    assert time.perf_counter() - t < 5
    assert out["match"].tolist() == ["aab"]


@pytest.mark.parametrize(
    ("regex", "what"),
    [
        (r"re:digital(?= divide)", "lookahead"),
        (r"re:(?<!e-)government", "lookbehind"),
        (r"re:(?<=e-)government", "lookbehind"),
        (r"re:\bAl\b(?!\s*[A-Z])", "negative lookahead"),
        (r"re:(a)\1", "backreference"),
        (r"re:(?P<x>a)(?P=x)", "backreference"),
        (r"re:(?>ab)c", "atomic group"),
        (r"re:a++b", "possessive"),
    ],
)
def test_constructs_re2_lacks_name_file_line_theme_and_what_to_do(tmp_path, regex, what):
    path = tmp_path / "mine.yaml"
    path.write_text(f"themes:\n  fine:\n    patterns: [cyber*]\n  rx:\n    patterns:\n      - digital\n      - '{regex}'\n",
                    encoding="utf-8")
    with pytest.raises(DictionaryError) as err:
        load_dictionary(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}, line 7, theme 'rx': invalid pattern"), msg
    assert what in msg and "linear time" in msg and "rewrite it without" in msg


def test_a_plain_regex_syntax_error_says_so(tmp_path):
    with pytest.raises(DictionaryError, match=r"theme 't'.*invalid regular expression"):
        load_dictionary({"themes": {"t": {"patterns": ["re:(unclosed"]}}})


def test_lone_surrogate_in_a_regex_is_refused():
    with pytest.raises(DictionaryError, match="lone surrogate"):
        load_dictionary({"themes": {"t": {"patterns": ["re:a\ud800"]}}})


def test_too_big_repetition_is_refused_not_compiled_forever():
    with pytest.raises(DictionaryError, match="linear time"):
        load_dictionary({"themes": {"t": {"patterns": ["re:((a{100}){100}){100}"]}}})


def test_built_in_dictionaries_keep_their_lookaheads_and_a_copy_still_loads(tmp_path, demo_corpus):
    d = default_dictionary()
    regexes = [p for t in d for p in t.compiled + t.compiled_exclude if p.kind == "regex"]
    assert regexes and {p.engine for p in regexes} == {"re"}
    assert any("(?!" in p.regex for p in regexes)
    # a copy of the file (an analyst's starting point) loads: its regexes are ours, verbatim,
    # so they keep Python's re, and it counts exactly as the built-in dictionary
    copy = tmp_path / "default.yaml"
    shutil.copy(dictionary_module._BUILT_IN / "default.yaml", copy)
    mine = load_dictionary(copy)
    assert mine.fingerprint() == d.fingerprint()
    pd.testing.assert_frame_equal(theme_counts(demo_corpus, mine), theme_counts(demo_corpus, d))
    # a regex the analyst edits is theirs: RE2, and a clear error for the lookahead
    text = copy.read_text(encoding="utf-8").replace("(?!\\s*-?\\s*(?-i:[A-Z]))[\\s\\-]*", "(?!\\s*(?-i:[A-Z]))[\\s\\-]*", 1)
    assert text != copy.read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    with pytest.raises(DictionaryError) as err:
        load_dictionary(copy)
    assert "theme 'ai_safety'" in str(err.value) and "negative lookahead" in str(err.value)
    # the line of the edited regex (found, not hard-coded: patterns added above it move it)
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "(?!\\s*(?-i:[A-Z]))[\\s\\-]*" in x)
    assert f", line {line}," in str(err.value)


def test_re2_semantics_case_offsets_and_odd_text():
    # case-insensitive unless (?-i:...), offsets in characters after multi-byte ones
    d = load_dictionary({"themes": {"t": {"patterns": [r"re:(?-i:Al)\s+safety", r"re:\pL+ité"]}}})
    text = "\u00e9\u4e2d\U0001f600 Al SAFETY, al safety; Sécurité \ud800 universalité"
    dm = next(Matcher(d).scan([text]))
    assert [text[s:e] for _t, _u, s, e in dm.matches] == ["Al SAFETY", "Sécurité", "universalité"]
    rx = compile_regex(r"b+", "re2")
    assert isinstance(rx, RE2Regex)
    assert [m.span() for m in rx.finditer("\U0001f600bb\ud800b", 1)] == [(1, 3), (4, 5)]
    assert rx.match("abb", 1).group() == "bb" and rx.search("aaa") is None


# --- YAML that expands, nests or weighs too much -----------------------------------------


def _laughs(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("layout", ["quanteda", "themes"])
def test_alias_bomb_is_refused_quickly(tmp_path, layout):
    text = _laughs()
    if layout == "themes":
        text = "themes:\n  t:\n    patterns: [x]\nname: n\ndescription: d\n" + "groups:\n" + "".join(
            "  " + line + "\n" for line in text.splitlines())
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    t = time.perf_counter()
    with pytest.raises(DictionaryError, match=r"bomb\.yaml, line \d+: the YAML expands to more than 200,000 values"):
        load_dictionary(path)
    assert time.perf_counter() - t < 2


def test_recursive_alias_and_deep_nesting_are_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("themes:\n  t:\n    patterns: &p [x, *p]\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="recursive alias"):
        load_dictionary(path)
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    t = time.perf_counter()
    with pytest.raises(DictionaryError, match=r"deep\.yaml, line 1: the YAML nests more than 32 levels"):
        load_dictionary(deep)
    assert time.perf_counter() - t < 5
    nested: dict = {}
    cur = nested
    for _ in range(5_000):
        cur["k"] = {}
        cur = cur["k"]
    with pytest.raises(DictionaryError, match="nest"):
        load_dictionary(nested)
    loop: dict = {"themes": {}}
    loop["themes"]["t"] = loop
    with pytest.raises(DictionaryError):
        load_dictionary(loop)


def test_aliases_a_dictionary_really_uses_still_work(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("themes:\n  a:\n    patterns: &both [digital divide, broadband]\n"
                    "  b:\n    patterns: *both\n    exclude: [rural]\n", encoding="utf-8")
    d = load_dictionary(path)
    assert d["b"].patterns == ("digital divide", "broadband")


def test_huge_file_and_huge_pattern_are_refused(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(dictionary_module.MAX_DICTIONARY_BYTES + 1)  # sparse: no 10 MB written
    t = time.perf_counter()
    with pytest.raises(DictionaryError, match=r"huge\.yaml: the file is 10,000,001 bytes"):
        load_dictionary(path)
    assert time.perf_counter() - t < 1
    with pytest.raises(DictionaryError, match="10,001 characters long"):
        load_dictionary({"themes": {"t": {"patterns": ["x" * 10_001]}}})
    with pytest.raises(DictionaryError, match="nested 21 deep"):
        load_dictionary({"themes": {"t": {"patterns": ["(" * 21 + "a" + ")" * 21]}}})


def test_globs_with_several_stars_are_linear_on_a_long_token():
    d = load_dictionary({"themes": {"g": {"patterns": ["a*b*c", "x*y*z*w"]}}, })
    d_q = load_dictionary({"q": {"t": ["a*b?c*d"]}})  # quanteda "?" terms are our own regexes
    m, m_q = Matcher(d), Matcher(d_q)
    for matcher, text in ((m, "a" + "b" * 100_000 + "q"), (m, "x" + "yz" * 50_000 + "q"),
                          (m_q, "a" + "bxc" * 30_000 + "q")):
        t = time.perf_counter()
        assert matcher.counts([text])[0].tolist() == [[0]]
        assert time.perf_counter() - t < 1  # minutes before (backtracking, quadratic or worse)
    assert m.counts(["abc, abbbc, abcbc, acbc, ab, xyzw, xyyzzzw, xzyw"])[0].tolist() == [[6]]
    assert m_q.counts(["abxcd abcd abbxcyyd"])[0].tolist() == [[2]]
