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
    The first date in the title or body: "on June 28", "June 28, 2023", "28 June
    2023", "Nov. 3", "2023-06-28". Without a year it takes the event's year (else the
    date is unknown). ``year`` is the event's year, else the date's.
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
]


def find_date(text: str, default_year: int | None = None) -> tuple[int, int, int] | None:
    """The first date in ``text`` as ``(year, month, day)``.

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
    best: tuple[int, tuple[int, int, int]] | None = None
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
                import datetime

                datetime.date(year, month, day)
            except ValueError:
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), (year, month, day))
            break
    return None if best is None else best[1]


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
    date = find_date(title, out.get("year")) if title else None
    if date is None:
        date = find_date(body, out.get("year"))
    if date is not None:
        out["date"] = datetime.date(*date)
        out.setdefault("year", date[0])
    out.update(find_speaker(body))
    return out
