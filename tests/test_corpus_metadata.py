"""infer_metadata and its parts: events, dates, speakers, the scraped-article format."""

from __future__ import annotations

import datetime

import pytest

from discourse.corpus import infer_metadata, parse_article
from discourse.corpus.metadata import find_date, find_events, find_speaker

ISSUE_EXAMPLE = """Forum chair opens 2021 Digital Futures Dialogue in Nairobi

| example-news.org


Amina Otieno, chair of the Digital Futures Network (DFN), opened the 2021 Digital Futures Dialogue on November 3 with a call to close the digital divide."""


def test_issue_example():
    meta = infer_metadata(ISSUE_EXAMPLE)
    assert meta["title"] == "Forum chair opens 2021 Digital Futures Dialogue in Nairobi"
    assert meta["source"] == "example-news.org"
    assert meta["event"] == "Digital Futures Dialogue 2021"
    assert meta["event_series"] == "Digital Futures Dialogue"
    assert meta["year"] == 2021
    assert meta["date"] == datetime.date(2021, 11, 3)
    assert meta["speaker"] == "Amina Otieno"
    assert meta["organisation"] == "Digital Futures Network"
    assert meta["role"] == "chair"
    assert meta["events_mentioned"] == "Digital Futures Dialogue 2021"


@pytest.mark.parametrize(
    "text,events",
    [
        ("at the 2023 MWC Shanghai on June 28", ["MWC Shanghai 2023"]),
        ("opening the 2023 WIC Wuzhen Summit in November", ["WIC Wuzhen Summit 2023"]),
        ("at the 2019 Internet Governance Forum in Berlin", ["Internet Governance Forum 2019"]),
        (
            "the 2022 World Internet Conference Wuzhen Summit opened",
            ["World Internet Conference Wuzhen Summit 2022"],
        ),
        ("the 2019 Internet Governance Forum, which", ["Internet Governance Forum 2019"]),
        (
            "the 2021 Digital Futures Dialogue on November 3",
            ["Digital Futures Dialogue 2021"],
        ),  # no month, no "on"
        ("visitors to MWC Shanghai 2024, the show", ["MWC Shanghai 2024"]),  # name then year
        (
            "the 2020 Forum on Information Society for Development",
            ["Forum on Information Society for Development 2020"],
        ),
        (
            "the 2019 Internet Governance Forum and the 2019 Internet Governance Forum",
            ["Internet Governance Forum 2019"],
        ),
        # not events
        ("By 2030 Africa will be connected", []),
        ("the 2030 Agenda for Sustainable Development", []),
        ("In 2020 EU countries agreed", []),
        ("in 2021 Kenya launched", []),
    ],
)
def test_find_events(text, events):
    assert [e[0] for e in find_events(text)] == events


def test_event_in_title_wins_and_all_are_mentioned():
    text = (
        "Operators look back at the 2023 MWC Shanghai\n\n| telecom.example\n\n"
        "At the 2019 Internet Governance Forum few spoke of energy; at the 2023 MWC Shanghai everyone did."
    )
    meta = infer_metadata(text)
    assert meta["event"] == "MWC Shanghai 2023"
    assert meta["events_mentioned"] == "MWC Shanghai 2023; Internet Governance Forum 2019"
    meta = infer_metadata(
        "No event here\n\n| x.example\n\nAt the 2019 Internet Governance Forum and the 2023 MWC Shanghai."
    )
    assert meta["event"] == "Internet Governance Forum 2019"


@pytest.mark.parametrize(
    "text,year,expected",
    [
        ("it opened on June 28 with", 2023, (2023, 6, 28)),
        ("it opened on 28 June with", 2023, (2023, 6, 28)),
        ("on Nov. 3, delegates", 2021, (2021, 11, 3)),
        ("signed on March 5, 2019 in", None, (2019, 3, 5)),
        ("dated 2022-10-12.", None, (2022, 10, 12)),
        ("on June 28 with", None, None),  # no year known
        ("on February 30", 2023, None),  # not a date
        ("in May the forum", 2023, None),  # a month alone is no date
    ],
)
def test_find_date(text, year, expected):
    assert find_date(text, year) == expected


@pytest.mark.parametrize(
    "text,speaker,org",
    [
        (
            "Amina Otieno, chair of the Digital Futures Network (DFN), opened the forum.",
            "Amina Otieno",
            "Digital Futures Network",
        ),
        (
            '"We must act," said Li Wei, director of research at the Institute for Digital Policy, on Monday.',
            "Li Wei",
            "Institute for Digital Policy",
        ),
        (
            "According to Maria Souza, president of the Open Data Alliance (ODA), the rules work.",
            "Maria Souza",
            "Open Data Alliance",
        ),
        (
            "Speaking at the forum, Jonas Berg, chief executive of Nordlink Systems, said costs rose.",
            "Jonas Berg",
            "Nordlink Systems",
        ),
        (
            "Diego Valcárcel, chief executive of the Andes and Pacific Infrastructure Fund (APIF), spoke.",
            "Diego Valcárcel",
            "Andes and Pacific Infrastructure Fund",
        ),
        (
            "Grace Nyambura, founder of the Women in Connectivity Initiative (WICI), told delegates.",
            "Grace Nyambura",
            "Women in Connectivity Initiative",
        ),
        ("Delegates agreed, Helena Marquardt said.", "Helena Marquardt", None),
    ],
)
def test_find_speaker(text, speaker, org):
    found = find_speaker(text)
    assert found.get("speaker") == speaker
    assert found.get("organisation") == org


def test_no_speaker_from_events_or_places():
    assert find_speaker("The Internet Governance Forum, held in Berlin, said nothing.") == {}
    assert find_speaker("In November the delegates met.") == {}


def test_parse_article_shapes():
    art = parse_article("Title line\n\n| site.example\n\nBody one.\n\nBody two.")
    assert art == {
        "title": "Title line",
        "source": "site.example",
        "body": "Body one.\n\nBody two.",
    }
    assert parse_article("Just a speech.\n\nWith two paragraphs.") is None
    assert parse_article("One paragraph only") is None
    # the site line may come after a subtitle
    art = parse_article("Title\n\nA subtitle\n\n| site.example\n\nBody.")
    assert art["source"] == "site.example" and art["body"] == "A subtitle\n\nBody."


def test_plain_text_inference_and_explicit_title():
    meta = infer_metadata("Delegates met at the 2019 Internet Governance Forum on November 26.")
    assert "title" not in meta and meta["event"] == "Internet Governance Forum 2019"
    assert meta["date"] == datetime.date(2019, 11, 26)
    meta = infer_metadata("Nothing dated.", title="Report from the 2021 MWC Shanghai")
    assert meta["title"] == "Report from the 2021 MWC Shanghai" and meta["year"] == 2021
    assert infer_metadata("No metadata in this text at all.") == {}


def test_parse_article_raw_text_variants():
    # the site line right under the title, CRLF line ends, a title wrapped over two lines
    raw = "Delegates meet at the 2019\r\nInternet Governance Forum\r\n| site.example\r\n\r\nBody line one\r\nwraps here.\r\n"
    art = parse_article(raw)
    assert art["title"] == "Delegates meet at the 2019 Internet Governance Forum"
    assert art["source"] == "site.example"
    assert art["body"] == "Body line one\nwraps here."
    # without a site line: not an article, unless asked
    assert parse_article("Title\n\nBody.") is None
    assert parse_article("Title\n\nBody.", require_source=False) == {
        "title": "Title",
        "source": None,
        "body": "Body.",
    }


@pytest.mark.parametrize(
    "text,expected",
    [
        # the earliest person introduced with a role wins; an organisation ends at a full stop
        (
            '"Go," said Li Wei, director at X Lab. Later, Amina Otieno, chair of the Digital Futures Network (DFN), spoke.',
            {"speaker": "Li Wei", "organisation": "X Lab", "role": "director"},
        ),
        (
            "Maria Lopez, a professor at the University of Lagos, told reporters.",
            {"speaker": "Maria Lopez", "organisation": "University of Lagos", "role": "professor"},
        ),
        (
            "Delegates listened. UN Secretary-General Ana Example said the talks would go on.",
            {"speaker": "Ana Example"},
        ),
    ],
)
def test_find_speaker_priorities_and_titles(text, expected):
    assert find_speaker(text) == expected
