"""The UN General Debate layout: its file paths and its speaker list.

A folder or archive of the UN General Debate Corpus (``../shared/corpora/ungdc.zip``)
holds one speech per file, ``.../Session 71 - 2016/ARG_71_2016.txt``. Such paths are
recognised wherever they occur in a source, with no option: :func:`document_fields` gives
the document's id (``ARG_71_2016``) and its ``event``, ``event_series``, ``session``,
``year``, ``country`` and ``source``. The layout is an entry of
:data:`discourse.corpus.readers.LAYOUTS`, which :func:`~discourse.corpus.load_corpus`
consults for every file.

The corpus also ships a spreadsheet naming the person who spoke for each country at each
session, with their post (``Speakers_by_session.xlsx``). When the source holds it,
``load_corpus`` fills ``speaker``, ``role`` and ``country_name`` from it
(:func:`read_speakers`). The reader needs no Excel library: an ``.xlsx`` file is a zip of
XML. Any problem with the spreadsheet is logged and the speakers are left unknown: it is
a bonus, never a reason to fail a load.
"""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
import zipfile

__all__ = ["MAX_PART_BYTES", "PATH_RE", "SPEAKERS_FILE", "document_fields", "read_speakers"]

log = logging.getLogger("discourse.corpus")

#: File name of the speaker list (matched case-insensitively, anywhere in the source).
SPEAKERS_FILE = "speakers_by_session.xlsx"

#: A document's path in the layout (inside the source): ``Session NN - YYYY/ISO_NN_YYYY.txt``.
PATH_RE = re.compile(r"(?:^|/)Session (\d{1,3}) - (\d{4})/([A-Z]{2,3})_(\d{1,3})_(\d{4})\.txt$")


def document_fields(rel: str, speakers: dict[tuple[str, int], dict[str, str]] | None = None):
    """The id and metadata of a document of the layout, from its path.

    Parameters
    ----------
    rel : str
        The file's path inside the source (POSIX separators).
    speakers : dict, optional
        From :func:`read_speakers`: adds ``speaker``, ``role`` and ``country_name``.

    Returns
    -------
    (str, dict) or None
        ``doc_id`` (the file name without extension) and the fields; None when the path
        is not in the layout.

    Examples
    --------
    >>> document_fields("ungdc/Session 71 - 2016/ARG_71_2016.txt")[1]["event"]
    'UNGA 71 (2016)'
    """
    m = PATH_RE.search(rel)
    if m is None:
        return None
    session, year, country = int(m.group(1)), int(m.group(2)), m.group(3)
    fields = {
        "event": f"UNGA {session} ({year})",
        "event_series": "UN General Debate",
        "session": session,
        "year": year,
        "country": country,
        "source": "UN General Debate Corpus",
    }
    fields.update((speakers or {}).get((country, session), {}))
    name = rel.rsplit("/", 1)[-1]
    return name[: -len(".txt")], fields

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_HONORIFIC_RE = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Mme|Mlle|Dr|H\.\s?E)(?:[.,;\-]+\s*|\s+)|M\.\s+)+"
)
_HEADERS = {
    "iso code": "iso",
    "session": "session",
    "name of person speaking": "speaker",
    "post": "role",
    "country": "country_name",
}


def _text(el: ET.Element) -> str:
    return "".join(t.text or "" for t in el.iter(_NS + "t"))


#: The most bytes a part of the speaker spreadsheet may expand to (the real one: 1 MB);
#: past it the spreadsheet is not used (an .xlsx is a zip, and can be a zip bomb).
MAX_PART_BYTES = 64 * 2**20


def _read_part(xz: zipfile.ZipFile, name: str) -> bytes:
    """A part of the spreadsheet, read in chunks and refused past :data:`MAX_PART_BYTES`."""
    chunks, n = [], 0
    with xz.open(name) as fh:
        while chunk := fh.read(min(2**20, MAX_PART_BYTES + 1 - n)):
            n += len(chunk)
            if n > MAX_PART_BYTES:
                raise ValueError(f"{name} expands to more than {MAX_PART_BYTES:,} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


def _rows(data: bytes) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as xz:
        names = set(xz.namelist())
        strings = []
        if "xl/sharedStrings.xml" in names:
            strings = [
                _text(si)
                for si in ET.fromstring(_read_part(xz, "xl/sharedStrings.xml")).iter(_NS + "si")
            ]
        root = ET.fromstring(_read_part(xz, "xl/worksheets/sheet1.xml"))
    rows = []
    for row in root.iter(_NS + "row"):
        values: dict[str, str] = {}
        for cell in row.iter(_NS + "c"):
            col = re.match(r"[A-Z]+", cell.get("r", "")).group()
            kind = cell.get("t")
            v = cell.find(_NS + "v")
            if kind == "s" and v is not None:
                value = strings[int(v.text)]
            elif kind == "inlineStr":
                value = _text(cell)
            else:
                value = v.text if v is not None else None
            if value is not None and value.strip():
                values[col] = value.strip()
        rows.append(values)
    return rows


def read_speakers(data: bytes, where: str) -> dict[tuple[str, int], dict[str, str]]:
    """Map ``(country code, session)`` to ``{"speaker", "role", "country_name"}``.

    Parameters
    ----------
    data : bytes
        The ``.xlsx`` file.
    where : str
        Its path, for the log.

    Returns
    -------
    dict
        Empty when the spreadsheet cannot be read (a warning is logged).
        Speaker names lose leading honorifics ("Mr.", "Mrs.", "H.E."...).
    """
    try:
        rows = _rows(data)
        header = {col: _HEADERS.get(name.strip().lower()) for col, name in rows[0].items()}
        if not {"iso", "session", "speaker"} <= set(header.values()):
            raise ValueError(f"unexpected header {list(rows[0].values())}")
        out: dict[tuple[str, int], dict[str, str]] = {}
        for values in rows[1:]:
            rec = {header[c]: v for c, v in values.items() if header.get(c)}
            try:
                key = (rec["iso"], int(float(rec["session"])))
            except (KeyError, ValueError):
                continue
            info = {}
            if rec.get("speaker"):
                info["speaker"] = _HONORIFIC_RE.sub("", rec["speaker"]).strip() or rec["speaker"]
            for k in ("role", "country_name"):
                if rec.get(k):
                    info[k] = rec[k]
            out.setdefault(key, info)
        return out
    except Exception as err:  # a damaged or different spreadsheet: load without speakers
        log.warning("%s: speaker list not used (%s: %s)", where, err.__class__.__name__, err)
        return {}
