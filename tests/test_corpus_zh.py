"""Chinese, traditional-Chinese and bilingual corpora (issue 11): language, encoding, dates,
events and speakers, on fixtures written byte for byte in UTF-8, GB18030 and Big5
(tests/fixtures/zh/make_fixtures.py)."""

from __future__ import annotations

import datetime
import importlib.util
import random
from pathlib import Path

import pandas as pd
import pytest

from discourse.cli import main
from discourse.corpus import CORPUS_COLUMNS, infer_metadata, load_corpus, normalise_text
from discourse.corpus.metadata import EVENT_ALIASES, find_date, find_events, find_speaker, opening
from discourse.corpus.readers import decode_document
from discourse.errors import CorpusError
from discourse.language import MIXED_SHARE, detect_language

ZH = Path(__file__).parent / "fixtures" / "zh"
CORPUS_FIX = Path(__file__).parent / "fixtures" / "corpus"


def _make_fixtures():
    spec = importlib.util.spec_from_file_location("make_fixtures", ZH / "make_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def zh_corpus() -> pd.DataFrame:
    return load_corpus(ZH).set_index("doc_id")


def test_fixtures_are_what_this_script_writes():
    for name, data in _make_fixtures().fixture_bytes().items():
        assert (ZH / name).read_bytes() == data, f"run tests/fixtures/zh/make_fixtures.py ({name})"


# --- language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,code",
    [
        ("世界互联网大会乌镇峰会在浙江乌镇开幕，人工智能安全成为讨论的焦点。", "zh"),
        ("世界網際網路大會烏鎮峰會在浙江烏鎮開幕，人工智慧安全成為討論的焦點。", "zh"),
        (
            "The minister said that the digital divide is closing, and that the rules for "
            "artificial intelligence must be written together, in the open, by all of us.",
            "en",
        ),
        (
            "Monsieur le Président, je voudrais tout d'abord vous féliciter pour votre élection "
            "à la présidence de cette Assemblée et remercier votre prédécesseur.",
            "fr",
        ),
        (
            "Señor Presidente, quisiera en primer lugar felicitarle por su elección. Nuestro país "
            "cree en la cooperación internacional y en el desarrollo sostenible.",
            "es",
        ),
        (
            "Господин Председатель, позвольте поздравить вас с избранием на этот пост. Россия "
            "выступает за укрепление международного сотрудничества.",
            "ru",
        ),
        (
            "السيد الرئيس، اسمحوا لي أن أهنئكم على انتخابكم رئيسا للجمعية العامة. إن بلادي تؤمن "
            "بالتعاون الدولي.",
            "ar",
        ),
        ("人工智能的安全性について、世界インターネット会議で議論が行われました。", "ja"),
        (
            "人工智能安全是国际社会共同关注的问题。 AI safety is a question for the whole "
            "international community.",
            "mixed",
        ),
        ("", "und"),
        ("OK 2023", "und"),
        ("12345 67890 !!!", "und"),
    ],
)
def test_detect_language(text, code):
    assert detect_language(text) == code
    assert detect_language(text) == code  # deterministic


def test_mixed_threshold_is_a_share_of_weighted_letters():
    english = "The summit closed with a call for more dialogue on safety. " * 10  # ~470 letters
    # one Han character weighs three letters: 30 characters = 90 of ~560 (16 %), 60 = 180 (28 %)
    assert detect_language("峰会" * 15 + " " + english) == "en"
    assert detect_language("峰会" * 30 + " " + english) == "mixed"
    assert MIXED_SHARE == 0.2
    # a Chinese article that names a few English things is Chinese
    assert detect_language("MWC上海开幕，5G-A与AI成为焦点，运营商展示了新的网络技术和应用场景。") == "zh"


def test_language_samples_a_bounded_part_of_long_texts():
    # a long English text whose middle third is Chinese: the sample sees both
    long = "We met to talk about the rules of the internet. " * 200
    mid = "我们讨论了互联网的规则和人工智能的安全问题。" * 200
    assert detect_language(long + mid + long) == "mixed"


# --- encodings --------------------------------------------------------------------------------


def test_encodings_are_detected_and_recorded(zh_corpus):
    enc = zh_corpus["encoding"].to_dict()
    assert enc == {
        "mwc-2024-hant.big5": "big5",
        "mwc-2024-hant.utf8": "utf-8",
        "speech-1984-recalled": "utf-8",
        "wic-2023-bilingual.gb18030": "gb18030",
        "wic-2023-bilingual.utf8": "utf-8",
        "wic-2023-zh.gb18030": "gb18030",
        "wic-2023-zh.utf8": "utf-8",
    }
    # the same text whatever its encoding: nothing destroyed
    for stem in ("wic-2023-zh", "wic-2023-bilingual"):
        assert zh_corpus.loc[f"{stem}.gb18030", "text"] == zh_corpus.loc[f"{stem}.utf8", "text"]
    assert zh_corpus.loc["mwc-2024-hant.big5", "text"] == zh_corpus.loc["mwc-2024-hant.utf8", "text"]
    assert "乌镇" in zh_corpus.loc["wic-2023-zh.gb18030", "text"]
    assert "運營商" in zh_corpus.loc["mwc-2024-hant.big5", "text"]


def test_chinese_bytes_are_never_read_as_a_western_code_page():
    fx = _make_fixtures()
    for text in (fx.WIC_ZH, fx.MWC_HANT):
        for enc in ("gb18030", "gbk", "big5"):
            try:
                data = text.encode(enc)
            except UnicodeEncodeError:
                continue  # a simplified character Big5 does not have
            got, used = decode_document(data)
            assert got == text and used in ("gb18030", "big5"), (enc, used)
    # short texts too, where detectors guess wildly (a 36-byte GBK title)
    for text, enc, want in (
        ("世界互联网大会秘书长任贤良出席开幕式", "gbk", "gb18030"),
        ("世界網路大會秘書長出席開幕式", "big5", "big5"),
        ("乌镇峰会开幕", "gb18030", "gb18030"),
    ):
        assert decode_document(text.encode(enc)) == (text, want)


def test_a_few_broken_bytes_do_not_make_chinese_mojibake(caplog):
    data = _make_fixtures().WIC_ZH.encode("gb18030")
    broken = data[:100] + b"\xff" + data[100:]  # a byte no encoding of Chinese has there
    text, enc = decode_document(broken)
    assert enc == "gb18030" and text.count("\ufffd") == 1 and "乌镇峰会" in text
    assert "replaced by U+FFFD" in caplog.text
    # many broken bytes: not Chinese any more (undecodable or a Western code page)
    junk = b"\xff".join(data[i : i + 7] for i in range(0, len(data), 7))
    try:
        assert decode_document(junk)[1] != "gb18030"
    except Exception as err:  # noqa: BLE001 - undecodable is a fine answer
        assert "not UTF-8" in str(err)


def test_western_files_stay_cp1252_and_mojibake_is_still_repaired(tmp_path):
    df = load_corpus(CORPUS_FIX / "cp1252.txt")
    assert df.loc[0, "text"] == "Café débat \u201cquoted\u201d \u2013 cp1252."
    assert df.loc[0, "encoding"] == "cp1252" and df.loc[0, "language"] == "und"  # too short
    smart = (
        "\u201cThe digital divide is closing,\u201d the minister said \u2013 but the caf\u00e9s "
        "of the capital still charge too much for an hour online, and that is what the "
        "people of the country see every day."
    )
    p = tmp_path / "smart.txt"
    p.write_bytes(smart.encode("cp1252"))
    df = load_corpus(p)
    assert df.loc[0, "text"] == smart
    assert (df.loc[0, "encoding"], df.loc[0, "language"]) == ("cp1252", "en")
    # UTF-8 read as cp1252 somewhere upstream: ftfy still repairs it
    p = tmp_path / "moji.txt"
    p.write_text("The \u00e2\u20ac\u0153digital divide\u00e2\u20ac\u009d in S\u00c3\u00a3o Paulo.", encoding="utf-8")
    df = load_corpus(p)
    assert df.loc[0, "text"] == "The \u201cdigital divide\u201d in São Paulo."
    assert df.loc[0, "encoding"] == "utf-8"


def test_other_non_latin_encodings_are_detected():
    ru = (
        "Господин Председатель, позвольте поздравить вас с избранием на этот пост. Россия "
        "выступает за укрепление международного сотрудничества."
    )
    text, enc = decode_document(ru.encode("cp1251"))
    assert text == ru and enc == "cp1251"


def test_junk_and_western_text_are_not_taken_for_chinese():
    # bytes that GB18030 decodes (almost any double-byte run) but that are no text
    data = b"line one\n" + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 40
    with pytest.raises(Exception, match="not UTF-8, cp1252 or latin-1 text"):
        decode_document(data)
    # Western words with accents and curly quotes, in cp1252: never Chinese
    rng = random.Random(11)
    words = ["café", "naïve", "“quoted”", "São", "Zürich", "déjà", "año", "façade", "the", "of", "rôle", "–"]
    for _ in range(300):
        text = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 40))) + " déjà"
        assert decode_document(text.encode("cp1252")) == (text, "cp1252"), text


def test_encoding_option_overrides_and_reaches_tables(tmp_path, capsys):
    big5 = ZH / "mwc-2024-hant.big5.txt"
    df = load_corpus(big5, encoding="big5")
    assert df.loc[0, "encoding"] == "big5" and df.loc[0, "speaker"] == "劉明哲"
    with pytest.raises(CorpusError, match="cannot be decoded as utf-8"):
        load_corpus(big5, encoding="utf-8")
    table = tmp_path / "t.csv"
    table.write_bytes("doc_id,text\na,2023年世界互联网大会乌镇峰会在浙江乌镇开幕。\n".encode("gb18030"))
    df = load_corpus(table)
    assert df.loc[0, "text"].startswith("2023年世界互联网大会") and df.loc[0, "encoding"] == "gb18030"
    assert df.loc[0, "language"] == "zh"
    assert load_corpus(table, encoding="gb18030").loc[0, "encoding"] == "gb18030"
    # the command line's --encoding
    assert main(["info", str(big5), "--encoding", "big5"]) == 0
    assert main(["info", str(big5), "--encoding", "utf-8"]) == 2
    assert "cannot be decoded as utf-8" in capsys.readouterr().err


# --- the language column -----------------------------------------------------------------------


def test_language_column_is_canonical_and_overridable(zh_corpus, tmp_path):
    assert CORPUS_COLUMNS[-1] == "language"
    assert zh_corpus["language"].to_dict() == {
        "mwc-2024-hant.big5": "zh",
        "mwc-2024-hant.utf8": "zh",
        "speech-1984-recalled": "en",
        "wic-2023-bilingual.gb18030": "mixed",
        "wic-2023-bilingual.utf8": "mixed",
        "wic-2023-zh.gb18030": "zh",
        "wic-2023-zh.utf8": "zh",
    }
    # a table's language column wins; empty cells are detected
    table = tmp_path / "t.csv"
    table.write_text(
        "doc_id,text,language\n"
        "a,Le sommet s'est ouvert à Wuzhen avec un appel au dialogue sur la sécurité.,fr-CA\n"
        "b,Le sommet s'est ouvert à Wuzhen avec un appel au dialogue sur la sécurité de l'IA.,\n",
        encoding="utf-8",
    )
    df = load_corpus(table)
    assert df["language"].tolist() == ["fr-CA", "fr"]
    # a sidecar overrides the detected language
    src = tmp_path / "folder"
    src.mkdir()
    (src / "a.txt").write_bytes((ZH / "wic-2023-bilingual.utf8.txt").read_bytes())
    (src / "metadata.csv").write_text("file,language\na.txt,zh\n", encoding="utf-8")
    assert load_corpus(src).loc[0, "language"] == "zh"


# --- Chinese articles: events, dates, speakers -----------------------------------------------------


def test_chinese_articles_in_every_encoding(zh_corpus):
    wic = "World Internet Conference Wuzhen Summit"
    for doc in ("wic-2023-zh.utf8", "wic-2023-zh.gb18030"):
        row = zh_corpus.loc[doc]
        assert row["source"] == "eastlake-observer.example"
        assert (row["event"], row["event_series"], row["year"]) == (f"{wic} 2023", wic, 2023)
        assert row["date"] == pd.Timestamp("2023-11-08")  # the dateline's 11月8日, the event's year
        assert (row["speaker"], row["organisation"], row["role"]) == ("陈雨欣", "东湖互联网研究院", "院长")
        assert row["events_mentioned"] == f"{wic} 2023"  # "2019年她曾在这里" is no event
    for doc in ("mwc-2024-hant.big5", "mwc-2024-hant.utf8"):
        row = zh_corpus.loc[doc]
        assert (row["event"], row["event_series"]) == ("MWC Shanghai 2024", "MWC Shanghai")
        assert row["date"] == pd.Timestamp("2024-06-26")
        assert (row["speaker"], row["organisation"], row["role"]) == ("劉明哲", "太平洋運營商集團", "首席戰略官")


def test_bilingual_article_is_one_event(zh_corpus):
    for doc in ("wic-2023-bilingual.utf8", "wic-2023-bilingual.gb18030"):
        row = zh_corpus.loc[doc]
        # the Chinese and the English name give the same event
        assert row["events_mentioned"] == "World Internet Conference Wuzhen Summit 2023"
        assert row["date"] == pd.Timestamp("2023-11-10")
        assert row["speaker"] == "王立群"  # introduced first, in Chinese


@pytest.mark.parametrize(
    "text,events",
    [
        ("2023年世界互联网大会乌镇峰会在浙江乌镇开幕", ["World Internet Conference Wuzhen Summit 2023"]),
        ("２０２３年世界互聯網大會烏鎮峰會開幕", ["World Internet Conference Wuzhen Summit 2023"]),
        ("2024 MWC上海6月26日开幕", ["MWC Shanghai 2024"]),
        ("在2024年MWC 上海期间", ["MWC Shanghai 2024"]),
        ("MWC上海2024展示了新技术", ["MWC Shanghai 2024"]),
        ("2019年互联网治理论坛在柏林举行", ["Internet Governance Forum 2019"]),
        # a name that is not in the table keeps its Chinese name
        ("2023年中国国际数字经济博览会开幕", ["中国国际数字经济博览会 2023"]),
        # a known name followed by more name is another event
        ("出席2022年世界互联网大会数字文明尼山对话", ["世界互联网大会数字文明尼山对话 2022"]),
        # years that are not events
        ("2023年是关键的一年", []),
        ("2023年11月9日电", []),
    ],
)
def test_find_events_chinese(text, events):
    assert [e[0] for e in find_events(text)] == events


def test_event_aliases_match_the_english_demo_series(demo_corpus):
    series = set(demo_corpus["event_series"].dropna())
    for name in ("World Internet Conference Wuzhen Summit", "MWC Shanghai", "Internet Governance Forum"):
        assert name in series
        assert name in EVENT_ALIASES.values()


@pytest.mark.parametrize(
    "text,year,expected",
    [
        ("2023年11月9日电", None, (2023, 11, 9)),
        ("11月9日", 2023, (2023, 11, 9)),
        ("11月9日", None, None),  # no year known
        ("二〇二三年十一月九日", None, (2023, 11, 9)),
        ("２０２３年１１月９日", None, (2023, 11, 9)),
        ("三月三十一日", 2024, (2024, 3, 31)),
        ("2月30日", 2023, None),  # not a date
    ],
)
def test_find_date_chinese(text, year, expected):
    assert find_date(text, year) == expected


def test_chinese_date_takes_the_year_from_the_title():
    meta = infer_metadata("东湖论坛2023：数字治理的新问题\n\n| x.example\n\n11月9日，东湖论坛在武汉举行。")
    assert meta["date"] == datetime.date(2023, 11, 9)


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "会上，世界互联网大会秘书长任贤良出席并致辞。",
            {"speaker": "任贤良", "role": "秘书长", "organisation": "世界互联网大会"},
        ),
        (
            "任贤良（世界互联网大会秘书长）出席开幕式。",
            {"speaker": "任贤良", "role": "秘书长", "organisation": "世界互联网大会"},
        ),
        (
            "中国工业和信息化部部长 金壮龙出席开幕式。",
            {"speaker": "金壮龙", "role": "部长", "organisation": "中国工业和信息化部"},
        ),
        (
            "据东湖互联网研究院副院长王立群介绍，",
            {"speaker": "王立群", "role": "副院长", "organisation": "东湖互联网研究院"},
        ),
        ("秘书长表示会议圆满成功。", {}),  # a role without a name
    ],
)
def test_find_speaker_chinese(text, expected):
    assert find_speaker(text) == expected


# --- dates come from the title or the opening, in every language -----------------------------------


def test_a_recalled_date_is_not_the_date_of_a_speech(zh_corpus, tmp_path):
    # plain text: no title, no event; "on the 3rd of October, 1984" is in the second sentence
    assert pd.isna(zh_corpus.loc["speech-1984-recalled", "date"])
    speech = _make_fixtures().SPEECH
    for options in ({"infer": True}, {"format": "articles"}):
        df = load_corpus(ZH / "speech-1984-recalled.txt", **options)
        assert pd.isna(df.loc[0, "date"]), options
    assert "date" not in infer_metadata(normalise_text(speech))
    assert opening(normalise_text(speech)).endswith("to this Assembly.")


def test_dates_from_the_opening_title_and_dateline():
    body = (
        "BEIJING, Nov. 9 (Xinhua) -- The 2023 World Internet Conference Wuzhen Summit heard "
        "calls for AI safety. Delegates recalled the first summit of November 16, 2014."
    )
    assert infer_metadata(body)["date"] == datetime.date(2023, 11, 9)
    # a date past the first sentence is not taken, even with its year
    late = "Delegates met in Wuzhen. The talks of June 3, 2022 were recalled."
    assert "date" not in infer_metadata(late)
    # a date before the event's year is a recalled one, even in the opening
    recalled = "The 2023 World Internet Conference Wuzhen Summit, like the one of November 16, 2014, opened."
    meta = infer_metadata(recalled)
    assert meta["year"] == 2023 and "date" not in meta
    # the title is read first
    meta = infer_metadata("Wuzhen, 8 November 2023: summit opens\n\n| x.example\n\nIt opened. On 1 May 2020 ...")
    assert meta["date"] == datetime.date(2023, 11, 8)


@pytest.mark.ungdc
def test_un_corpus_language_encoding_and_dates(ungdc_corpus):
    # every speech is in English (the corpus holds the English versions) and UTF-8;
    # dates stay unknown: the layout gives years, and speeches are not inferred
    assert (ungdc_corpus["language"] == "en").all()
    assert set(ungdc_corpus["encoding"]) <= {"utf-8", "utf-8-sig"}
    assert ungdc_corpus["date"].isna().all()
