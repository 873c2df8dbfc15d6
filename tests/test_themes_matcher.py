"""Matching semantics (docs/dictionaries.md) and the fast path checked against brute force."""

from __future__ import annotations

import random

import numpy as np
import pytest

from discourse.errors import DictionaryError
from discourse.text import TOKEN_RE
from discourse.themes import Matcher, load_dictionary
from discourse.themes.matcher import _trim_end


def counts(patterns, text, exclude=None, theme="t"):
    entry = {"patterns": patterns}
    if exclude:
        entry["exclude"] = exclude
    d = load_dictionary({"themes": {theme: entry}})
    mat, _ = Matcher(d).counts([text])
    return int(mat[0, 0])


def matched(patterns, text):
    d = load_dictionary({"themes": {"t": {"patterns": patterns}}})
    dm = next(Matcher(d).scan([text]))
    return [text[s:e] for _t, _u, s, e in dm.matches]


def test_words_are_case_insensitive_and_whole_tokens():
    assert counts(["divide"], "The DIVIDE, the Divide and the divides") == 2
    assert counts(["ai"], "AI, Ai and aim, said AI's") == 3
    assert counts(["5g"], "5G networks") == 1


def test_phrases_hold_across_line_breaks_hyphens_and_punctuation():
    text = "the digital\ndivide; the digital-divide; the Digital \r\n  Divide; digital, divide"
    assert counts(["digital divide"], text) == 4
    assert counts(["e-government"], "e-government, E government and e\u2010government") == 3
    assert counts(["multi stakeholder"], "multi-\nstakeholder") == 1


def test_globs_alternatives_and_optional_groups():
    assert counts(["cyber*"], "cyber, Cybersecurity, cyber-attacks and cybercrime") == 4
    assert counts(["*security"], "cybersecurity and security, not securityx") == 2
    assert counts(["(digital|technological) (divide|gap|gaps)"], "digital gaps and a technological divide") == 2
    assert matched(["communication(s)? technolog*"], "communications technology and communication technologies") == [
        "communications technology", "communication technologies"]
    assert matched(["divide between (the )?(connected|digital)"], "divide between the connected, divide between digital") == [
        "divide between the connected", "divide between digital"]
    assert matched(["(the )?(very )?digital divide"], "a very digital divide and the digital divide") == [
        "very digital divide", "the digital divide"]
    assert counts(["(no one|nobody) (is )?(left )?behind"], "no one is left behind; nobody behind") == 2


def test_longest_match_wins_and_overlaps_of_one_theme_count_once():
    assert matched(["digital", "digital divide"], "the digital divide") == ["digital divide"]
    # two patterns overlapping on 'B': the leftmost-longest is taken, the other dropped
    assert matched(["alpha beta", "beta gamma"], "alpha beta gamma") == ["alpha beta"]
    assert counts(["alpha beta", "beta gamma", "gamma delta"], "alpha beta gamma delta") == 2
    assert counts(["digital (divide|divide in access)"], "the digital divide in access") == 1
    assert matched(["digital (divide|divide in access)"], "the digital divide in access") == ["digital divide in access"]


def test_one_span_may_count_for_two_themes():
    d = load_dictionary({"themes": {"a": {"patterns": ["digital economy"]}, "b": {"patterns": ["economy"]}}})
    mat, _ = Matcher(d).counts(["the digital economy grows"])
    assert mat.tolist() == [[1, 1]]


def test_near_same_sentence_either_order_within_n_tokens():
    p = ["near(connectivity, internet, 3)"]
    assert counts(p, "Internet connectivity matters.") == 1  # adjacent, reversed
    assert counts(p, "connectivity of the internet") == 1  # two tokens between: distance 3
    assert counts(p, "connectivity of all the internet") == 0  # distance 4
    assert counts(p, "We need connectivity. The internet is here.") == 0  # two sentences
    assert counts(p, "connectivity, as well as\ninternet") == 0  # distance 4, across a line
    assert counts(p, "connectivity, as the\ninternet") == 1  # distance 3, across a line
    assert counts(p, "connectivity and\ninternet") == 1
    assert matched(p, "Rural internet and connectivity for all.") == ["internet and connectivity"]
    assert counts(["near(digital divide, (widen*|grow*), 4)"], "the digital divide keeps widening") == 1


def test_excludes_drop_overlapping_matches_only():
    p = ["connectivity"]
    ex = ["near(connectivity, (rail|road), 4)"]
    assert counts(p, "road connectivity in the region", exclude=ex) == 0
    assert counts(p, "road connectivity. Internet connectivity.", exclude=ex) == 1
    assert counts(["digital divide"], "the digital divide", exclude=["re:divide"]) == 0


def test_regex_escape_hatch():
    p = [r"re:(?-i:\bAl\b)\s+safety"]
    assert counts(p, "making Al safety a priority") == 1
    assert counts(p, "AL safety and al safety") == 0  # case-sensitive part
    assert counts([r"re:\bartificial\s+intelligence\b"], "Artificial\nIntelligence and artificial intelligence") == 2


def test_tokens_counted_like_the_tokeniser():
    texts = ["", "one", "AI's risks, multi-stakeholder\ngovernance!", "  \u00e9t\u00e9 2024 na\u00efve_x  ", "Stra\u00dfe \u0130stanbul"]
    d = load_dictionary({"themes": {"t": {"patterns": ["x"]}}})
    _, ntok = Matcher(d).counts(texts)
    assert ntok.tolist() == [len(TOKEN_RE.findall(t)) for t in texts]


def test_invalid_pattern_in_mapping_names_the_theme():
    with pytest.raises(DictionaryError, match="theme 'bad'.*unbalanced"):
        load_dictionary({"themes": {"bad": {"patterns": ["(a|b"]}}})


# --- the fast path agrees with a brute-force reference --------------------------------------

VOCAB = ("digital divide gap gaps connectivity internet broadband rail road cyber cybersecurity "
         "security of the a and data protection AI Al safety risk risks people first human rights "
         "online e government public services no one is left behind . , - \n").split(" ")


def _reference(m: Matcher, text: str):
    hits = []
    token_starts = [x.start() for x in TOKEN_RE.finditer(text)]
    for probe in m.probes:
        for p in token_starts:
            mm = probe.rx.match(text, p)
            if mm:
                hits.append((probe.unit, probe.side, p, _trim_end(text, p, mm.end())))
    for unit, rx, _lit in m.regex_units:
        for mm in rx.finditer(text):
            if mm.end() > mm.start():
                hits.append((unit, 0, mm.start(), mm.end()))
    spans = m._resolve_near(hits, text, 0, np.array(token_starts, dtype=np.int64))
    spans.sort()
    return m._select(spans)


def test_fast_path_equals_brute_force(fixtures_dir):
    d = load_dictionary(fixtures_dir / "themes" / "small.yaml")
    d2 = load_dictionary({"themes": {
        "rights": {"patterns": ["human rights (online|on the internet)", "(people|human) first"]},
        "lb": {"patterns": ["(no one|nobody) (is )?(left )?behind", "security (of|in) (the )?(internet|data)"]},
        "dp": {"patterns": ["data protection", "near((data|internet), (risk|risks), 3)"],
               "exclude": ["near(data, rail, 2)"]},
    }})
    rng = random.Random(7)
    texts = []
    for _ in range(300):
        words = [rng.choice(VOCAB) for _ in range(rng.randint(0, 60))]
        texts.append(" ".join(words).replace(" .", ".").replace(" \n ", "\n"))
        if rng.random() < 0.3:
            texts[-1] = texts[-1].title()
    for dic in (d, d2):
        m = Matcher(dic)
        # small chunks: matches must not straddle documents
        fast = list(m.scan(texts, chunk_chars=500))
        assert [f.doc for f in fast] == list(range(len(texts)))
        for f, text in zip(fast, texts, strict=True):
            assert f.matches == _reference(m, text), text
            assert f.n_tokens == len(TOKEN_RE.findall(text))
