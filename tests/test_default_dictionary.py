"""The CONTENT of the default theme dictionary: it loads, its canonical phrases and the
issue's example phrases match their themes, trap phrasings do not, and on the real UN
General Debate corpus the themes move the way history says they should.

How precise each theme is was measured by reading samples in context; that is recorded
in docs/default-dictionary.md (a test cannot read). These tests pin what can be pinned.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd
import pytest

from discourse.datasets import CANONICAL_PHRASES
from discourse.themes import (
    default_dictionary,
    kwic,
    load_dictionary,
    theme_counts,
    theme_frequencies,
)

CHALLENGES = ["digital_divide", "ai_safety", "governance_deficit", "cybersecurity"]
REMEDIES = [
    "data_governance",
    "digital_economy",
    "digital_government",
    "digital_culture",
    "inclusive_society",
    "green_digital",
    "cooperation",
    "people_centred",
]


@pytest.fixture(scope="module")
def dictionary():
    return default_dictionary()


def counts_of(texts: list[str], dictionary) -> pd.DataFrame:
    """doc x theme count matrix (rows in the order of ``texts``)."""
    corpus = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    long = theme_counts(corpus, dictionary)
    wide = long.pivot(index="doc_id", columns="theme", values="count")
    return wide.loc[corpus["doc_id"], list(dictionary.theme_ids)]


def themes_matching(text: str, dictionary) -> set[str]:
    row = counts_of([text], dictionary).iloc[0]
    return {theme for theme, n in row.items() if n > 0}


# --- the file ------------------------------------------------------------------------


def test_shipped_file_loads_and_has_the_fixed_theme_ids(dictionary):
    path = resources.files("discourse.themes") / "data" / "default.yaml"
    with resources.as_file(path) as p:
        again = load_dictionary(p)
    assert again.fingerprint() == dictionary.fingerprint()
    ids = list(dictionary.theme_ids)
    for theme in CHALLENGES + REMEDIES:
        assert theme in ids
    assert ids[: len(CHALLENGES)] == CHALLENGES
    for theme in CHALLENGES:
        assert dictionary[theme].parent == "challenges"
    for theme in REMEDIES + ["digital_cooperation", "digital_rights"]:
        assert dictionary[theme].parent == "remedies"
    for theme in ids:
        assert dictionary[theme].description.strip()
        assert dictionary[theme].label.strip()
        assert dictionary.terms(theme), f"{theme} has no literal term to guide topic models"


# --- phrases that must match -----------------------------------------------------------


def test_each_canonical_phrase_matches_exactly_its_theme(dictionary):
    """The synthetic corpus plants these phrases amid neutral filler: each must count
    once for its theme and for no other theme (datasets.CANONICAL_PHRASES contract)."""
    themes = list(CANONICAL_PHRASES)
    texts = [
        f"the river and the stone {CANONICAL_PHRASES[t]} lantern of the garden" for t in themes
    ]
    wide = counts_of(texts, dictionary)
    for i, theme in enumerate(themes):
        row = wide.iloc[i]
        assert row[theme] == 1, f"{CANONICAL_PHRASES[theme]!r} does not match {theme}"
        others = {t: int(n) for t, n in row.items() if t != theme and n}
        assert not others, f"{CANONICAL_PHRASES[theme]!r} also matches {others}"


def test_issue_example_phrases_count_and_show_in_kwic(dictionary):
    article = (
        "Speakers at the forum warned that the digital divide is widening. They also "
        "discussed the safety risks of artificial intelligence, and several called for "
        "action on a global digital governance deficit that leaves no one in charge."
    )
    corpus = pd.DataFrame({"doc_id": ["article"], "text": [article]})
    counts = theme_counts(corpus, dictionary).set_index("theme")["count"]
    for theme in ("digital_divide", "ai_safety", "governance_deficit"):
        assert counts[theme] >= 1, theme
        lines = kwic(corpus, theme, dictionary=dictionary)
        assert len(lines) >= 1
    shown = " ".join(kwic(corpus, "ai_safety", dictionary=dictionary)["match"])
    assert "artificial intelligence" in shown


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("the safety risks of artificial intelligence", "ai_safety"),
        ("the risks posed by AI to democracy", "ai_safety"),
        ("AI safety institutes", "ai_safety"),
        ("making Al safe for everyone", "ai_safety"),  # OCR "Al" for "AI" (2023 files)
        ("we may avoid the perils of Al by working together", "ai_safety"),
        ("a ban on lethal autonomous weapons systems", "ai_safety"),
        ("generative AI could spread disinformation at scale", "ai_safety"),
        ("to close the digital gap between nations", "digital_divide"),
        ("half of humanity has no access to the Internet", "digital_divide"),
        ("affordable broadband for rural schools", "digital_divide"),
        ("affordable connectivity for our islands", "digital_divide"),
        ("cyberspace has become lawless", "governance_deficit"),
        ("a legal vacuum for artificial intelligence", "governance_deficit"),
        ("the fragmentation of the Internet", "governance_deficit"),
        ("cyber-attacks on our hospitals", "cybersecurity"),
        ("the right to privacy in the digital age", "data_governance"),
        ("cross-border data flows", "data_governance"),
        ("the fourth industrial revolution", "digital_economy"),
        ("e-commerce platforms", "digital_economy"),
        ("digital public infrastructure", "digital_government"),
        ("linguistic diversity in the digital age", "digital_culture"),
        ("digital literacy for older persons", "inclusive_society"),
        ("the green and digital transition", "green_digital"),
        ("the Global Digital Compact", "digital_cooperation"),
        ("norms of responsible State behaviour in cyberspace", "digital_cooperation"),
        ("multilateralism", "cooperation"),
        ("human rights apply online as they do offline", "digital_rights"),
        ("a human-centric approach to artificial intelligence", "digital_rights"),
    ],
)
def test_plain_expressions_match(dictionary, text, theme):
    assert theme in themes_matching(text, dictionary)


# --- traps that must not match ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("We will improve rail connectivity between ports.", "digital_divide"),
        ("regional connectivity through roads and energy corridors", "digital_divide"),
        ("the North-South divide", "digital_divide"),
        ("the gender gap in wages", "digital_divide"),
        ("landlocked countries need access to the sea", "digital_divide"),
        ("they gained access to new technologies", "digital_divide"),
        ("Prayers at the Al-Aqsa mosque were interrupted.", "ai_safety"),
        ("the threat of Al-Qaida", "ai_safety"),
        ("His Highness Sheikh Jaber AI-Ahmad, who faced great danger", "ai_safety"),  # OCR of "Al-"
        ("AI will transform agriculture.", "ai_safety"),
        ("the global governance deficit in finance", "governance_deficit"),
        ("we live in a fragmented world", "governance_deficit"),
        ("the right to privacy of the home", "data_governance"),
        ("We publish data on arms transfers.", "data_governance"),
        ("the Government of Chile", "digital_government"),
        ("a culture of peace through social media", "digital_culture"),
        ("climate-smart agriculture", "green_digital"),
        ("climate change, the digital revolution and migration", "green_digital"),
        ("scientific and technological cooperation", "digital_cooperation"),
        ("multi-stakeholder partnerships for health", "digital_cooperation"),
        ("multilateral cooperation on trade", "digital_cooperation"),
        ("a people-centred approach to development", "digital_rights"),
    ],
)
def test_traps_do_not_match(dictionary, text, theme):
    assert theme not in themes_matching(text, dictionary)


# --- the real corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def ungdc_by_year(ungdc_corpus, dictionary):
    return theme_frequencies(ungdc_corpus, dictionary, by="year", n_boot=20, seed=0)


def _share(freq: pd.DataFrame, theme: str) -> pd.Series:
    rows = freq[freq["theme"] == theme]
    return pd.Series(rows["share_docs"].to_numpy(), index=rows["year"].astype(int).to_numpy())


def test_ungdc_ai_safety_2024_above_every_year_before_2017(ungdc_by_year):
    share = _share(ungdc_by_year, "ai_safety")
    before = share[share.index < 2017]
    assert len(before) == 2017 - 1946
    assert share[2024] > before.max()
    assert share[2024] > 0.1  # dozens of 2024 speeches speak of AI risks


def test_ungdc_digital_divide_2000_above_1999_and_2010(ungdc_by_year):
    share = _share(ungdc_by_year, "digital_divide")
    assert share[2000] > share[1999]
    assert share[2000] > share[2010]


def test_ungdc_theme_counts_cover_the_readme_reference_phrases(ungdc_by_year):
    """The README counts speeches containing "digital divide" (20 in 2000, 16 in 2024):
    the theme, which includes that phrase, must be in at least as many."""
    rows = ungdc_by_year.set_index(["theme", "year"])["docs_with_theme"]
    assert rows[("digital_divide", 2000)] >= 20
    assert rows[("digital_divide", 2024)] >= 16
    # no theme is dead on 79 sessions of UN speeches
    totals = ungdc_by_year.groupby("theme")["docs_with_theme"].sum()
    assert (totals > 0).all(), totals[totals == 0]


def test_shipped_validity_figures_belong_to_the_shipped_dictionary():
    """A change of the default dictionary must be re-scored (make validate) before it ships."""
    from discourse.themes import default_dictionary
    from discourse.validation import MISSION_THEMES, shipped_scores

    scores = shipped_scores()
    assert set(scores["fingerprint"]) == {default_dictionary().fingerprint("en")}, "run `make validate`"
    assert set(scores["split"]) == {"development", "held_out", "test"}
    assert set(scores["theme"]) == set(MISSION_THEMES)
    # precision is undefined (NA) where the dictionary predicts no unit of a split, as for
    # ai_safety on round 4; every defined figure lies in its interval
    scored = scores.dropna(subset=["precision"])
    assert len(scored) >= len(scores) - 1
    assert ((scored["precision_low"] <= scored["precision"]) & (scored["precision"] <= scored["precision_high"])).all()


# --- issue 9: phrasing families added for recall (sentences written for the test) -------


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        # digital_divide: access lacking, unequal or to be widened
        ("Two billion people still lack internet access in their homes.", "digital_divide"),
        ("Our outer islands remain without broadband to this day.", "digital_divide"),
        ("Too many families lack access to computers or the Internet.", "digital_divide"),
        ("We call for equitable access to artificial intelligence tools.", "digital_divide"),
        # digital_divide: goals stated for all
        ("Digital services must be accessible to all citizens, wherever they live.", "digital_divide"),
        ("Whole regions of our continent remain poorly connected.", "digital_divide"),
        ("Let us build digital bridges between continents.", "digital_divide"),
        ("Our programme brings tablets and internet to remote communities and older persons.", "digital_divide"),
        # digital_divide: developing countries + support + digital, both orders
        ("We must help least developed countries take part in the digital economy.", "digital_divide"),
        ("We will provide technical assistance to small island developing States for their digital transformation.",
         "digital_divide"),
        ("The digital chasm between rich and poor nations keeps growing.", "digital_divide"),
        ("We want small island developing States to benefit from artificial intelligence too.", "digital_divide"),
        # ai_safety: safeguards and rights-based harms further from the AI words
        ("Artificial intelligence, like every powerful tool, must be developed and deployed ethically.", "ai_safety"),
        ("We cannot allow algorithms that shape what millions read to amplify disinformation.", "ai_safety"),
        ("Artificial intelligence must never become an instrument used by the powerful to suppress dissent.",
         "ai_safety"),
        ("Artificial intelligence must not be allowed to replace human labour wholesale.", "ai_safety"),
        # governance_deficit: international rules called for further from the digital word
        ("Artificial intelligence carries great promise, yet it demands clear international rules before it is too late.",
         "governance_deficit"),
        ("We are working to shape common norms for behaviour in cyberspace.", "governance_deficit"),
        ("The benefits of artificial intelligence are undermined by the absence of binding regulation across borders.",
         "governance_deficit"),
        ("Brazil proposes a civil framework for the governance and use of the Internet.", "governance_deficit"),
        ("We support the negotiation of a United Nations convention on cybercrime.", "governance_deficit"),
        ("The time has come for a Digital Geneva Convention.", "governance_deficit"),
        ("We welcome the General Assembly resolution on artificial intelligence.", "governance_deficit"),
        ("A global digital architecture must rest on shared principles.", "governance_deficit"),
        ("We support the Secretary-General's Envoy on Technology.", "governance_deficit"),
    ],
)
def test_issue9_families_match(dictionary, text, theme):
    assert theme in themes_matching(text, dictionary)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        # digital_divide: no digital word, or access with no gap or digital object
        ("Developing countries need support to expand their exports of coffee.", "digital_divide"),
        ("Our villages lack access to clean water.", "digital_divide"),
        ("Our new port is poorly lit at night.", "digital_divide"),
        ("Our rural areas need roads and clinics.", "digital_divide"),
        ("The World Bank report Digital Dividends was published in 2016.", "digital_divide"),
        ("We support developing countries in building ports and roads.", "digital_divide"),
        # ai_safety: automation alone is not AI; AI named with benefits only
        ("Automation has displaced human labour in our textile mills.", "ai_safety"),
        ("Artificial intelligence will help our farmers plan their harvests and predict the rains.", "ai_safety"),
        # governance_deficit: non-digital conventions, national law, accession to existing rules
        ("We call on Israel to respect the Fourth Geneva Convention.", "governance_deficit"),
        ("We call on all States to accede to the Council of Europe Convention on Cybercrime.", "governance_deficit"),
        ("The lack of international regulation of banks caused the financial crisis.", "governance_deficit"),
        ("We adopted a national law on data protection.", "governance_deficit"),
    ],
)
def test_issue9_traps_do_not_match(dictionary, text, theme):
    assert theme not in themes_matching(text, dictionary)


# --- recall revision of 3 December 2026 (issue 9): families from development misses ----
# (sentences written for the test; see docs/default-dictionary.md)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        # digital_divide
        ("We are committed to strengthening cooperation on AI capacity-building.", "digital_divide"),
        ("Donors should direct more development assistance to information and communication technologies.",
         "digital_divide"),
        ("Only a privileged few have shared in the benefits of the information revolution.", "digital_divide"),
        ("Half of our citizens still do not have access to the Internet at home.", "digital_divide"),
        ("Every child deserves access to online learning.", "digital_divide"),
        ("The programme provides affordable telecommunications services.", "digital_divide"),
        ("The Government brought the Internet, along with new roads, schools and clinics, to rural communities in the north.",
         "digital_divide"),
        ("Students will receive free laptops.", "digital_divide"),
        ("We will extend broadband to every village of the country.", "digital_divide"),
        ("Small countries risk falling behind in the digital revolution.", "digital_divide"),
        ("Internet penetration remains low in our islands.", "digital_divide"),
        ("The benefits of artificial intelligence must be distributed fairly among nations.", "digital_divide"),
        ("Broadband access is a prerequisite for development.", "digital_divide"),
        ("We thank our development partners for their support to our ICT sector.", "digital_divide"),
        ("We call for the participation of developing countries in the digital economy.", "digital_divide"),
        # ai_safety
        ("Artificial intelligence can be a tool for good or for ill.", "ai_safety"),
        ("We must prevent AI-driven wars.", "ai_safety"),
        ("Nobody wants Al-driven wars.", "ai_safety"),  # OCR "Al" for "AI" (2023 files)
        # governance_deficit
        ("The high-level advisory body on Al will report next year.", "governance_deficit"),
        ("We look forward to progress on Al governance.", "governance_deficit"),
        ("Together with partners we seek a process leading to a ban on killer robots.", "governance_deficit"),
        ("Frameworks are needed to regulate autonomous systems.", "governance_deficit"),
        ("We need a clear understanding of how international law applies to cyberspace.", "governance_deficit"),
    ],
)
def test_recall_revision_families_match(dictionary, text, theme):
    assert theme in themes_matching(text, dictionary)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        # digital_divide: networks with no equity framing (codebook 0), look-alikes without a digital word
        ("we invest in digital connectivity for our islands", "digital_divide"),
        ("Ninety per cent of our people have mobile phone connectivity.", "digital_divide"),
        ("We are strengthening the fibre of peace in all corners of our planet.", "digital_divide"),
        ("The World Bank supports our coffee sector.", "digital_divide"),
        ("Our farmers are falling behind in exports.", "digital_divide"),
        # ai_safety: war named near AI without harm from AI
        ("Artificial intelligence will change how the history of past wars is written.", "ai_safety"),
        # governance_deficit: domestic regulation, breached norms, opposing regulation, "Al" as a name
        ("We returned to robust domestic regulation of markets and data.", "governance_deficit"),
        ("Cyberattacks are a breach of international law.", "governance_deficit"),
        ("We do not support more regulation and censorship in cyberspace.", "governance_deficit"),
        ("The panel on Al Qaida sanctions met in June.", "governance_deficit"),
    ],
)
def test_recall_revision_traps_do_not_match(dictionary, text, theme):
    assert theme not in themes_matching(text, dictionary)


# --- precision revision of governance_deficit (issue 9), sentences written for the tests ---


@pytest.mark.parametrize(
    "text",
    [
        # new or emerging technologies still count when AI or a digital field is named as the example
        "We must agree on an ethical framework for emerging technologies, such as artificial intelligence.",
        "The world needs rules to govern frontier technologies, including AI, before harm is done.",
        # the Pact / Summit of the Future with its digital part named
        "We welcome the Pact for the Future and its annex on digital cooperation.",
        "At the Summit of the Future we adopted a compact for our digital future.",
        # norms of responsible State behaviour built or supported, not only invoked
        "We must develop norms of responsible State behaviour in cyberspace.",
        "We support the Open-Ended Working Group on ICTs and its work on norms.",
        # regulation of the internet called for, freedom named but not as a restriction
        "We call for international rules for the Internet that protect freedom of expression.",
        # upper-case AI still counts
        "We need international rules for AI.",
        # digital platforms and data flows still count where they are named as digital
        "Global rules for online platforms are overdue.",
        "We call for international rules on cross-border data flows.",
    ],
)
def test_gd_precision_revision_positives_still_count(dictionary, text):
    assert "governance_deficit" in themes_matching(text, dictionary)


@pytest.mark.parametrize(
    "text",
    [
        # new or emerging technologies with no digital field named (codebook: not the digital domain)
        "Our leader called for norms for the safe use of emerging technologies.",
        "Multilateralism must address climate change, trade and regulating new technologies.",
        "New technologies, if left unregulated, help criminals move money.",
        # the Pact / Summit of the Future with no digital part named
        "The Summit of the Future showed that digital transformation drives growth.",
        "The adoption of the Pact for the Future and its annexes gives us hope.",
        # agreed norms invoked as existing, or breached
        "The agreed framework of responsible State behaviour in cyberspace guides our conduct.",
        "The attack was a clear breach of the norms of responsible State behaviour in cyberspace.",
        # a UN norm-making body only mentioned
        "Our ambassador is chair of the open-ended working group on ICTs.",
        "We are mindful of the work of the Group of Governmental Experts on cyber issues.",
        # regulation warned against as restricting internet freedom
        "New rules at the telecommunication union must not lead to the restriction of internet freedom.",
        # statistics and political platforms are not the digital domain
        "The United Nations framework for collecting data on migration has improved.",
        "We agreed on common principles and platforms of solidarity.",
        # lower-case "ai" (OCR noise) or a name is not AI
        "The treaty signed by Emir Ai with the neighbouring kingdom held.",
    ],
)
def test_gd_precision_revision_traps_do_not_match(dictionary, text):
    assert "governance_deficit" not in themes_matching(text, dictionary)
