"""normalise_text, step by step (see the module docstring of discourse.corpus.normalise)."""

from __future__ import annotations

import pytest

from discourse.corpus import normalise_text, normalize_text
from discourse.corpus.normalise import looks_broken


def test_alias():
    assert normalize_text is normalise_text


@pytest.mark.parametrize(
    "raw,expected",
    [
        # 1. BOM, zero-width space, soft hyphen, no-break space
        ("\ufeffPeace\u00a0and secu\u00adrity\u200b.", "Peace and security."),
        # 2. mojibake (UTF-8 read as cp1252)
        (
            "the â€œdigital divideâ€\x9d and â€” more",
            "the \u201cdigital divide\u201d and \u2014 more",
        ),
        ("President RodrÃ\u00adguez spoke", "President Rodríguez spoke"),
        # 3. CRLF and bare CR
        ("one\r\ntwo.\r\rThree\rfour", "one two.\n\nThree four"),
        # 4. form feed in mid-sentence joins, after a sentence it is a paragraph break
        ("region, \n\n\x0c\nand beyond.", "region, and beyond."),
        ("the end.\n\x0c\nNext page.", "the end.\n\nNext page."),
        # 5. the not sign
        ("our pre¬decessor and world¬\nwide", "our predecessor and worldwide"),
        ("non¬interference", "non-interference"),
        # 6. hyphenation across line breaks
        ("inter-\nnational co-\noperation", "international cooperation"),
        ("self-\ndetermination", "self-determination"),  # a prefix that takes a hyphen
        ("Asia-\nPacific", "Asia-Pacific"),  # capital after the break
        (
            "peace-\nkeeping and peace-keeping",
            "peace-keeping and peace-keeping",
        ),  # spelled so elsewhere
        ("peace-\nkeeping and peacekeeping", "peacekeeping and peacekeeping"),
        ("two five-\n\n\nyear terms", "two five-year terms"),  # across blank lines
        ("pre-\nand post-war", "pre- and post-war"),  # a suspended hyphen
        ("in 1990-\n1995 and G-\n77", "in 1990-1995 and G-77"),
        (
            "well-known and multi-stakeholder",
            "well-known and multi-stakeholder",
        ),  # real compounds untouched
        # 7. Markdown asterisks and paragraph numbers
        ("the **Summit of the Future** and *Pact*", "the Summit of the Future and Pact"),
        ("end. *************** Next", "end. Next"),
        ("2 * 3", "2 * 3"),
        ("First.\n38. The next paragraph.", "First.\n\nThe next paragraph."),
        ("about 38. the rest", "about 38. the rest"),
        # page furniture between paragraphs goes; a sentence it interrupted is joined again
        (
            "the international\n\n611\n\nA/36/PV.30\n\ncommunity.\n\n01/10/2015 A/70/PV.22\n\nNext.",
            "the international community.\n\nNext.",
        ),
        ("As stated (A/47/1, para. 64).\n\n2030", "As stated (A/47/1, para. 64)."),
        # 8. wrapped lines joined, blank line = paragraph, lower-case continuation merged
        ("a wrapped\nline\n\n\n\nNew   paragraph\there", "a wrapped line\n\nNew paragraph here"),
        ("abounds in\n\ninjustices.", "abounds in injustices."),
        # 9. NFC and ligatures
        ("Cafe\u0301 ﬁnance", "Café finance"),
    ],
)
def test_steps(raw, expected):
    assert normalise_text(raw) == expected


def test_hard_wrapped_block_without_blank_lines_keeps_paragraphs():
    lines = [
        "Allow me, first of all, to congratulate you, Mr.",
        "President, on your election to the presidency of the",
        "General Assembly. Allow me also to express the warm",
        "ties that unite our two countries.",
        "We also extend our appreciation to the outgoing",
        "President for the courage and balance he showed in",
        "the course of his mandate, which we all remember.",
    ]
    out = normalise_text("\n".join(lines))
    paras = out.split("\n\n")
    assert len(paras) == 2
    assert paras[0].startswith("Allow me, first of all, to congratulate you, Mr. President, on")
    assert paras[1].startswith("We also extend")


def test_long_lines_are_paragraphs():
    para = "This is a long paragraph written on one line without wrapping. " * 5
    out = normalise_text(f"{para}\n{para}\n{para}")
    assert out.count("\n\n") == 2


def test_options():
    raw = "a **b**\nc\n38. Next"
    assert normalise_text(raw, strip_markup=False) == "a **b** c 38. Next"
    assert normalise_text(raw, join_lines=False) == "a b\nc\n\nNext"
    assert normalise_text("Cafe\u0301", unicode_form=None) == "Cafe\u0301"
    assert normalise_text("x â€œyâ€\x9d", fix_mojibake=False) == "x â€œyâ€\x9d"


def test_idempotent_and_empty():
    raw = "\ufeffThe inter-\r\nnational com¬munity\r\nmet.\r\n\r\n\x0c38. Next â€œoneâ€\x9d."
    once = normalise_text(raw)
    assert normalise_text(once) == once
    assert normalise_text("") == ""
    assert normalise_text(" \n\n ") == ""
    with pytest.raises(TypeError):
        normalise_text(b"bytes")


def test_looks_broken():
    assert looks_broken("a â€œquoteâ€")
    assert not looks_broken("a “quote” in Ålesund and São Paulo")
