"""Dictionary formats, validation errors (file, line, theme), terms and fingerprints."""

from __future__ import annotations

import pytest

from discourse.errors import DictionaryError
from discourse.themes import Dictionary, default_dictionary, load_dictionary

FIXED_IDS = [
    "digital_divide", "ai_safety", "governance_deficit", "cybersecurity", "data_governance",
    "digital_economy", "digital_government", "digital_culture", "inclusive_society",
    "green_digital", "cooperation", "people_centred",
]


@pytest.fixture(scope="module")
def themes_dir(fixtures_dir):
    return fixtures_dir / "themes"


def test_discourse_yaml(themes_dir):
    d = load_dictionary(themes_dir / "small.yaml")
    assert d.name == "small"
    assert d.theme_ids == ["divide", "cyber", "egov", "ai_risk"]
    t = d["divide"]
    assert t.label == "Digital divide" and t.parent == "challenges"
    assert t.patterns[0] == "digital divide" and len(t.exclude) == 1
    assert list(d.groups) == ["challenges", "remedies"]
    assert d.groups["remedies"].label == "Remedies"
    assert [th.id for th in d.themes] == d.theme_ids


def test_terms_expand_alternatives(themes_dir):
    d = load_dictionary(themes_dir / "small.yaml")
    assert d.terms("divide") == [
        "digital divide", "digital gap", "digital gaps", "technological divide",
        "technological gap", "technological gaps", "connectivity", "internet", "broadband",
    ]
    assert d.terms("cyber") == ["computer security"]  # globs give no literal term
    assert d.terms("egov") == ["e government", "digital government", "digital public services"]
    assert d.terms("ai_risk")[:2] == ["ai risk", "ai risks"]


def test_fingerprint_and_frame(themes_dir):
    d1 = load_dictionary(themes_dir / "small.yaml")
    d2 = load_dictionary(themes_dir / "small.yaml")
    assert d1.fingerprint() == d2.fingerprint() and len(d1.fingerprint()) == 64
    assert d1.subset(["divide"]).fingerprint() != d1.fingerprint()
    frame = d1.to_frame()
    assert list(frame.columns) == ["theme", "label", "parent", "description", "role",
                                   "pattern_index", "pattern", "kind", "language"]
    assert len(frame) == 3 + 1 + 2 + 2 + 2
    assert set(frame["kind"]) == {"phrase", "near", "regex"}
    assert frame.loc[frame["role"] == "exclude", "theme"].tolist() == ["divide"]


def test_mapping_roundtrip(themes_dir):
    d = load_dictionary(themes_dir / "small.yaml")
    again = load_dictionary(d.to_dict())
    assert again.fingerprint() == d.fingerprint()
    assert load_dictionary(d) is d


def test_quanteda_yaml(themes_dir):
    d = load_dictionary(themes_dir / "quanteda.yml")
    assert d.theme_ids == ["economy", "politics.domestic", "politics.foreign"]
    assert d["politics.domestic"].parent == "politics"
    assert "politics" in d.groups
    assert d["economy"].patterns == ("tax*", "budget deficit")
    assert d["politics.foreign"].compiled[1].kind == "regex"  # "peace?": one more character


def test_liwc_dic(themes_dir):
    d = load_dictionary(themes_dir / "liwc.dic")
    assert d.theme_ids == ["divide", "cyber"]
    assert d["divide"].patterns == ("digital divide", "gap")
    assert d["cyber"].patterns == ("cyber*", "hacker")


def test_liwc_unknown_category(themes_dir):
    with pytest.raises(DictionaryError) as err:
        load_dictionary(themes_dir / "bad_liwc.dic")
    assert "bad_liwc.dic" in str(err.value) and "line 6" in str(err.value)
    assert "unknown category id '2'" in str(err.value)


@pytest.mark.parametrize(
    ("name", "line", "theme", "words"),
    [
        ("bad_syntax.yaml", 5, None, "YAML syntax error"),
        ("bad_unknown_key.yaml", 4, "divide", "unknown key 'pattern'"),
        ("bad_empty.yaml", 6, "empty", "empty theme"),
        ("bad_pattern.yaml", 8, "broken", "unbalanced parentheses"),
        ("bad_near.yaml", 4, "close", "near() takes three arguments"),
        ("bad_distance.yaml", 4, "close", "whole number"),
        ("bad_regex.yaml", 4, "rx", "invalid regular expression"),
        ("bad_duplicate.yaml", 8, "divide", "duplicated theme id 'divide' (first on line 2)"),
    ],
)
def test_bad_dictionaries_name_file_line_theme(themes_dir, name, line, theme, words):
    with pytest.raises(DictionaryError) as err:
        load_dictionary(themes_dir / name)
    msg = str(err.value)
    assert msg.startswith(str(themes_dir / name) + f", line {line}")
    assert words in msg
    if theme is not None:
        assert f"theme '{theme}'" in msg
    assert err.value.line == line
    assert isinstance(err.value, ValueError)


def test_missing_file_and_bad_types(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_dictionary(tmp_path / "nope.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(DictionaryError, match="empty"):
        load_dictionary(empty)
    with pytest.raises(DictionaryError, match="must be a list of patterns"):
        load_dictionary({"themes": {"a": {"patterns": {"x": 1}}}})
    with pytest.raises(DictionaryError, match="unknown parent"):
        load_dictionary({"groups": {"g": {"label": "G"}}, "themes": {"a": {"parent": "h", "patterns": ["x"]}}})


def test_default_dictionary_contract():
    d = default_dictionary()
    assert isinstance(d, Dictionary)
    assert set(FIXED_IDS) <= set(d.theme_ids)
    assert [t for t in d.theme_ids if t in FIXED_IDS] == FIXED_IDS  # in the brief's order
    assert [t for t in d.theme_ids if t not in FIXED_IDS] == ["digital_cooperation", "digital_rights"]
    parents = {t.id: t.parent for t in d.themes}
    for tid in FIXED_IDS[:4]:
        assert parents[tid] == "challenges"
    for tid in FIXED_IDS[4:]:
        assert parents[tid] == "remedies"
    for t in d.themes:
        assert t.description.strip(), t.id
        assert d.terms(t.id), t.id
    assert default_dictionary() is d
