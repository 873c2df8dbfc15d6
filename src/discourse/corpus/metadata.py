"""Metadata inference: event, series, date, speaker and organisation from a document's text.

Everything here is best effort and overridable (see ``docs/corpus.md``): values from
a sidecar ``metadata.csv``, a ``filename_pattern``, a known layout (UN General
Debate) or a table's columns always win over inferred ones.

Rules
-----
Scraped-article format
    The first non-empty line is the title; a line starting with ``"| "`` within the
    next few lines names the site (``source``); the body follows.
Events
    A four-digit year (1900-2099) followed by a capitalised name ("the 2023 MWC
    Shanghai", "2023 WIC Wuzhen Summit", "the 2019 Internet Governance Forum"), or a
    capitalised name followed by a year ("MWC Shanghai 2023"). The name is a run of
    capitalised words, joined by "of", "on", "for", "and", "the", "&" only when a
    capitalised word follows; month and weekday names end it, and trailing
    connectors are dropped. A name counts as an event when it contains an event word
    (Summit, Forum, Conference, Dialogue, Congress, Expo, Week, Assembly...) or
    starts with an acronym (MWC, WIC, IGF) and is preceded by "the"/"this"/"last" or
    has more than one word. ``event`` = "<Name> <year>", ``event_series`` = "<Name>".
    The event named in the title wins, else the first in the body; every distinct
    event goes, in order of first mention (title first), into ``events_mentioned``
    ("; "-joined).
Date
    The first date in the title, else in the body's opening (its first sentence, at
    most :data:`OPENING_CHARS` characters: where a dateline and a news lede put the
    date); never from further down, where years are recalled ("Fifty-three years
    ago, on the 21st of September, 1971, ..."). "on June 28", "June 28, 2023", "28
    June 2023", "Nov. 3", "2023-06-28", "2023年11月9日", "11月9日", "二〇二三年十一月九日"
    (full-width digits too). Without a year it takes the event's year, else the year
    written in the title (else the date is unknown). A date whose year is before the
    event's, or more than one year after it, is a recalled date and is ignored.
    ``year`` is the event's year, else the date's.
Chinese
    Events: a year, then a name ending in an event word (峰会, 大会, 论坛, 博览会...;
    "2023年世界互联网大会乌镇峰会", "2024 MWC上海"), named in English through
    :data:`EVENT_ALIASES` so that Chinese and English articles of one event group
    together (unknown names keep their Chinese name). Speakers: "世界互联网大会秘书长任贤良
    表示", "中国工业和信息化部部长 金壮龙", "任贤良（世界互联网大会秘书长）": organisation,
    role (:data:`ZH_ROLES`) and a name of two to four characters.
Speaker
    The first of these phrasings in the body (Name = two to four capitalised words):
    "Name, role of/at/for [the] Org (ABBR), ...", "said Name, role of Org",
    "Name, role of Org, said", "according to Name, role of Org". ``organisation``
    is Org without the "(ABBR)"; ``role`` the role words.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "infer_metadata",
    "parse_article",
    "find_events",
    "find_date",
    "find_speaker",
    "EVENT_WORDS",
    "EVENT_ALIASES",
    "OPENING_CHARS",
    "ZH_ROLES",
    "opening",
]

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_FULL_MONTHS = [m for m in MONTHS if len(m) > 4 or m in ("may", "june", "july")]
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

#: Words that make a capitalised name an event name.
EVENT_WORDS = frozenset(
    """summit forum conference dialogue dialogues congress expo exhibition fair week
    assembly meeting meetings convention symposium session sessions festival show
    games olympics council roundtable round debate workshop seminar colloquium
    hackathon cup awards days day conclave retreat talks consultation plenary
    ministerial g20 g7 cop""".split()
)
_CONNECTORS = {"of", "on", "for", "and", "the", "&", "de", "du", "des"}
_NAME_WORD = r"(?:[A-Z][\w'’.&-]*|[0-9]+(?:\.[0-9]+)?(?=\s+[A-Z]))"
_YEAR = r"(?:19|20)\d{2}"

_YEAR_NAME_RE = re.compile(
    rf"(?:\b(?P<det>[Tt]he|[Tt]his|[Ll]ast|[Nn]ext|[Tt]hat)\s+)?(?<![\w/-])(?P<year>{_YEAR})(?:'s)?\s+(?:edition\s+of\s+(?:the\s+)?)?(?=(?P<name>[A-Z][^\n]*))"
)
_NAME_YEAR_RE = re.compile(
    rf"(?P<name>(?:[A-Z][\w'’&.-]*\s+){{0,7}}[A-Z][\w'’&.-]*)\s+(?P<year>{_YEAR})\b(?![\w/-])"
)
_YEAR_ONLY_RE = re.compile(_YEAR)
_HAS_HANZI_RE = re.compile("[\u4e00-\u9fff]")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER_RE = re.compile("[〇○零一二三四五六七八九十]{1,4}(?=[年月日号])")


def _cn_number(s: str) -> str:
    """A number in Chinese numerals as digits: 二〇二三 -> 2023, 十一 -> 11, 二十九 -> 29."""
    if "十" not in s:
        return "".join(str(_CN_DIGITS[c]) for c in s)
    tens, _, units = s.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return s
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0))


def _ascii_digits(text: str) -> str:
    """Full-width digits and Chinese numerals before 年/月/日 as ASCII digits."""
    text = text.translate(_FULLWIDTH_DIGITS)
    if _HAS_HANZI_RE.search(text):
        text = _CN_NUMBER_RE.sub(lambda m: _cn_number(m.group()), text)
    return text


def _clean_word(word: str) -> str:
    return word.rstrip(".,;:!?)\"”’'")


def _take_name(words: list[str]) -> list[str]:
    """Longest run of capitalised words (with inner connectors) from the start of ``words``."""
    name: list[str] = []
    pending: list[str] = []
    for raw in words:
        word = _clean_word(raw)
        ended = word != raw  # punctuation after the word ends the name (after it)
        if not word:
            break
        low = word.lower()
        if low in MONTHS and (low in _FULL_MONTHS or raw.endswith(".")) or low in WEEKDAYS:
            break
        if _YEAR_ONLY_RE.fullmatch(word):
            break  # a year starts another event
        if word[0].isupper() or (word[0].isdigit() and name):
            name.extend(pending)
            pending = []
            name.append(word)
        elif low in _CONNECTORS and name:
            pending.append(word)
        else:
            break
        if ended:
            break
        if raw.endswith(("'s", "’s")):
            break
    if name and name[-1].endswith(("'s", "’s")):
        name[-1] = name[-1][:-2]
    return name


def _is_event_name(name: list[str], det: str | None) -> bool:
    if not name:
        return False
    words = [w.lower() for w in name]
    if any(w in EVENT_WORDS for w in words):
        return True
    first = name[0]
    is_acronym = len(first) >= 2 and first.isupper() and first.isalpha()
    return is_acronym and (det is not None or len(name) > 1)


#: Chinese (and other) names of event series -> the series name used in English, so that
#: articles of one event in both languages get the same ``event``. Traditional spellings
#: are listed too. Extend it (or harmonise with a sidecar) for other events.
EVENT_ALIASES: dict[str, str] = {
    "世界互联网大会乌镇峰会": "World Internet Conference Wuzhen Summit",
    "世界互聯網大會烏鎮峰會": "World Internet Conference Wuzhen Summit",
    "世界網際網路大會烏鎮峰會": "World Internet Conference Wuzhen Summit",
    "乌镇峰会": "World Internet Conference Wuzhen Summit",
    "烏鎮峰會": "World Internet Conference Wuzhen Summit",
    "世界互联网大会": "World Internet Conference",
    "世界互聯網大會": "World Internet Conference",
    "MWC上海": "MWC Shanghai",
    "世界移动通信大会上海": "MWC Shanghai",
    "世界移动通信大会·上海": "MWC Shanghai",
    "上海世界移动通信大会": "MWC Shanghai",
    "世界移動通信大會上海": "MWC Shanghai",
    "世界移動通信大會·上海": "MWC Shanghai",
    "互联网治理论坛": "Internet Governance Forum",
    "互聯網治理論壇": "Internet Governance Forum",
    "联合国互联网治理论坛": "Internet Governance Forum",
    "聯合國互聯網治理論壇": "Internet Governance Forum",
    "数字未来对话": "Digital Futures Dialogue",
    "數字未來對話": "Digital Futures Dialogue",
}
_ZH_EVENT_WORDS = (
    "峰会|峰會|大会|大會|论坛|論壇|博览会|博覽會|展览会|展覽會|交易会|交易會|年会|年會|会议|會議|"
    "对话|對話|研讨会|研討會|论坛年会|周|週|节|節|展|赛|賽"
)
_HANZI = "\u4e00-\u9fff"
# parts of an event: "乌镇峰会网络安全分论坛" is the summit, not another event
_ZH_EVENT_PARTS = ("分论坛", "分論壇", "主论坛", "主論壇", "平行论坛", "平行論壇", "分会场", "分會場", "开幕式", "開幕式", "闭幕式", "閉幕式")
# where a Chinese event name may start: a year ("2023年", "2023 ", "第十届"), spaces between
# Latin letters or digits and Chinese characters being removed first ("MWC 上海")
_ZH_YEAR_RE = re.compile(rf"(?<!\d)(?P<year>(?:19|20)\d{{2}})\s*年?(?:第[{_HANZI}\d]{{1,4}}[届屆])?")
# the shortest name ending in an event word (at most 20 characters)
_ZH_NAME_RE = re.compile(
    rf"(?:[A-Z][A-Za-z]*)?[{_HANZI}·]{{0,16}}?(?:{_ZH_EVENT_WORDS})"
)
_ZH_ALIAS_RE = re.compile(
    "|".join(re.escape(a) for a in sorted(EVENT_ALIASES, key=len, reverse=True))
)
_ZH_NAME_YEAR_RE = re.compile(
    rf"(?P<name>[A-Z][A-Za-z]*[{_HANZI}·]{{1,12}})(?P<year>(?:19|20)\d{{2}})(?![\d年])"
)
_ZH_SPACES_RE = re.compile(
    rf"(?<=[A-Za-z0-9])\s+(?=[{_HANZI}])|(?<=[{_HANZI}])\s+(?=[A-Za-z0-9])"
)


def _zh_event_at(text: str, pos: int) -> str | None:
    """The series of the Chinese event name that starts at ``pos``, or None.

    A name in :data:`EVENT_ALIASES` (the longest) gives its English series, unless more
    Chinese follows it up to another event word (世界互联网大会 + 数字文明尼山对话: a
    different event, kept as written); else the shortest name ending in an event word,
    as written.
    """
    alias = _ZH_ALIAS_RE.match(text, pos)
    if alias:
        more = _ZH_NAME_RE.match(text, alias.end())
        if (
            more
            and len(more.group()) <= 10
            and not _ZH_ALIAS_RE.match(text, alias.end())
            and not more.group().endswith(_ZH_EVENT_PARTS)
        ):
            return text[pos : more.end()]
        return EVENT_ALIASES[alias.group()]
    name = _ZH_NAME_RE.match(text, pos)
    if name is None or len(name.group()) < 3:
        return None
    return EVENT_ALIASES.get(name.group(), name.group())


def _find_events_zh(text: str) -> list[tuple[int, str, str, int]]:
    text = _ZH_SPACES_RE.sub("", _ascii_digits(text))
    found: list[tuple[int, str, str, int]] = []
    for m in _ZH_YEAR_RE.finditer(text):
        series = _zh_event_at(text, m.end())
        if series:
            year = int(m.group("year"))
            found.append((m.start(), f"{series} {year}", series, year))
    for m in _ZH_NAME_YEAR_RE.finditer(text):
        alias = _ZH_ALIAS_RE.fullmatch(m.group("name"))
        if alias:
            series = EVENT_ALIASES[alias.group()]
            year = int(m.group("year"))
            found.append((m.start(), f"{series} {year}", series, year))
    return found


def find_events(text: str) -> list[tuple[str, str, int]]:
    """Every event named with a year in ``text``, in order of first mention.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of (event, event_series, year)
        Distinct events, e.g. ``("MWC Shanghai 2023", "MWC Shanghai", 2023)``.
    """
    found: list[tuple[int, str, str, int]] = []
    for m in _YEAR_NAME_RE.finditer(text):
        words = m.group("name").split()[:10]
        name = _take_name(words)
        if _is_event_name(name, m.group("det")):
            series = " ".join(name)
            found.append(
                (m.start("year"), f"{series} {m.group('year')}", series, int(m.group("year")))
            )
    for m in _NAME_YEAR_RE.finditer(text):
        words = m.group("name").split()
        # keep the longest capitalised tail that is a name (drop a sentence-initial "At", "In"...)
        while words and (
            words[0].lower()
            in {
                "at",
                "in",
                "the",
                "during",
                "on",
                "for",
                "of",
                "this",
                "since",
                "from",
                "by",
                "after",
                "before",
                "and",
            }
        ):
            words = words[1:]
        name = _take_name(words)
        if len(name) == len(words) and _is_event_name(name, "the"):
            series = " ".join(name)
            found.append(
                (m.start("name"), f"{series} {m.group('year')}", series, int(m.group("year")))
            )
    if _HAS_HANZI_RE.search(text):
        found.extend(_find_events_zh(text))
    found.sort(key=lambda t: t[0])
    seen: set[str] = set()
    out: list[tuple[str, str, int]] = []
    for _, event, series, year in found:
        if event not in seen:
            seen.add(event)
            out.append((event, series, year))
    return out


_MONTH_NAMES = r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?|Sep(?:t(?:ember|\.)?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
_DATE_RES = [
    re.compile(rf"\b(?P<year>{_YEAR})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(
        rf"\b(?P<mname>{_MONTH_NAMES})\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>{_YEAR})\b)?"
    ),
    re.compile(
        rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mname>{_MONTH_NAMES})(?:,?\s+(?P<year>{_YEAR})\b)?"
    ),
    # 2023年11月9日, 11月9日, 2023年11月9号 (after _ascii_digits)
    re.compile(
        rf"(?<!\d)(?:(?P<year>{_YEAR})\s*年\s*)?(?P<month>1[0-2]|0?[1-9])\s*月\s*(?P<day>3[01]|[12]\d|0?[1-9])\s*[日号號]"
    ),
]


def _find_date(
    text: str, default_year: int | None = None
) -> tuple[int, tuple[int, int, int], bool] | None:
    """The first date in ``text``: (position, (year, month, day), whether the year is written)."""
    import datetime

    text = _ascii_digits(text)
    best: tuple[int, tuple[int, int, int], bool] | None = None
    for rx in _DATE_RES:
        for m in rx.finditer(text):
            if "mname" in rx.groupindex:
                key = m.group("mname").rstrip(".").lower()
                month = MONTHS.get(key) or MONTHS.get(key[:3])
            else:
                month = int(m.group("month"))
            day = int(m.group("day"))
            year = int(m.group("year")) if m.group("year") else default_year
            if year is None or not month or not 1 <= day <= 31:
                continue
            try:
                datetime.date(year, month, day)
            except ValueError:
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), (year, month, day), bool(m.group("year")))
            break
    return best


def find_date(text: str, default_year: int | None = None) -> tuple[int, int, int] | None:
    """The first date in ``text`` as ``(year, month, day)``.

    English ("June 28, 2023", "28 June", "Nov. 3"), ISO ("2023-06-28") and Chinese
    ("2023年11月9日", "11月9日", "二〇二三年十一月九日", full-width digits) forms.

    Parameters
    ----------
    text : str
    default_year : int, optional
        Year of a date written without one ("on June 28"); without it such a date
        is ignored.

    Returns
    -------
    tuple of int, or None
    """
    found = _find_date(text, default_year)
    return None if found is None else found[1]


#: The most characters of a body's opening read for its date (see :func:`opening`).
OPENING_CHARS = 300
_SENTENCE_END_RE = re.compile(r"[.!?](?=[\s\"”’)]|$)|[。！？]|\n")
_ABBREVIATIONS = frozenset(
    """mr ms mrs dr st no nos prof gen col lt sen rep gov jr sr vs etc jan feb mar apr jun jul
    aug sep sept oct nov dec h.e u.s u.n u.k e.u""".split()
)


def opening(body: str) -> str:
    """The opening of a body: its first sentence, at most :data:`OPENING_CHARS` characters.

    That is where a dateline ("BEIJING, Nov. 9 (Xinhua) --", "新华社乌镇11月8日电") and a
    news lede put the date; later sentences recall other dates.

    Parameters
    ----------
    body : str

    Returns
    -------
    str

    Examples
    --------
    >>> opening("Mr. President, I greet you. Fifty years ago, on 21 September 1971, we joined.")
    'Mr. President, I greet you.'
    """
    body = body.lstrip()
    for m in _SENTENCE_END_RE.finditer(body, 0, OPENING_CHARS + 1):
        if m.group() == ".":
            word = re.search(r"([\w.]+)$", body[: m.start()])
            if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue  # "Mr.", "Nov.", an initial
        return body[: m.end()].strip()
    return body[:OPENING_CHARS]


def _document_date(
    title: str | None, body: str, event_year: int | None
) -> tuple[int, int, int] | None:
    """The date of a document: in its title, else in its opening; never further down.

    A date without a year takes the event's year, else the one year written in the
    title. A date whose year is before the event's or more than one after it is a
    recalled date, not the document's.
    """
    default = event_year
    if default is None and title:
        years = set(_YEAR_ONLY_RE.findall(_ascii_digits(title)))
        if len(years) == 1:
            default = int(years.pop())
    for part in (title, opening(body)):
        if not part:
            continue
        found = _find_date(part, default)
        if found is None:
            continue
        _, date, explicit = found
        if explicit and event_year is not None and not event_year <= date[0] <= event_year + 1:
            continue
        return date
    return None


_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"  # capital letters (Latin Extended-A is checked again with str.isupper)
_NAME = rf"[{_UP}][\w'’-]+"
_PERSON = rf"(?P<speaker>(?:{_NAME}|[A-Z]\.)(?:\s+(?:{_NAME}|[A-Z]\.|de|van|von|der|da|di|bin|al|el|la|le|dos|das)){{0,3}}\s+{_NAME})"
_ROLE = r"(?P<role>(?:the\s+)?[a-zA-Z][\w'’-]*(?:\s+[a-zA-Z][\w'’-]*){0,5}?)"
# no trailing dot ("Acme Corp." ends a sentence), except in dotted acronyms ("U.N.")
_ORG_WORD = rf"(?:(?:[A-Z]\.){{2,}}|[{_UP}][\w'’&-]*(?:\.[\w'’&-]+)*)"
_ORG = rf"(?P<org>(?:the\s+)?{_ORG_WORD}(?:\s+(?:of|for|and|on|in|the|&|de|{_ORG_WORD})){{0,9}}?)"
_ABBR = r"(?:\s*\((?P<abbr>[A-Z][\w&.-]{1,12})\))?"
_SAY = r"(?:said|says|told|stated|noted|added|explained|remarked|declared|announced|stressed|argued|warned|opened|welcomed|urged|called)"
_SPEAKER_RES = [
    # Name, role of the Org (ABBR), ...   (at a sentence or paragraph start)
    re.compile(
        rf"(?:^|(?<=[.!?]\s)|(?<=\n)){_PERSON},\s+{_ROLE}\s+(?:of|at|for|with)\s+{_ORG}{_ABBR}\s*[,;.)]"
    ),
    # said Name, role of/at Org
    re.compile(
        rf"\b{_SAY}\s+{_PERSON},\s+{_ROLE}\s+(?:of|at|for|with)\s+{_ORG}{_ABBR}\s*(?:[,;.)]|$)"
    ),
    # according to Name, role of Org
    re.compile(
        rf"\b[Aa]ccording\s+to\s+{_PERSON},\s+{_ROLE}\s+(?:of|at|for|with)\s+{_ORG}{_ABBR}\s*[,;.)]"
    ),
    # Name, role of Org, said / Name, the Org's role
    re.compile(rf"\b{_PERSON},\s+{_ROLE}\s+(?:of|at|for|with)\s+{_ORG}{_ABBR}\s*,"),
    # Org role Name said / Name said
    re.compile(rf"\b{_PERSON}\s+{_SAY}\b"),
]
_NOT_NAMES = {
    "The",
    "This",
    "That",
    "These",
    "Those",
    "In",
    "On",
    "At",
    "But",
    "And",
    "As",
    "For",
    "It",
    "We",
    "Our",
    "Its",
    "He",
    "She",
    "They",
    "A",
    "An",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "During",
    "Speaking",
    "According",
    "Meanwhile",
    "However",
    "Mr",
    "Ms",
    "Mrs",
    "Dr",
}


_TITLES = frozenset(
    """dr mr ms mrs prof professor minister president premier ambassador secretary-general
    secretary chairman chairwoman chair director ceo vice-president vice-premier governor
    mayor senator commissioner sheikh prince king queen h.e""".split()
)


def _plausible_person(name: str) -> bool:
    words = name.split()
    if len(words) < 2 or words[0] in _NOT_NAMES:
        return False
    if not (words[0][0].isupper() and words[-1][0].isupper()):
        return False
    if any(w.lower() in MONTHS or w.lower() in WEEKDAYS for w in words):
        return False
    if any(w.isupper() and len(w) > 1 for w in words):  # acronyms are organisations
        return False
    return not any(w.lower() in EVENT_WORDS for w in words)


#: Roles that introduce a speaker in Chinese ("世界互联网大会秘书长任贤良"), simplified and
#: traditional; the longest that fits is taken ("副秘书长" before "秘书长").
ZH_ROLES = tuple(
    sorted(
        set(
            """秘书长 副秘书长 主席 副主席 执行主席 理事长 副理事长 会长 副会长 部长 副部长 司长 副司长
            局长 副局长 主任 副主任 院长 副院长 所长 副所长 校长 副校长 董事长 副董事长 总裁 副总裁
            总经理 副总经理 首席执行官 首席技术官 首席战略官 首席信息官 首席运营官 首席科学家
            首席经济学家 总工程师 总监 创始人 联合创始人 负责人 教授 副教授 研究员 市长 副市长 省长
            副省长 总干事 副总干事 大使 书记 总编辑 社长 主任委员 委员 专家 分析师 经理 工程师
            秘書長 副秘書長 理事長 會長 副會長 部長 副部長 司長 局長 院長 副院長 所長 校長 董事長
            總裁 副總裁 總經理 首席執行官 首席技術官 首席戰略官 首席科學家 總工程師 總監 創始人
            負責人 研究員 市長 省長 總幹事 總編輯 專家 經理 工程師""".split()
        ),
        key=lambda r: (-len(r), r),
    )
)
# common Chinese surnames (simplified and traditional): a name must start with one
_ZH_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘"
    "祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟"
    "艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞"
    "姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "陳楊黃趙吳孫馬許韓馮鄧蕭葉蘇呂盧鍾譚陸賈韋鄒閻龍顧龔錢嚴湯劉張鄭羅謝魯聶莊歐蘭樂"
)
_ZH_SAY = (
    "表示|说|說|指出|认为|認為|强调|強調|介绍|介紹|致辞|致辭|发表|發表|出席|在|称|稱|透露|提出|呼吁|"
    "呼籲|宣布|宣佈|主持|发言|發言|谈到|談到|建议|建議|回应|回應|告诉|告訴|坦言|分享|演讲|演講|作|"
    "对|對|与|與|和|认|也|还|說|，|,|。|：|:|（|\\(|\\s|“|”"
)
_ZH_ROLE = "|".join(ZH_ROLES)
_ZH_LEAD = "据|據|由|经|經|而|但|并|並|同时|同時|此外|其中|会上|會上"
_ZH_SPEAKER_RES = [
    # 世界互联网大会秘书长任贤良表示 / 中国工业和信息化部部长 金壮龙
    re.compile(
        rf"(?:^|(?<=[，。；：、！？\s“”\"（(]))(?:{_ZH_LEAD})?(?P<org>[A-Za-z0-9{_HANZI}·&]{{0,30}}?)"
        rf"(?P<role>{_ZH_ROLE})\s?(?P<speaker>[{_HANZI}·]{{2,4}}?)(?={_ZH_SAY})"
    ),
    # 任贤良（世界互联网大会秘书长）
    re.compile(
        rf"(?P<speaker>[{_HANZI}·]{{2,4}})[（(](?P<org>[A-Za-z0-9{_HANZI}·&]{{0,30}}?)(?P<role>{_ZH_ROLE})[）)]"
    ),
]


def _find_speaker_zh(text: str) -> tuple[int, dict[str, str]] | None:
    """The first speaker introduced with a role in Chinese: (position, fields)."""
    best: tuple[int, dict[str, str]] | None = None
    for rx in _ZH_SPEAKER_RES:
        for m in rx.finditer(text):
            name = m.group("speaker")
            if name[0] not in _ZH_SURNAMES:
                # a name after the pattern's start: "…秘书长表示" has no name
                continue
            found = {"speaker": name, "role": m.group("role")}
            org = re.sub(rf"^(?:{_ZH_LEAD})", "", m.group("org") or "").strip()
            if len(org) >= 2:
                found["organisation"] = org
            if best is None or m.start() < best[0]:
                best = (m.start(), found)
            break
    return best


def find_speaker(text: str) -> dict[str, str]:
    """The main speaker of a news text: the first person introduced with a role.

    Parameters
    ----------
    text : str

    Returns
    -------
    dict
        Keys ``speaker``, ``role``, ``organisation`` (only those found).
    """
    best: tuple[int, int, dict[str, str]] | None = None
    for rank, rx in enumerate(_SPEAKER_RES):
        for m in rx.finditer(text):
            speaker = m.group("speaker")
            # drop leading titles and acronyms a name may carry ("UN Secretary-General X Y")
            words = speaker.split()
            while len(words) > 2 and (
                words[0].rstrip(".").lower() in _TITLES
                or (words[0].isupper() and len(words[0]) > 1)
            ):
                words = words[1:]
            speaker = " ".join(words)
            if not _plausible_person(speaker):
                continue
            found = {"speaker": speaker}
            if "org" in rx.groupindex and m.group("org"):
                org = re.sub(r"^the\s+", "", m.group("org")).strip()
                found["organisation"] = org
                found["role"] = re.sub(r"^(?:the|a|an)\s+", "", m.group("role")).strip()
            # the earliest person introduced with a role; "Name said" only failing that
            key = (int(rank == len(_SPEAKER_RES) - 1), m.start())
            if best is None or key < (best[0], best[1]):
                best = (key[0], key[1], found)
            break
    if _HAS_HANZI_RE.search(text):
        zh = _find_speaker_zh(text)
        if zh is not None and (best is None or (0, zh[0]) < (best[0], best[1])):
            best = (0, zh[0], zh[1])
    return {} if best is None else best[2]


def parse_article(text: str, *, require_source: bool = True) -> dict[str, Any] | None:
    """Split a scraped article into title, source and body.

    Works on raw text (any line ends, wrapped lines) as well as on normalised text.

    Parameters
    ----------
    text : str
        The whole file.
    require_source : bool, default True
        Without a ``"| site"`` line, return None (True) or read the first paragraph
        as the title anyway (False; ``format="articles"``).

    Returns
    -------
    dict or None
        ``{"title", "source", "body"}``: the title is the first paragraph (its lines
        joined; at most 300 characters), the source the text after ``"|"`` on the
        first line that starts with ``"| "`` among the next four non-empty lines (or
        None), the body everything else (lines between the title and the site line,
        such as a subtitle, included) as written. None when the text does not have
        that shape.
    """
    lines = text.lstrip("\ufeff").splitlines()
    n = len(lines)
    i = 0
    while i < n and not lines[i].strip():
        i += 1
    title_lines = []
    while i < n and lines[i].strip() and not lines[i].lstrip().startswith("|"):
        title_lines.append(lines[i].strip())
        i += 1
    title = " ".join(title_lines)
    if not title or len(title) > 300:
        return None
    rest = lines[i:]
    seen = 0
    for j, line in enumerate(rest):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("| ") or stripped == "|":
            before = "\n".join(rest[:j]).strip()
            after = "\n".join(rest[j + 1 :]).strip()
            body = before + "\n\n" + after if before and after else before or after
            return {"title": title, "source": stripped[1:].strip() or None, "body": body}
        seen += 1
        if seen >= 4:
            break
    if require_source:
        return None
    return {"title": title, "source": None, "body": "\n".join(rest).strip()}


def infer_metadata(text: str, *, title: str | None = None) -> dict[str, Any]:
    """Infer metadata from a document's text (scraped article or plain text).

    English and Chinese (see the module's rules). The date comes from the title or the
    body's :func:`opening` only, never from a date recalled further down.

    Parameters
    ----------
    text : str
        The document, ideally normalised (:func:`~discourse.corpus.normalise_text`).
        When it has the scraped-article shape, the title and source lines are read.
    title : str, optional
        The title, when known separately (it is searched first for the event).

    Returns
    -------
    dict
        Keys (only those inferred): ``title``, ``source``, ``body``, ``event``,
        ``event_series``, ``events_mentioned`` ("; "-joined), ``year`` (int),
        ``date`` (``datetime.date``), ``speaker``, ``role``, ``organisation``.

    Examples
    --------
    >>> meta = infer_metadata("Forum opens 2021 Digital Futures Dialogue\\n\\n| example-news.org\\n\\n"
    ...                       "Amina Otieno, chair of the Digital Futures Network (DFN), opened "
    ...                       "the 2021 Digital Futures Dialogue on November 3.")
    >>> meta["event"], meta["speaker"], meta["organisation"], str(meta["date"])
    ('Digital Futures Dialogue 2021', 'Amina Otieno', 'Digital Futures Network', '2021-11-03')
    """
    import datetime

    out: dict[str, Any] = {}
    body = text
    article = parse_article(text) if title is None else None
    if article is not None:
        title = article["title"]
        out["title"] = title
        if article["source"]:
            out["source"] = article["source"]
        body = article["body"]
    elif title:
        out["title"] = title
    title_events = find_events(title) if title else []
    body_events = find_events(body)
    events: list[tuple[str, str, int]] = []
    for ev in title_events + body_events:
        if ev not in events:
            events.append(ev)
    if events:
        event, series, year = events[0]
        out["event"] = event
        out["event_series"] = series
        out["year"] = year
        out["events_mentioned"] = "; ".join(e[0] for e in events)
    date = _document_date(title, body, out.get("year"))
    if date is not None:
        out["date"] = datetime.date(*date)
        out.setdefault("year", date[0])
    out.update(find_speaker(body))
    return out
