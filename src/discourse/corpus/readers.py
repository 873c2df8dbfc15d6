"""Reading corpora: folders, archives, single files and tables, into the corpus table.

See :func:`load_corpus` and ``docs/corpus.md``. The formats are the table
:data:`READERS` (name -> :class:`Reader`: the extensions it is detected by and the
function that reads it); file layouts recognised inside folders and archives are the
table :data:`LAYOUTS` (the UN General Debate layout, :mod:`discourse.corpus._ungdc`).
Adding a format or a layout is adding one entry; ``load_corpus`` and the command line's
``--format`` read these tables.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import lzma
import os
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from discourse.corpus import _ungdc
from discourse.corpus.metadata import infer_metadata, parse_article
from discourse.corpus.normalise import normalise_text
from discourse.errors import CorpusError
from discourse.language import detect_language

__all__ = [
    "CORPUS_COLUMNS",
    "DOCUMENT_SUFFIXES",
    "FORMATS",
    "LAYOUTS",
    "MAX_BYTES",
    "MAX_SOURCE_BYTES",
    "READERS",
    "Layout",
    "Reader",
    "load_corpus",
]

log = logging.getLogger("discourse.corpus")

#: The standard columns of the corpus table, in order. Extra metadata columns
#: (``session``, ``events_mentioned``, ``role``, fields of a filename pattern or a
#: sidecar...) follow them, sorted by name.
CORPUS_COLUMNS: list[str] = [
    "doc_id",
    "text",
    "title",
    "source",
    "event",
    "event_series",
    "date",
    "year",
    "speaker",
    "organisation",
    "country",
    "path",
    "language",
]

#: File suffixes read as documents in folders and archives (case-insensitive).
DOCUMENT_SUFFIXES = (".txt", ".text")

#: Default ``max_bytes`` of :func:`load_corpus`: the most bytes one document (a file, an
#: archive member, a table row's text) may hold once decompressed. The longest UN General
#: Debate speech is 0.7 MB; a novel is about 1 MB.
MAX_BYTES = 64 * 2**20
#: Default ``max_source_bytes``: the most bytes read (decompressed) from one source, all
#: documents together, and the largest table file. The whole UN General Debate corpus is
#: 200 MB.
MAX_SOURCE_BYTES = 2 * 2**30

# Archive endings: members with these are nested archives, listed as ignored (not opened).
_ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".tbz2", ".xz", ".txz", ".7z", ".rar")
_CHUNK = 2**20

# File names (stem, upper case) that document a corpus rather than belong to it.
_DOC_FILES = {
    "README",
    "LICENSE",
    "LICENCE",
    "COPYING",
    "CHANGELOG",
    "CHANGES",
    "PROVENANCE",
    "NOTICE",
    "AUTHORS",
    "CITATION",
    "MANIFEST",
    "CONTRIBUTING",
}
_SIDECAR_NAME = "metadata.csv"
# pandas 3 has a string dtype ("str", Arrow-backed) by default; pandas 2 keeps str in object
_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3
_STR = "str" if _PANDAS3 else object
_INT_COLUMNS = {"year", "session"}
_STRING_COLUMNS = [c for c in CORPUS_COLUMNS if c not in ("date", "year")]



class _Problem(Exception):
    """A bad document or row: raised as CorpusError or recorded as skipped."""

    def __init__(
        self,
        reason: str,
        *,
        line: int | None = None,
        row: int | None = None,
        hint: str | None = None,
    ):
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.row = row
        self.hint = hint


class _Limits:
    """The byte limits of one load, and the bytes read so far from the source."""

    def __init__(self, source: str, max_bytes: int = MAX_BYTES, max_source_bytes: int = MAX_SOURCE_BYTES):
        self.source = source
        self.max_bytes = max_bytes
        self.max_source_bytes = max_source_bytes
        self.used = 0

    def charge(self, n: int, where: str) -> None:
        """Count ``n`` more bytes read (or decompressed) from the source."""
        self.used += n
        if self.used > self.max_source_bytes:
            raise CorpusError(
                f"the source expands to more than max_source_bytes={self.max_source_bytes:,} bytes "
                f"(stopped while reading {where})",
                path=self.source,
                hint="It may be an archive bomb: check where it comes from; if it is a genuine "
                "corpus, raise max_source_bytes=",
            )

    def too_big(self, size: int) -> _Problem:
        return _Problem(
            f"larger than max_bytes={self.max_bytes:,} bytes"
            + (f" ({size:,} bytes)" if size > self.max_bytes else " (stopped reading)"),
            hint="It may be an archive bomb or not a document; if it is a genuine document, "
            "raise max_bytes=",
        )


def _bounded_read(fh: Any, limits: _Limits, where: str) -> bytes:
    """Read a stream to its end, refusing it as soon as it passes ``limits.max_bytes``.

    Sizes in headers can lie: this counts the bytes really read (decompressed), and
    charges them to the source's budget as it goes.
    """
    chunks = []
    n = 0
    while True:
        chunk = fh.read(min(_CHUNK, limits.max_bytes + 1 - n))
        if not chunk:
            break
        n += len(chunk)
        limits.charge(len(chunk), where)
        if n > limits.max_bytes:
            raise limits.too_big(n)
        chunks.append(chunk)
    return b"".join(chunks)


def _has_surrogates(s: str) -> bool:
    """Whether ``s`` holds lone surrogates (undecodable bytes of a name, ``\\ud800`` in JSON)."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _shown(s: str) -> str:
    """A name safe to print and store: undecodable bytes as ``\\xNN``."""
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") if _has_surrogates(s) else s


def _clean_rel(name: str) -> str:
    """A member name as a path that stays inside the source: backslashes are separators;
    a drive, leading ``/``, ``.`` and ``..`` parts are dropped ("" when nothing is left)."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if parts and re.fullmatch(r"[A-Za-z]:", parts[0]):
        parts = parts[1:]
    return "/".join(parts)


class _Collector:
    """Applies the ``errors`` policy and keeps the skip list."""

    def __init__(self, errors: str, limits: _Limits | None = None, encoding: str | None = None):
        self.errors = errors
        self.skipped: list[dict[str, Any]] = []
        self.limits = limits or _Limits("")
        #: the ``encoding=`` asked for (None: detect), and what a table was decoded as
        self.encoding = encoding
        self.decoded: str | None = None

    def problem(self, path: str, p: _Problem) -> None:
        hint = p.hint or 'Fix or remove it, or load with errors="skip" to leave it out'
        if self.errors == "raise":
            raise CorpusError(p.reason, path=path, line=p.line, row=p.row, hint=hint)
        record = {"path": path, "reason": p.reason, "line": p.line, "row": p.row}
        self.skipped.append(record)
        where = path + (f", line {p.line}" if p.line else "") + (f", row {p.row}" if p.row else "")
        log.warning("skipped %s: %s", where, p.reason)


# --- decoding ------------------------------------------------------------------------


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


# The most frequent Chinese characters (simplified, then traditional forms that differ):
# in Chinese text about half the characters are among them; in GB18030 bytes read as Big5,
# or Big5 read as GB18030 (both decode almost any double-byte run), a few percent are.
_COMMON_HAN = frozenset(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学"
    "对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面"
    "公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部"
    "正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关"
    "并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安"
    "表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共"
    "风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管"
    "夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品"
    "士转量空甚众技轻程告江语英基派满式李息写识极令黄德收钱党未持音投注网络智能数据字安全互联"
    "這個們來國會說時為對發過學動後麼無開當現經兩長實與頭點種將問見員機記話產體還從進電應關書網際"
    "議層級處業數據區絡慧務聯優濟術價值標準規則資訊維護發展團隊領導協調歷史環境裡於臺灣東車門題風戰"
    "幹許覺統請愛讓認論義結連遠資隊帶條變權傳紅決達辦運強轉號眾輕聽氣間親內萬錢黨單專邊參樣總線設"
    "計談則師報導場極節廣鄉縣項視顯護險態響質較監檢測創營雲端電腦軟體閉閱讀語識討調課誰講"
)
# Encodings tried for Chinese text that is not UTF-8, in this order (ties go to the first).
_CJK_ENCODINGS = ("gb18030", "big5", "big5hkscs")
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# what Chinese text holds besides Han characters: CJK punctuation, full-width forms
_CJK_OTHER_RE = re.compile("[\u3000-\u303f\uff00-\uffef\u2010-\u2027\u00b7]")
# alphabetic scripts other than Latin: a detected single-byte encoding is kept when its text
# is mostly in one of them and the detector finds it coherent (letter frequencies)
_ALPHABETS = (
    re.compile("[\u0400-\u052f]"),  # Cyrillic
    re.compile("[\u0600-\u06ff\u0750-\u077f]"),  # Arabic
    re.compile("[\u0370-\u03ff]"),  # Greek
    re.compile("[\u0590-\u05ff]"),  # Hebrew
    re.compile("[\u0e00-\u0e7f]"),  # Thai
)
_HIRAGANA_RE = re.compile("[\u3040-\u309f]")
_HANGUL_RE = re.compile("[\uac00-\ud7af]")
# the most frequent Hangul syllables (particles, endings): a quarter of Korean text, rare
# in bytes that only happen to decode as EUC-KR
_COMMON_HANGUL = frozenset("이다의는에을를하고가지서한로은기수사대자도국정인적시해니습있리나게어아일주전부보")
_DETECT_BYTES = 65536
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _chinese_score(text: str) -> float:
    """How much ``text`` reads as Chinese: the share of its Han characters that are common
    ones, 0 when its characters beyond ASCII are not mostly Han and CJK punctuation."""
    wide = len(text) - len(text.encode("ascii", "ignore"))
    han = _HAN_RE.findall(text)
    if len(han) < 2 or len(han) + len(_CJK_OTHER_RE.findall(text)) < 0.9 * wide:
        return 0.0
    return sum(1 for ch in han if ch in _COMMON_HAN) / len(han)


def _decode_chinese(data: bytes) -> tuple[str, str] | None:
    """The text and encoding when ``data`` is Chinese in GB18030/GBK or Big5, else None.

    Each encoding that decodes the bytes is scored by :func:`_chinese_score`; a few
    broken byte sequences (at most one per thousand characters, or two) are replaced by
    U+FFFD, with a warning. The best one is kept when at least 30 % of its Han
    characters are common ones (Chinese text: half or more; the wrong one of the two,
    or random bytes: a few percent). A text of fewer than 20 Han characters must also have at least half of
    its bytes beyond ASCII (Chinese: two per character; Western text whose accented
    letters happen to pair up with the next byte: a few).
    """
    best: tuple[float, str, str, int] | None = None
    sample = data[:_DETECT_BYTES]
    for enc in _CJK_ENCODINGS:
        replaced = 0
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            # scraped pages often carry a few broken bytes: tolerate one in a thousand
            text = data.decode(enc, "replace")
            replaced = text.count("\ufffd")
            if replaced > max(2, len(text) // 1000):
                continue
        part = text if len(data) <= _DETECT_BYTES else sample.decode(enc, "ignore")
        score = _chinese_score(part)
        if score < 0.3:
            continue
        if len(_HAN_RE.findall(part)) < 20 and len(sample.translate(None, _HIGH_BYTES)) > len(sample) / 2:
            continue
        if best is None or score > best[0]:
            best = (score, text, "big5" if enc == "big5hkscs" else enc, replaced)
        if enc == "big5" and best is not None and best[2] == "big5":
            break  # big5hkscs (a superset) adds nothing
    if best is None:
        return None
    if best[3]:
        log.warning("%d byte sequence(s) not valid %s replaced by U+FFFD", best[3], best[2])
    return best[1], best[2]


def _detected_text_ok(text: str, coherence: float) -> bool:
    """Whether a detected decoding gives real text in a non-Latin script: mostly letters of
    one alphabet that the detector finds coherent, or Japanese with its hiragana, or Korean
    with its common syllables (bytes that merely decode give none of these)."""
    wide = len(text) - len(text.encode("ascii", "ignore"))
    if wide < 8:
        return False
    if coherence >= 0.3 and any(len(rx.findall(text)) >= 0.7 * wide for rx in _ALPHABETS):
        return True
    if len(_HIRAGANA_RE.findall(text)) >= 0.15 * wide:
        return True
    hangul = _HANGUL_RE.findall(text)
    return len(hangul) >= 0.5 * wide and sum(ch in _COMMON_HANGUL for ch in hangul) >= 0.25 * len(hangul)


def _decode_detected(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's reading of bytes that are neither UTF-8 nor Chinese, kept only
    when it gives text in a non-Latin script (cp1251 Russian, Shift_JIS, EUC-KR...,
    :func:`_detected_text_ok`): a Western file stays cp1252 (on which the detector
    hesitates between cp1250 and cp1252)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:_DETECT_BYTES]).best()
    if best is None or best.encoding.startswith(("ascii", "utf")):
        return None
    enc = best.encoding
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None
    return (text, enc.replace("_", "-")) if _detected_text_ok(text, best.coherence) else None


def decode_bytes(data: bytes, encoding: str | None = None) -> str:
    """Decode a document's bytes (see :func:`decode_document` for the rules).

    Parameters
    ----------
    data : bytes
    encoding : str, optional
        Force this encoding instead of detecting it.

    Returns
    -------
    str

    Raises
    ------
    _Problem
        Empty, binary or undecodable content (with the line where it shows).
    """
    return decode_document(data, encoding)[0]


def decode_document(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a document's bytes and say which encoding was used.

    In order: ``encoding`` when given; UTF-16 with a BOM; UTF-8 (with or without
    BOM); Chinese in GB18030/GBK or Big5 (:func:`_decode_chinese`: never read as a
    single-byte code page); another non-Latin encoding that charset-normalizer
    detects (cp1251, Shift_JIS, EUC-KR...) when the text it gives is in that script;
    else cp1252, else latin-1.

    Parameters
    ----------
    data : bytes
    encoding : str, optional
        Force this encoding instead of detecting it.

    Returns
    -------
    (str, str)
        The text and the encoding: ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``,
        ``"gb18030"``, ``"big5"``, ``"cp1252"``, ``"latin-1"``, a detected one, or
        ``encoding`` as given.

    Raises
    ------
    _Problem
        Empty, binary or undecodable content (with the line where it shows).
    """
    if not data.strip():
        raise _Problem("the file is empty", hint='Remove it, or load with errors="skip"')
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as err:
            start = getattr(err, "start", 0)
            raise _Problem(
                f"cannot be decoded as {encoding} ({err.__class__.__name__} at byte {start})",
                line=_line_of(data, start),
                hint="Pass the file's real encoding= (or leave encoding unset to detect it)",
            ) from None
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    head = data[:8192]
    nul = head.find(b"\x00")
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if nul >= 0 or controls > 0.05 * len(head):
        raise _Problem(
            "binary content, not text" + (" (a NUL byte)" if nul >= 0 else " (control characters)"),
            line=_line_of(data, nul if nul >= 0 else 0),
            hint='Remove the file; if it is UTF-16 text without a byte-order mark, pass encoding="utf-16"',
        )
    try:
        return data.decode("utf-8-sig"), ("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")
    except UnicodeDecodeError:
        pass
    found = _decode_chinese(data) or _decode_detected(data)
    if found is not None:
        return found
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    text = data.decode("latin-1")
    c1 = sum(1 for ch in text if "\x80" <= ch <= "\x9f")
    if c1 > max(2, 0.001 * len(text)):
        first = next(i for i, ch in enumerate(text) if "\x80" <= ch <= "\x9f")
        raise _Problem(
            "not UTF-8, cp1252 or latin-1 text (undecodable bytes; not Chinese GB18030 or Big5 "
            "either, and no other encoding detected)",
            line=_line_of(data, first),
            hint="Convert it to UTF-8, or pass its encoding= explicitly",
        )
    return text, "latin-1"


# --- members of folders and archives -----------------------------------------------------


@dataclass
class _Member:
    rel: str  # path inside the source, POSIX separators, cleaned (never escapes the source)
    display: str  # path shown to users (file path, or archive!member)
    read: Callable[[], bytes]
    #: Set when the member is not a candidate document at all (listed in ``ignored``).
    ignore: str | None = None
    #: The archive's own entry (a zip's ``ZipInfo``): the dask backend reads the member
    #: again in a partition without listing the archive again.
    info: Any = None
    #: The damaged rest of an archive cut short: a document that is always skipped (its
    #: ``read`` raises the damage), listed after the others, outside the common folder.
    remainder: bool = False


def _refuse(problem: _Problem) -> Callable[[], bytes]:
    """A ``read`` that raises ``problem``: the member is seen, then skipped with its reason."""

    def read() -> bytes:
        raise problem

    read.problem = problem  # known without reading (the dask backend reads no bytes for it)
    return read


def _classify(rel: str, suffixes: tuple[str, ...]) -> str | None:
    """None when ``rel`` is a document, else the reason it is ignored."""
    parts = PurePosixPath(rel).parts
    name = parts[-1]
    if any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return "hidden file"
    if name.lower() == _SIDECAR_NAME:
        return "sidecar metadata"
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in suffixes:
        if name.lower().endswith(_ARCHIVE_SUFFIXES):
            return "a nested archive (not opened: extract it and load it on its own)"
        return f"not a document ({suffix or 'no'} extension; documents are {', '.join(suffixes)})"
    if PurePosixPath(name).stem.upper() in _DOC_FILES or name.upper().startswith("README"):
        return "documentation of the corpus, not a document"
    return None


_NOT_UTF8 = _Problem(
    "the name is not valid UTF-8 (shown with \\xNN for its undecodable bytes)",
    hint="Rename the file in UTF-8",
)


def _read_file(full: Path, limits: _Limits, display: str) -> bytes:
    """A file's bytes, bounded; a file that changes or vanishes while read is a problem."""
    try:
        if not stat.S_ISREG(os.stat(full).st_mode):  # before opening: a FIFO would block
            raise _Problem(
                "not a regular file (a device, FIFO or socket)", hint="Remove it from the source"
            )
        fh = open(full, "rb")  # noqa: SIM115 - closed below, stat'ed while open
    except FileNotFoundError as err:
        if not os.path.lexists(full):
            raise _Problem(
                f"cannot be read ({err.__class__.__name__}): it vanished while the corpus was loading",
                hint="Load again once nothing is moving or deleting files in the source",
            ) from None
        raise
    with fh:
        before = os.fstat(fh.fileno())
        if not stat.S_ISREG(before.st_mode):
            raise _Problem(
                "not a regular file (a device, FIFO or socket)", hint="Remove it from the source"
            )
        if before.st_size > limits.max_bytes:
            raise limits.too_big(before.st_size)
        data = _bounded_read(fh, limits, display)
        after = os.fstat(fh.fileno())
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or len(
        data
    ) != after.st_size:
        raise _Problem(
            "the file changed while it was being read",
            hint="Load again once nothing is writing to the source",
        )
    return data


def _folder_members(
    root: Path, keep: Callable[[str], bool] | None = None, limits: _Limits | None = None
) -> tuple[list[_Member], Any]:
    limits = limits or _Limits(str(root))
    members = []
    top = root.resolve()
    unlisted: list[tuple[str, OSError]] = []
    # links to files inside the folder are read; links to folders are not followed (no
    # loops); links to files outside the folder are skipped
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: unlisted.append((e.filename, e))):
        dirnames.sort()
        for d in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            full = Path(dirpath) / d
            rel = full.relative_to(root).as_posix()
            members.append(
                _Member(_shown(rel), _shown(str(full)), lambda: b"", "a link to a folder (not followed)")
            )
        for name in filenames + [
            d
            for d in dirnames
            if PurePosixPath(d).suffix.lower() in DOCUMENT_SUFFIXES
            and not os.path.islink(os.path.join(dirpath, d))
        ]:
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            display = _shown(str(full))
            if _has_surrogates(rel):
                members.append(_Member(_shown(rel), display, _refuse(_NOT_UTF8)))
                continue
            if full.is_symlink():
                target = Path(os.path.realpath(full))
                if not target.is_relative_to(top):
                    members.append(
                        _Member(
                            rel,
                            display,
                            _refuse(
                                _Problem(
                                    f"a link to a file outside the source folder ({_shown(str(target))}; not followed)",
                                    hint="Copy the file into the folder if it belongs to the corpus",
                                )
                            ),
                        )
                    )
                    continue
            members.append(
                _Member(rel, display, (lambda p=full, d=display: _read_file(p, limits, d)))
            )
    for where, err in unlisted:
        where = str(where)
        log.warning("%s: folder not listed (%s)", _shown(where), err)
        rel = Path(where).relative_to(root).as_posix() if Path(where) != root else "."
        members.append(
            _Member(
                _shown(rel) + "/",
                _shown(where),
                lambda: b"",
                f"a folder that cannot be listed ({err.__class__.__name__}: {err.strerror})",
            )
        )
    return members, None


def _file_members(
    path: Path, keep: Callable[[str], bool] | None = None, limits: _Limits | None = None
) -> tuple[list[_Member], Any]:
    """One file read as one document (whatever its extension)."""
    if path.is_dir():
        raise CorpusError(
            "format='text' reads one file, this is a folder",
            path=path,
            hint='Use format="folder"',
        )
    limits = limits or _Limits(str(path))
    return [_Member(path.name, str(path), lambda: _read_file(path, limits, str(path)))], None


def _file_or_folder_members(
    path: Path, keep: Callable[[str], bool] | None = None, limits: _Limits | None = None
) -> tuple[list[_Member], Any]:
    return _folder_members(path, keep, limits) if path.is_dir() else _file_members(path, keep, limits)


# what a damaged member can raise while it is decompressed
_MEMBER_ERRORS = (
    OSError,
    EOFError,
    zipfile.BadZipFile,
    tarfile.TarError,
    zlib.error,
    lzma.LZMAError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


def _zip_name(info: zipfile.ZipInfo) -> str | None:
    """The member's name as UTF-8, or None when it is not UTF-8.

    Names without the zip's UTF-8 flag are decoded as cp437 by :mod:`zipfile`; most
    tools write UTF-8 there anyway, so the bytes are decoded again as UTF-8.
    """
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


def _zip_read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: _Limits, display: str) -> bytes:
    if info.file_size > limits.max_bytes:  # the header may lie: the read is bounded too
        raise limits.too_big(info.file_size)
    try:
        with zf.open(info) as fh:
            return _bounded_read(fh, limits, display)
    except (CorpusError, _Problem):
        raise
    except _MEMBER_ERRORS as err:
        raise _Problem(
            f"a damaged archive member ({err.__class__.__name__}: {err})",
            hint="Check the archive (e.g. unzip -t), or load with errors=\"skip\"",
        ) from None


def _zip_members(
    path: Path, keep: Callable[[str], bool] | None = None, limits: _Limits | None = None
) -> tuple[list[_Member], Any]:
    limits = limits or _Limits(str(path))
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except Exception as err:  # noqa: BLE001 - a hostile file can raise anything zipfile has
        raise CorpusError(
            f"not a readable zip archive ({err.__class__.__name__}: {err})",
            path=path,
            hint="Check the file (unzip -t): a zip cut short (an interrupted download) has lost "
            "its directory at the end and cannot be read, download it again; or pass the right format=",
        ) from None
    members = []
    for info in infos:
        name = _zip_name(info)
        shown = name if name is not None else _shown(
            info.filename.encode("cp437").decode("utf-8", "surrogateescape")
        )
        display = f"{path}!{shown}"
        rel = _clean_rel(shown)
        if info.is_dir() or not rel:
            continue
        mode = info.external_attr >> 16
        if name is None:
            read = _refuse(_NOT_UTF8)
        elif info.flag_bits & 0x1:
            read = _refuse(
                _Problem("encrypted (password-protected)", hint="Decrypt the archive, or load with errors=\"skip\"")
            )
        elif stat.S_ISLNK(mode):
            read = _refuse(
                _Problem("a symbolic link member (not followed)", hint="Put the file itself in the archive")
            )
        else:
            read = lambda i=info, d=display: _zip_read(zf, i, limits, d)  # noqa: E731
        members.append(_Member(rel, display, read, info=info))
    return members, zf


class _TarDamage(Exception):
    """Damage found where :mod:`tarfile` sees the end of the archive."""


class _TarInfo(tarfile.TarInfo):
    """A ``TarInfo`` that records, on the archive, why reading a header failed:
    :mod:`tarfile` ends the listing quietly on a header that is cut short, damaged (bad
    checksum) or missing, as if the archive ended there."""

    @classmethod
    def fromtarfile(cls, tarfile_):
        try:
            return super().fromtarfile(tarfile_)
        except tarfile.HeaderError as err:
            tarfile_._header_error = err
            raise


def _tar_remainder(path: Path, where: str, what: str, n_before: int) -> _Member:
    """The damaged rest of a tar archive as one document that is always skipped."""
    problem = _Problem(
        f"the archive is damaged {where} ({what}): nothing after this point could be read "
        f"({n_before} member(s) before it were read)",
        hint="The file is probably cut short (an interrupted download): download it again "
        "(check it with tar -tvf), or load with errors=\"skip\" to keep the members before the damage",
    )
    return _Member("", str(path), _refuse(problem), remainder=True)


def _tar_end(tf: tarfile.TarFile) -> str | None:
    """How a tar listing that ended without an exception ended: None when at its
    end-of-archive marker (or at a member boundary of a complete stream), else the damage."""
    err = getattr(tf, "_header_error", None)
    if isinstance(err, tarfile.EOFHeaderError):
        return None  # a zero block: the end-of-archive marker
    if isinstance(err, tarfile.TruncatedHeaderError):
        return "a header cut short (TruncatedHeaderError)"
    if isinstance(err, tarfile.InvalidHeaderError):
        return f"a damaged header ({err.__class__.__name__}: {err})"
    # EmptyHeaderError: the data ends at a member boundary, without the end-of-archive
    # marker. A compressed stream that did not reach its own end was cut short; a plain
    # tar may have been written without the marker (GNU tar reads it without a word).
    cmp = getattr(tf.fileobj, "cmp", None)
    if cmp is not None and not getattr(cmp, "eof", True):
        return "the compressed stream ends before its end-of-stream marker"
    return None


def _tar_members(
    path: Path, keep: Callable[[str], bool], limits: _Limits | None = None
) -> tuple[list[_Member], Any]:
    """The members of a tar archive (streamed once, the documents kept read).

    An archive damaged or cut short after at least one member gives the members read
    before the damage, then one member for the damaged rest, which is always skipped (so
    a truncated download loses only what is really missing, and says so). A member whose
    data (with its padding to the next 512-byte block) is cut short is part of the damaged
    rest. Damage before any member is read is a :class:`CorpusError`.
    """
    limits = limits or _Limits(str(path))
    members: list[_Member] = []
    current: tuple[str, bool] | None = None  # (member, its data was being read)
    try:
        # stream once (a .tar.gz cannot be read backwards cheaply), keep the bytes
        with tarfile.open(path, "r|*", tarinfo=_TarInfo) as tf:
            try:
                for info in tf:
                    current = None
                    shown = _shown(info.name)
                    display = f"{path}!{shown}"
                    rel = _clean_rel(shown)
                    if info.isdir() or not rel:
                        continue
                    read = None
                    if _has_surrogates(info.name):
                        read = _refuse(_NOT_UTF8)
                    elif info.issym() or info.islnk():
                        kind = "symbolic" if info.issym() else "hard"
                        read = _refuse(
                            _Problem(
                                f"a {kind} link member (to {_shown(info.linkname)!r}; not followed)",
                                hint="Put the file itself in the archive",
                            )
                        )
                    elif not info.isfile():
                        read = _refuse(
                            _Problem("not a regular file (a device or FIFO member)", hint="Remove it from the archive")
                        )
                    elif keep(rel):
                        if info.size > limits.max_bytes:  # skipping it still decompresses it
                            limits.charge(info.size, display)
                            read = _refuse(limits.too_big(info.size))
                        else:
                            current = (shown, True)
                            try:
                                data = _bounded_read(tf.extractfile(info), limits, display)
                                read = lambda d=data: d  # noqa: E731
                            except _Problem as p:
                                read = _refuse(p)
                            current = None
                    else:
                        limits.charge(info.size, display)  # streamed past: decompressed all the same
                    members.append(_Member(rel, display, read or (lambda: b"")))
                    # its data (and padding) is known to be whole once the next header is read
                    current = (shown, False)
                damage = _tar_end(tf)
                if damage is not None:
                    raise _TarDamage(damage)
            except CorpusError:
                raise
            except Exception as err:  # noqa: BLE001 - a hostile file can raise anything tarfile has
                what = str(err) if isinstance(err, _TarDamage) else f"{err.__class__.__name__}: {err}"
                stream = tf.fileobj
                if current is not None and (
                    current[1] or getattr(stream, "pos", tf.offset) < tf.offset
                ):
                    # the member's data (or its padding) is cut short: it is part of the damage
                    if not current[1]:
                        members.pop()
                    where = f"in member {current[0]!r}"
                else:
                    where = (
                        f"after member {members[-1].display[len(str(path)) + 1 :]!r}"
                        if members
                        else "before any member"
                    )
                if not members:
                    raise CorpusError(
                        f"not a readable tar archive ({what}; damaged {where}, no member could be read)",
                        path=path,
                        hint="Check the file (tar -tvf), download it again, or pass the right format=",
                    ) from None
                members.append(_tar_remainder(path, where, what, len(members)))
    except CorpusError:
        raise
    except Exception as err:  # noqa: BLE001 - a hostile file can raise anything tarfile has
        raise CorpusError(
            f"not a readable tar archive ({err.__class__.__name__}: {err})",
            path=path,
            hint="Check the file, or pass the right format=",
        ) from None
    return members, None


def _common_dir(rels: list[str]) -> str:
    """The longest leading directory shared by every path ("" if none)."""
    if not rels:
        return ""
    dirs = [PurePosixPath(r).parent.parts for r in rels]
    prefix = list(dirs[0])
    for parts in dirs[1:]:
        n = 0
        while n < len(prefix) and n < len(parts) and prefix[n] == parts[n]:
            n += 1
        prefix = prefix[:n]
        if not prefix:
            break
    return "/".join(prefix)


# --- filename patterns ------------------------------------------------------------------


def _compile_pattern(pattern: str) -> tuple[re.Pattern[str], bool, list[str]]:
    fields = re.findall(r"\{(\w*)\}", pattern)
    if not fields or any(not f for f in fields):
        raise CorpusError(
            f"filename_pattern {pattern!r} has no named {{field}}",
            hint='Write fields in braces, e.g. "{country}_{session}_{year}.txt"',
        )
    dupes = sorted({f for f in fields if fields.count(f) > 1})
    if dupes:
        raise CorpusError(
            f"filename_pattern {pattern!r} repeats the field(s) {', '.join(dupes)}",
            hint="Name each field once",
        )
    parts = re.split(r"(\{\w+\})", pattern)
    rx = ""
    for part in parts:
        m = re.fullmatch(r"\{(\w+)\}", part)
        if m:
            name = m.group(1)
            rx += rf"(?P<{name}>\d{{4}})" if name == "year" else rf"(?P<{name}>[^/]+?)"
        else:
            rx += re.escape(part)
    has_suffix = bool(re.search(r"\.\w+$", pattern))
    return re.compile(r"(?:^|/)" + rx + r"$"), has_suffix, fields


def _convert_field(name: str, value: str) -> Any:
    if name in _INT_COLUMNS:
        return int(value) if value.isdigit() else None
    return value


# --- tables --------------------------------------------------------------------------------


def _read_csv_rows(
    path: Path, data: bytes, sep: str, collector: _Collector
) -> tuple[list[str], list[tuple[int, int, dict[str, Any]]]]:
    """Rows of a CSV/TSV as (row number, line, {column: value}); malformed rows go to the collector."""
    try:
        text, collector.decoded = decode_document(data, collector.encoding)
    except _Problem as p:
        raise CorpusError(p.reason, path=path, line=p.line, hint=p.hint) from None
    # strict: a quote left open runs to the end of the file and is an error, not a field
    # that swallows every later row; fields may be as long as a document may be
    old_limit = csv.field_size_limit(max(collector.limits.max_bytes, 131072))
    try:
        return _parse_csv(path, text, sep, collector)
    finally:
        csv.field_size_limit(old_limit)


def _parse_csv(
    path: Path, text: str, sep: str, collector: _Collector
) -> tuple[list[str], list[tuple[int, int, dict[str, Any]]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CorpusError(
            "the table is empty", path=path, hint="Give a header row and one row per document"
        ) from None
    except csv.Error as err:
        raise CorpusError(
            f"the header cannot be parsed ({err})",
            path=path,
            line=1,
            hint="Check the delimiter and quoting",
        ) from None
    header = [h.strip() for h in header]
    rows = []
    n = 0
    while True:
        line_start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            n += 1
            what = (
                f"an unterminated quote: the quoted field opened in this row runs to the end "
                f"of the file ({err})"
                if "unexpected end of data" in str(err)
                else f"malformed row ({err})"
            )
            collector.problem(
                str(path),
                _Problem(
                    what,
                    row=n,
                    line=line_start,
                    hint="Fix the quoting of this row",
                ),
            )
            continue
        if not values or (len(values) == 1 and not values[0].strip()):
            continue  # blank line
        n += 1
        if len(values) != len(header):
            collector.problem(
                str(path),
                _Problem(
                    f"malformed row: {len(values)} fields where the header has {len(header)}",
                    row=n,
                    line=line_start,
                    hint="Quote fields that contain the delimiter, or fix the row",
                ),
            )
            continue
        rows.append(
            (
                n,
                line_start,
                {h: (v if v != "" else None) for h, v in zip(header, values, strict=True)},
            )
        )
    return header, rows


def _read_jsonl_rows(
    path: Path, data: bytes, collector: _Collector
) -> tuple[list[str], list[tuple[int, int, dict[str, Any]]]]:
    try:
        text, collector.decoded = decode_document(data, collector.encoding)
    except _Problem as p:
        raise CorpusError(p.reason, path=path, line=p.line, hint=p.hint) from None
    header: list[str] = []
    rows = []
    n = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        n += 1
        try:
            obj = json.loads(line)
            if "\\u" in line and _has_surrogates(json.dumps(obj, ensure_ascii=False)):
                raise json.JSONDecodeError("a lone surrogate escape (\\ud800-\\udfff)", line, 0)
        except RecursionError:
            collector.problem(
                str(path),
                _Problem("JSON nested too deeply", row=n, line=lineno, hint="Write flat objects"),
            )
            continue
        except json.JSONDecodeError as err:
            collector.problem(
                str(path),
                _Problem(
                    f"malformed JSON ({err.msg})",
                    row=n,
                    line=lineno,
                    hint="Fix the line: one JSON object per line",
                ),
            )
            continue
        if not isinstance(obj, dict):
            collector.problem(
                str(path),
                _Problem(
                    f"a JSON {type(obj).__name__}, not an object",
                    row=n,
                    line=lineno,
                    hint="Write one JSON object per line",
                ),
            )
            continue
        for k in obj:
            if k not in header:
                header.append(k)
        rows.append((n, lineno, obj))
    return header, rows


def _read_parquet_rows(
    path: Path,
) -> tuple[list[str], list[tuple[int, int | None, dict[str, Any]]]]:
    try:
        df = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises many types
        raise CorpusError(
            f"not a readable Parquet file ({err.__class__.__name__}: {err})",
            path=path,
            hint="Check the file, or pass the right format=",
        ) from None
    header = [str(c) for c in df.columns]
    records = df.to_dict("records")
    return header, [
        (i, None, {k: (None if _isna(v) else v) for k, v in rec.items()})
        for i, rec in enumerate(records, start=1)
    ]


def _table_bytes(path: Path, empty_hint: str, limits: _Limits) -> bytes:
    try:
        with open(path, "rb") as fh:
            table = _Limits(str(path), limits.max_source_bytes, 2**62)
            data = _bounded_read(fh, table, str(path))
    except _Problem:
        raise CorpusError(
            f"the table is larger than max_source_bytes={limits.max_source_bytes:,} bytes",
            path=path,
            hint="Raise max_source_bytes= if it is genuine, or split the table",
        ) from None
    except OSError as err:
        raise CorpusError(
            f"cannot be read ({err.__class__.__name__}: {err})",
            path=path,
            hint="Check the file's permissions",
        ) from None
    if not data.strip():
        raise CorpusError("the table is empty", path=path, hint=empty_hint)
    return data


def _csv_table(sep: str):
    def read(path: Path, collector: _Collector):
        data = _table_bytes(path, "Give a header row and one row per document", collector.limits)
        return _read_csv_rows(path, data, sep, collector)

    return read


def _jsonl_table(path: Path, collector: _Collector):
    return _read_jsonl_rows(
        path, _table_bytes(path, "Write one JSON object per line", collector.limits), collector
    )


def _parquet_table(path: Path, collector: _Collector):
    size = path.stat().st_size
    if size > collector.limits.max_source_bytes:
        raise CorpusError(
            f"the table is larger than max_source_bytes={collector.limits.max_source_bytes:,} bytes "
            f"({size:,} bytes)",
            path=path,
            hint="Raise max_source_bytes= if it is genuine, or split the table",
        )
    return _read_parquet_rows(path)


# --- the tables of formats and layouts -----------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """How :func:`load_corpus` reads one format (an entry of :data:`READERS`).

    Exactly one of ``members`` (files: folders, archives, one file) and ``rows``
    (tables) is given.
    """

    #: The name ``load_corpus(format=...)`` and ``--format`` take.
    name: str
    #: One line for help texts.
    description: str
    #: File name endings that select this format under ``format="auto"`` (lower case).
    suffixes: tuple[str, ...] = ()
    #: ``(path, keep, limits) -> (members, closer)``: the files of the source, each read
    #: later (``keep(name)``: whether a member's bytes may be needed; ``limits``: the byte
    #: limits every read respects; ``closer``: closed when done).
    members: Callable[[Path, Callable[[str], bool], _Limits], tuple[list[_Member], Any]] | None = None
    #: ``(path, collector) -> (header, rows)``: a table's columns and its rows as
    #: ``(row number, line, {column: value})`` (``collector.limits``: the byte limits).
    rows: Callable[[Path, _Collector], tuple[list[str], list]] | None = None
    #: How files are read when the format is asked for by name: ``"auto"`` (scraped
    #: article when it has the shape), ``"plain"`` or ``"articles"``.
    article_mode: str = "auto"
    #: The source must be a folder.
    needs_folder: bool = False

    @property
    def is_table(self) -> bool:
        return self.rows is not None


#: The formats of :func:`load_corpus`, by name, in the order help texts list them.
READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        Reader("folder", "a folder of plain text files (no title line, no inference)", (),
               _folder_members, article_mode="plain", needs_folder=True),
        Reader("articles", "scraped articles: title line, '| site' line, paragraphs (folder or one file)", (),
               _file_or_folder_members, article_mode="articles"),
        Reader("text", "one text file", (".txt", ".text"), _file_members),
        Reader("zip", "a .zip archive, read in place", (".zip",), _zip_members),
        Reader("tar", "a tar archive (.tar, .tar.gz, .tgz...), read in place",
               (".tar", ".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz2", ".txz"), _tar_members),
        Reader("csv", "a CSV table, one row per document", (".csv",), rows=_csv_table(",")),
        Reader("tsv", "a tab-separated table", (".tsv", ".tab"), rows=_csv_table("\t")),
        Reader("jsonl", "JSON lines, one object per document", (".jsonl", ".ndjson"), rows=_jsonl_table),
        Reader("parquet", "a Parquet table", (".parquet", ".pq"), rows=_parquet_table),
    )
}

#: Values accepted by ``load_corpus(format=...)``: ``"auto"`` then the names of :data:`READERS`.
FORMATS = ("auto", *READERS)


@dataclass(frozen=True)
class Layout:
    """A file layout recognised inside folders and archives (an entry of :data:`LAYOUTS`).

    Files whose path is in the layout are read as plain text (never as scraped
    articles) and get their id and metadata from their path.
    """

    #: Short name.
    name: str
    #: One line for help texts.
    description: str
    #: ``(path inside the source, companion data) -> (doc_id, fields)`` or None when the
    #: path is not in the layout.
    fields: Callable[[str, Any], tuple[str, dict[str, Any]] | None]
    #: File name (lower case) of a companion file read when the layout is recognised.
    companion: str | None = None
    #: ``(bytes, display path) -> data`` passed to ``fields`` (falsy: nothing usable).
    read_companion: Callable[[bytes, str], Any] | None = None
    #: The reason listed in ``attrs["ignored"]`` for a companion file that was used.
    companion_reason: str = ""


#: Layouts recognised with no option, by name.
LAYOUTS: dict[str, Layout] = {
    "ungdc": Layout(
        "ungdc",
        "UN General Debate: Session NN - YYYY/ISO_NN_YYYY.txt (+ Speakers_by_session.xlsx)",
        _ungdc.document_fields,
        companion=_ungdc.SPEAKERS_FILE,
        read_companion=_ungdc.read_speakers,
        companion_reason="speaker list of the UN General Debate layout (gives speaker, role, country_name)",
    ),
}


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# --- the loader ---------------------------------------------------------------------------


def _detect_format(path: Path) -> str:
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    # the longest matching ending wins (".tar.gz" over any ".gz")
    ends = sorted(((s, r.name) for r in READERS.values() for s in r.suffixes), key=lambda e: -len(e[0]))
    fmt = next((f for s, f in ends if name.endswith(s)), None)
    if fmt is None:
        raise CorpusError(
            f"cannot tell the format of {path.name!r} from its extension",
            path=path,
            hint=f"Pass format= one of {', '.join(READERS)}",
        )
    return fmt


def _doc_record(
    text: str,
    *,
    rel: str,
    display: str,
    doc_id: str,
    article_mode: str,
    infer: bool | str,
    normalise: bool,
    encoding: str | None = None,
) -> dict[str, Any]:
    fix = normalise_text if normalise else (lambda t: t.lstrip("\ufeff"))
    rec: dict[str, Any] = {"doc_id": doc_id, "path": display}
    article = None
    if article_mode != "plain":
        # the article's lines are found on the text as written, then each part is repaired
        article = parse_article(text, require_source=article_mode != "articles")
        if article is not None:
            article = {
                "title": fix(article["title"]),
                "source": article["source"],
                "body": fix(article["body"]),
            }
    if article is None:
        text = fix(text)
        if not text.strip():
            raise _Problem(
                "the file is empty (only whitespace)", hint='Remove it, or load with errors="skip"'
            )
    do_infer = infer is True or (infer == "auto" and article is not None)
    if article is not None:
        rec["text"] = article["body"]
        rec["title"] = article["title"]
        rec["source"] = article["source"]
        if not article["body"]:
            raise _Problem(
                "the article has a title but no body", hint="Add the body, or remove the file"
            )
    else:
        rec["text"] = text
    rec["language"] = detect_language(
        rec["title"] + "\n\n" + rec["text"] if rec.get("title") else rec["text"]
    )
    if encoding is not None:
        rec["encoding"] = encoding
    if do_infer:
        meta = infer_metadata(rec["text"], title=rec.get("title") or "")
        meta.pop("body", None)
        for k, v in meta.items():
            if rec.get(k) is None:
                rec[k] = v
    return rec


def _read_sidecar(meta: str | os.PathLike[str] | pd.DataFrame) -> tuple[pd.DataFrame, str, str]:
    """The sidecar table, its key column and a name for messages."""
    if isinstance(meta, pd.DataFrame):
        df = meta.copy()
        name = "metadata (DataFrame)"
    else:
        mpath = Path(meta)
        name = str(mpath)
        if not mpath.is_file():
            raise CorpusError(
                "the metadata file does not exist",
                path=mpath,
                hint="Check the path given as metadata=",
            )
        collector = _Collector("raise")
        sep = "\t" if mpath.suffix.lower() in (".tsv", ".tab") else ","
        try:
            with open(mpath, "rb") as fh:
                data = _bounded_read(fh, _Limits(name, MAX_SOURCE_BYTES, 2**62), name)
        except _Problem:
            raise CorpusError(
                f"the metadata file is larger than {MAX_SOURCE_BYTES:,} bytes",
                path=mpath,
                hint="Check that metadata= names the sidecar table",
            ) from None
        header, rows = _read_csv_rows(mpath, data, sep, collector)
        df = pd.DataFrame([r[2] for r in rows], columns=header)
    keys = [c for c in ("doc_id", "file", "filename", "file_name", "path") if c in df.columns]
    if not keys:
        raise CorpusError(
            f"no key column (columns: {', '.join(map(str, df.columns))})",
            path=name,
            hint="Add a doc_id or file column that names each document",
        )
    key = keys[0]
    dup = df[key].astype("str").duplicated(keep="first") & df[key].notna()
    if dup.any():
        first = int(dup.to_numpy().nonzero()[0][0]) + 1  # the first repeat
        raise CorpusError(
            f"the key {df[key].iloc[first - 1]!r} appears twice",
            path=name,
            row=first,
            item=key,
            hint="Give each document one row",
        )
    return df, key, name


def _apply_sidecar(
    records: list[dict[str, Any]], rels: list[str], meta, attrs: dict[str, Any]
) -> None:
    df, key, name = _read_sidecar(meta)
    index: dict[str, int] = {}
    for i, (rec, rel) in enumerate(zip(records, rels, strict=True)):
        for k in (rec["doc_id"], rel, PurePosixPath(rel).name, PurePosixPath(rel).stem):
            index.setdefault(k, i)
    unmatched = []
    value_cols = [c for c in df.columns if c not in (key, "doc_id", "path")]
    for rowno, row in enumerate(df.to_dict("records"), start=1):
        k = row[key]
        if _isna(k):
            continue
        k = str(k).strip().replace("\\", "/")
        i = index.get(k)
        if i is None:
            unmatched.append({"row": rowno, "key": k})
            continue
        for col in value_cols:
            v = row[col]
            if not _isna(v) and not (isinstance(v, str) and not v.strip()):
                records[i][col] = v
    if unmatched:
        log.warning(
            "%s: %d row(s) match no document (first: %r)", name, len(unmatched), unmatched[0]["key"]
        )
    attrs["metadata"] = name
    attrs["metadata_unmatched"] = unmatched


def _check_rename(ours: str, theirs: str, present: set[str], path: Path, *, shown: set[str]) -> None:
    """Raise unless ``columns={ours: theirs}`` (for a folder or an archive) can rename
    ``theirs``, one of the fields ``present``, to ``ours``; ``shown``: the fields the hint
    lists. Shared by the pandas path (:func:`_rename_columns`) and the Dask one
    (``discourse.corpus._dask``)."""
    if ours in ("text", "doc_id", "path") or theirs not in present:
        raise CorpusError(
            f"columns={{{ours!r}: {theirs!r}}}: there is no column {theirs!r} to rename"
            if theirs not in present
            else f"columns= cannot set {ours!r} for files",
            path=path,
            hint="For folders and archives, columns= renames fields of a filename pattern or "
            f"a sidecar; the fields here are: {', '.join(sorted(shown))}",
        )


def _rename_columns(records: list[dict[str, Any]], columns: Mapping[str, str], path: Path) -> None:
    """``columns={ours: theirs}`` for folders and archives: rename metadata columns
    (from a filename pattern or a sidecar) to ours."""
    present = {k for rec in records for k in rec}
    for ours, theirs in columns.items():
        if ours == theirs:
            continue
        _check_rename(ours, theirs, present, path, shown=present - {"text", "_row"})
        for rec in records:
            if theirs in rec:
                rec[ours] = rec.pop(theirs)


def _finalise(records: list[dict[str, Any]]) -> pd.DataFrame:
    extras = sorted({k for rec in records for k in rec} - set(CORPUS_COLUMNS))
    cols = CORPUS_COLUMNS + extras
    data: dict[str, Any] = {}
    n = len(records)
    for col in cols:
        if col == "text":
            data[col] = _text_column(records)
            continue
        values = [rec.get(col) for rec in records]
        if col == "date":
            data[col] = _to_datetime(values)
        elif col in _INT_COLUMNS:
            data[col] = pd.array([_to_int(v) for v in values], dtype="Int64")
        elif col in _STRING_COLUMNS or all(v is None or isinstance(v, str) for v in values):
            data[col] = pd.Series([None if _isna(v) else str(v) for v in values], dtype=_STR)
        else:
            data[col] = pd.Series(values)
    df = pd.DataFrame(data, index=pd.RangeIndex(n))
    # years known only from dates
    missing = df["year"].isna() & df["date"].notna()
    if missing.any():
        df.loc[missing, "year"] = df.loc[missing, "date"].dt.year.astype("Int64")
    return df


def _text_column(records: list[dict[str, Any]]) -> pd.Series:
    """The text column, built from UTF-8 bytes in one buffer (half the peak memory of a list of str).

    Texts are kept as UTF-8 bytes while loading (see :func:`_pack_text`); here they are
    joined once into an Arrow string array, which the DataFrame then holds without copy.
    """
    import numpy as np
    import pyarrow as pa

    encoded = []
    for rec in records:
        t = rec.pop("text", None)
        encoded.append(t if isinstance(t, bytes) else str(t).encode("utf-8"))
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    if not _PANDAS3:  # pandas 2: object columns of str
        return pd.Series([b.decode("utf-8") for b in encoded], dtype=object)
    data = b"".join(encoded)
    del encoded
    arr = pa.LargeStringArray.from_buffers(
        len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data)
    )
    return pd.Series(pd.array(arr, dtype="str"))


def _pack_text(rec: dict[str, Any]) -> dict[str, Any]:
    """Keep a record's text as UTF-8 bytes until the table is built (memory)."""
    if isinstance(rec.get("text"), str):
        rec["text"] = rec["text"].encode("utf-8")
    return rec


def _to_int(v: Any) -> int | None:
    if v is None or _isna(v):
        return None
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return int(v)
    try:
        f = float(str(v).strip())
    except ValueError:
        return None
    return int(f) if f.is_integer() else None


def _to_datetime(values: list[Any]) -> pd.Series:
    """Dates (datetime.date, Timestamp or text in any common format) to datetime64; NaT if unparseable."""
    clean = pd.Series([None if v is None or _isna(v) else v for v in values], dtype=object)
    try:
        out = pd.to_datetime(clean, errors="coerce", format="mixed")
    except (TypeError, ValueError):  # e.g. mixed time zones: one value at a time
        out = pd.Series(
            [pd.to_datetime(v, errors="coerce") if v is not None else pd.NaT for v in clean]
        )
        out = pd.to_datetime(out, errors="coerce", utc=True).dt.tz_localize(None)
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert("UTC").dt.tz_localize(None)
    return out.astype("datetime64[ns]")


def load_corpus(
    source: str | os.PathLike[str],
    *,
    format: str = "auto",
    filename_pattern: str | None = None,
    metadata: str | os.PathLike[str] | pd.DataFrame | None = None,
    errors: str = "raise",
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    suffixes: Iterable[str] = DOCUMENT_SUFFIXES,
    normalise: bool = True,
    infer: bool | str = "auto",
    progress: bool = False,
    max_bytes: int = MAX_BYTES,
    max_source_bytes: int = MAX_SOURCE_BYTES,
    backend: str = "pandas",
) -> pd.DataFrame:
    """Load a corpus into the corpus table: one row per document.

    Parameters
    ----------
    source : str or path-like
        A folder (read recursively), a ``.zip`` or ``.tar[.gz|.bz2|.xz]`` archive
        (read in place), a single ``.txt`` file, or a table (``.csv``, ``.tsv``,
        ``.jsonl``, ``.parquet``).
    format : str, default "auto"
        ``"auto"`` (from the path), ``"folder"`` (plain text files: no title line,
        no inference), ``"articles"`` (every file is a scraped article), ``"text"``
        (one file), ``"zip"``, ``"tar"``, ``"csv"``, ``"tsv"``, ``"jsonl"``,
        ``"parquet"``. With ``"auto"``, each file of a folder or archive is read as a
        scraped article when it has that shape (title line, then a ``"| site"``
        line), else as plain text.
    filename_pattern : str, optional
        Metadata in file names, e.g. ``"{country}_{session}_{year}.txt"``; each
        field becomes a column (``year`` and ``session`` as integers). A pattern
        with a ``/`` matches the end of the path inside the source. A file whose
        name does not match is a bad file (see ``errors``).
    metadata : path or DataFrame, optional
        Sidecar metadata keyed by ``doc_id`` or ``file`` (file name, relative path
        or stem). Non-empty values add or override columns. Default: a
        ``metadata.csv`` at the top of a folder or archive, if there is one.
    errors : {"raise", "skip"}, default "raise"
        On a bad file or row (unreadable, empty, binary, undecodable, malformed,
        duplicate doc_id, name not matching the pattern): raise
        :class:`~discourse.errors.CorpusError`, or skip it, log a warning and list
        it in ``corpus.attrs["skipped"]``. A source that cannot be read at all
        (missing path, unknown format, table without a text column) always raises.
        A tar archive cut short or damaged after its first member is read up to the
        damage; the damaged rest is one bad file (see ``docs/corpus.md``).
    columns : mapping, optional
        Our column name -> the source's, e.g. ``{"text": "body", "speaker": "author"}``.
        For tables, the table's columns; for folders and archives, fields of the
        filename pattern or sidecar (``{"country": "iso"}``). A column that does not
        exist is an error.
    encoding : str, optional
        Force an encoding for every file (and for a CSV/TSV/JSONL table); default:
        detect (:func:`decode_document`: UTF-8 with or without BOM, UTF-16 with BOM,
        Chinese GB18030 or Big5, another non-Latin encoding charset-normalizer
        detects, else cp1252, else latin-1). The encoding used is the ``encoding``
        column.
    suffixes : iterable of str, default (".txt", ".text")
        File extensions read as documents in folders and archives.
    normalise : bool, default True
        Repair text with :func:`~discourse.corpus.normalise_text`.
    infer : {"auto", True, False}, default "auto"
        Infer metadata from text (:func:`~discourse.corpus.infer_metadata`):
        ``"auto"`` for scraped articles only; True for every document (inferred
        values never override given ones); False never.
    progress : bool, default False
        Show a tqdm progress bar (on stderr) while reading 100 files or rows or more.
    max_bytes : int, default :data:`MAX_BYTES` (64 MiB)
        The most bytes one document may hold (a file, an archive member once
        decompressed, a table row's text); a larger one is a bad file (see ``errors``).
        Counted while reading, whatever an archive's headers say.
    max_source_bytes : int, default :data:`MAX_SOURCE_BYTES` (2 GiB)
        The most bytes read (decompressed) from the whole source, and the largest table
        file; past it the load stops with :class:`~discourse.errors.CorpusError`
        whatever ``errors`` says (an archive bomb).
    backend : {"pandas", "dask"}, default "pandas"
        ``"dask"`` returns a lazy ``dask.dataframe.DataFrame`` with the same columns:
        a corpus store is read with ``dask.dataframe.read_parquet``; a folder or
        archive is read in partitions of files (each read, normalised and inferred
        inside its partition); a table is read here, then partitioned. The skip list
        and counts: :func:`discourse.corpus.load_report`. See ``docs/corpus.md``
        (*Corpus store*, *Loading with dask*).

    A corpus store (a folder written by :func:`discourse.convert_corpus`, recognised by
    its ``manifest.json``) is read back as it was converted: the load options that shape
    the table must then be left at their defaults.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CORPUS_COLUMNS` then extras sorted by name. Files are in
        order of their path inside the source; table rows in table order.
        ``attrs``: ``skipped`` (list of dicts: path, reason, line, row),
        ``ignored`` (files that are not documents: path, reason), ``n_seen``,
        ``n_loaded``, ``n_skipped``, ``source``, ``format``.

    Raises
    ------
    CorpusError
        Bad source or option; a bad file or row when ``errors="raise"``.
    """
    options = {k: v for k, v in locals().items() if k not in ("source", "backend")}
    if backend not in ("pandas", "dask"):
        raise CorpusError(
            f"backend={backend!r} is not an option", hint='Use backend="pandas" or backend="dask"'
        )
    if errors not in ("raise", "skip"):
        raise CorpusError(
            f"errors={errors!r} is not an option", hint='Use errors="raise" or errors="skip"'
        )
    if format != "auto" and format not in READERS:
        raise CorpusError(
            f"format={format!r} is not a known format", hint=f"Use one of auto, {', '.join(READERS)}"
        )
    for name, value in (("max_bytes", max_bytes), ("max_source_bytes", max_source_bytes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CorpusError(
                f"{name}={value!r} is not a positive number of bytes", hint=f"Pass {name}= as an int"
            )
    if infer not in ("auto", True, False):
        raise CorpusError(f"infer={infer!r} is not an option", hint='Use "auto", True or False')
    if isinstance(source, pd.DataFrame):
        raise CorpusError(
            "load_corpus reads files; this is already a DataFrame",
            hint="Pass a path, or use the DataFrame directly",
        )
    path = Path(source).expanduser()
    if not path.exists():
        raise CorpusError(
            "the corpus source does not exist",
            path=path,
            hint="Check the path (a folder, archive or table)",
        )
    from discourse.corpus import store  # here: the store module imports this one

    if format == "auto" and store.is_store(path):
        return store.read_store(path, backend=backend, options=options)
    fmt = _detect_format(path) if format == "auto" else format
    reader = READERS[fmt]
    if reader.needs_folder and not path.is_dir():
        raise CorpusError(
            f"format={fmt!r} needs a folder",
            path=path,
            hint="Pass the folder, or the right format=",
        )
    if reader.is_table and filename_pattern:
        raise CorpusError(
            "filename_pattern applies to the files of a folder or archive, not to a table",
            path=path,
            hint="Drop filename_pattern; a table's metadata is in its columns",
        )
    if backend == "dask":
        from discourse.corpus import _dask

        return _dask.load_dask(path, fmt, options)
    collector = _Collector(errors, _Limits(str(path), max_bytes, max_source_bytes), encoding)
    attrs: dict[str, Any] = {"source": str(path), "format": fmt}
    if reader.is_table:
        if path.is_dir():
            raise CorpusError(
                f"format={fmt!r} needs a file, not a folder", path=path, hint="Pass the table file"
            )
        records, n_seen = _load_table(path, reader, columns, collector, normalise, infer, progress)
        if n_seen == 0:
            raise CorpusError("the table has no rows", path=path, hint="Give one row per document")
        rels = [r["doc_id"] for r in records]
        attrs["ignored"] = []
        sidecar = metadata
    else:
        article_mode = reader.article_mode if format != "auto" else "auto"
        records, rels, n_seen, ignored, auto_sidecar = _load_files(
            metadata is None,
            path,
            reader,
            article_mode,
            filename_pattern,
            collector,
            encoding,
            tuple(s.lower() for s in suffixes),
            normalise,
            infer,
            progress,
        )
        attrs["ignored"] = ignored
        sidecar = metadata if metadata is not None else auto_sidecar
        if n_seen == 0:
            others = ", ".join(PurePosixPath(r["path"]).name for r in ignored[:3])
            raise CorpusError(
                f"no document found (no file ending in {', '.join(suffixes)})",
                path=path,
                hint=(
                    f"{len(ignored)} other file(s) were not documents ({others}); "
                    if ignored
                    else ""
                )
                + ("check" if ignored else "Check")
                + " the path, or pass suffixes= for other extensions",
            )
    records, rels = _drop_duplicates(records, rels, collector)
    if sidecar is not None:
        _apply_sidecar(records, rels, sidecar, attrs)
    if columns and not reader.is_table:
        _rename_columns(records, columns, path)
    df = _finalise(records)
    attrs["skipped"] = collector.skipped
    attrs["n_seen"] = n_seen
    attrs["n_loaded"] = len(df)
    attrs["n_skipped"] = len(collector.skipped)
    if len(df) + len(collector.skipped) != n_seen:  # pragma: no cover - an internal invariant
        raise AssertionError(
            f"loaded {len(df)} + skipped {len(collector.skipped)} != seen {n_seen}"
        )
    df.attrs.update(attrs)
    log.info(
        "loaded %d documents from %s (%d skipped, %d ignored)",
        len(df),
        path,
        len(collector.skipped),
        len(attrs["ignored"]),
    )
    return df


def _drop_duplicates(records: list[dict[str, Any]], rels: list[str], collector: _Collector):
    seen: dict[str, str] = {}
    keep_r, keep_p = [], []
    for rec, rel in zip(records, rels, strict=True):
        did = rec["doc_id"]
        if did in seen:
            collector.problem(
                rec["path"] if rec.get("path") else str(did),
                _Problem(
                    f"duplicate doc_id {did!r} (also {seen[did]})",
                    row=rec.get("_row"),
                    hint='Give each document a unique id (or file name), or load with errors="skip" to keep the first',
                ),
            )
            continue
        seen[did] = f"row {rec['_row']}" if rec.get("_row") else (rec.get("path") or did)
        keep_r.append(rec)
        keep_p.append(rel)
    for rec in keep_r:
        rec.pop("_row", None)
    return keep_r, keep_p


def _progress(items: list[Any], enabled: bool, desc: str):
    if not enabled or len(items) < 100:  # a bar for a few files is noise
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="doc")


def _load_files(
    use_sidecar,
    path,
    reader,
    article_mode,
    filename_pattern,
    collector,
    encoding,
    suffixes,
    normalise,
    infer,
    progress,
    plan_only=False,
):
    companions = {lay.companion for lay in LAYOUTS.values() if lay.companion}
    members, closer = reader.members(
        path,
        lambda name: (_classify(name, suffixes) is None and not plan_only)
        or _classify(name, suffixes) == "sidecar metadata"
        or PurePosixPath(name).name.lower() in companions,
        collector.limits,
    )
    if len(members) == 1 and members[0].display == str(path):
        suffixes = tuple(suffixes) + (path.suffix.lower(),)  # one file: a document whatever its extension
    try:
        members.sort(key=lambda m: (m.remainder, m.rel))
        ignored = []
        members_ignored = []
        docs = []
        sidecars = []
        for m in members:
            reason = None if m.remainder else m.ignore or _classify(m.rel, suffixes)
            if reason is None:
                docs.append(m)
            else:
                ignored.append({"path": m.display, "reason": reason})
                members_ignored.append(m)
                if reason == "sidecar metadata":
                    sidecars.append((m, ignored[-1]))
        common = _common_dir([m.rel for m in docs if not m.remainder])
        # a sidecar is used automatically only at the top of the source
        auto_sidecar = None
        for m, rec in sidecars:
            at_top = PurePosixPath(m.rel).parent.as_posix() in (common or ".", ".")
            if at_top and use_sidecar and auto_sidecar is None:
                auto_sidecar = m
                rec["reason"] = "sidecar metadata (used)"
            elif not use_sidecar:
                rec["reason"] = "sidecar metadata (not used: metadata= was given)"
            else:
                rec["reason"] = (
                    "sidecar metadata below the top of the source (not used; pass metadata= to use it)"
                )
        companion_data = {}
        for lay in LAYOUTS.values():
            if not lay.companion or not any(lay.fields(m.rel, None) for m in docs[:50] + docs[-50:]):
                continue
            for m, rec in zip(members_ignored, ignored, strict=True):
                if PurePosixPath(m.rel).name.lower() == lay.companion:
                    try:
                        companion_data[lay.name] = lay.read_companion(m.read(), m.display)
                    except (OSError, _Problem) as err:
                        log.warning("%s: %s not read (%s)", m.display, lay.companion, err)
                    if companion_data.get(lay.name):
                        rec["reason"] = lay.companion_reason
                    break
        sidecar_df = None
        if auto_sidecar is not None:
            if path.is_dir():
                sidecar_df = Path(auto_sidecar.display)
            else:
                sidecar_df = _sidecar_from_bytes(auto_sidecar)
        pattern = _compile_pattern(filename_pattern) if filename_pattern else None
        if plan_only:  # the dask backend: the documents are read later, in partitions
            return docs, common, pattern, companion_data, ignored, sidecar_df
        records, rels = _read_docs(
            _progress(docs, progress, "reading"),
            common, encoding, pattern, article_mode, infer, normalise, companion_data, collector,
        )
        return records, rels, len(docs), ignored, sidecar_df
    finally:
        if closer is not None:
            closer.close()


def _read_docs(
    docs, common, encoding, pattern, article_mode, infer, normalise, companion_data, collector
) -> tuple[list[dict[str, Any]], list[str]]:
    """Read documents (members, in order) into records; bad ones go to ``collector``."""
    records, rels = [], []
    for m in docs:
        rel = m.rel[len(common) + 1 :] if common else m.rel
        try:
            rec = _read_member(
                m, rel, encoding, pattern, article_mode, infer, normalise, companion_data
            )
        except _Problem as p:
            collector.problem(m.display, p)
            continue
        records.append(_pack_text(rec))
        rels.append(rel)
    return records, rels


def _sidecar_from_bytes(m: _Member) -> pd.DataFrame:
    collector = _Collector("raise")
    try:
        data = m.read()
    except _Problem as p:
        raise CorpusError(p.reason, path=m.display, hint=p.hint) from None
    header, rows = _read_csv_rows(Path(m.display), data, ",", collector)
    return pd.DataFrame([r[2] for r in rows], columns=header)


def _read_member(
    m: _Member, rel: str, encoding, pattern, article_mode, infer, normalise, companion_data
) -> dict[str, Any]:
    try:
        data = m.read()
    except _MEMBER_ERRORS as err:
        if isinstance(err, CorpusError):
            raise
        raise _Problem(
            f"cannot be read ({err.__class__.__name__}: {err})",
            hint="Check the file's permissions and that it is not damaged",
        ) from None
    text, decoded = decode_document(data, encoding)
    doc_id, fields, in_layout = _member_identity(m.rel, rel, pattern, companion_data)
    rec = _doc_record(
        text,
        rel=rel,
        display=m.display,
        doc_id=doc_id,
        article_mode="plain" if in_layout else article_mode,
        infer=infer,
        normalise=normalise,
        encoding=decoded,
    )
    for k, v in fields.items():
        rec[k] = v  # layout and pattern override inferred values
    return rec


def _member_identity(
    member_rel: str, rel: str, pattern, companion_data
) -> tuple[str, dict[str, Any], bool]:
    """A document's id, the fields its path gives (layout, pattern) and whether it is in a
    layout: from its path alone (raises :class:`_Problem` when it does not match the pattern)."""
    doc_id = str(PurePosixPath(rel).with_suffix(""))
    fields: dict[str, Any] = {}
    in_layout = False
    for lay in LAYOUTS.values():
        hit = lay.fields(member_rel, companion_data.get(lay.name))
        if hit is not None:
            doc_id, fields = hit
            in_layout = True
            break
    if pattern is not None:
        rx, has_suffix, names = pattern
        target = rel if has_suffix else str(PurePosixPath(rel).with_suffix(""))
        pm = rx.search(target)
        if pm is None:
            raise _Problem(
                f"the file name does not match filename_pattern {rx.pattern!r}",
                hint='Rename the file, fix the pattern, or load with errors="skip"',
            )
        for name in names:
            value = _convert_field(name, pm.group(name))
            if name == "doc_id":
                doc_id = value
            elif value is not None:
                fields[name] = value
    return doc_id, fields, in_layout


def _load_table(path, reader, columns, collector, normalise, infer, progress):
    header, rows = reader.rows(path, collector)
    n_seen = len(rows) + len(collector.skipped)
    mapping = dict(columns or {})
    for ours, theirs in mapping.items():
        if theirs not in header:
            raise CorpusError(
                f"column {theirs!r} (given for {ours!r}) is not in the table",
                path=path,
                hint=f"The columns are: {', '.join(header)}",
            )
    rename = {theirs: ours for ours, theirs in mapping.items()}
    text_col = mapping.get("text", "text")
    if text_col not in header:
        raise CorpusError(
            "the table has no text column" + (f" {text_col!r}" if text_col != "text" else ""),
            path=path,
            item=f"columns: {', '.join(header)}",
            hint='Name the text column with columns={"text": "<column>"} (CLI: --text-column)',
        )
    width = len(str(n_seen))
    records = []
    for rowno, line, row in _progress(rows, progress, "reading"):
        rec: dict[str, Any] = {}
        for k, v in row.items():
            rec[rename.get(k, k)] = v
        where = {"row": rowno, "line": line}
        text = rec.get("text")
        if text is None or (isinstance(text, str) and not text.strip()):
            collector.problem(
                str(path),
                _Problem("the row has no text", **where, hint="Fill the text, or remove the row"),
            )
            continue
        if not isinstance(text, str):
            collector.problem(
                str(path),
                _Problem(
                    f"the text is a {type(text).__name__} ({_shown(repr(text))[:40]}), not a string",
                    **where,
                    hint="Put the text as a string, or name the right column with "
                    'columns={"text": "<column>"} (CLI: --text-column)',
                ),
            )
            continue
        if len(text) > collector.limits.max_bytes:
            big = collector.limits.too_big(len(text))
            collector.problem(str(path), _Problem(big.reason, **where, hint=big.hint))
            continue
        if normalise:
            text = normalise_text(text)
        rec["text"] = text
        if rec.get("doc_id") is None:
            rec["doc_id"] = f"{path.stem}-{rowno:0{width}d}"
        else:
            rec["doc_id"] = str(rec["doc_id"]).strip()
        rec["path"] = f"{path}"
        rec["_row"] = rowno
        if rec.get("language") is None or (isinstance(rec["language"], str) and not rec["language"].strip()):
            rec["language"] = detect_language(
                rec["title"] + "\n\n" + text if isinstance(rec.get("title"), str) else text
            )
        if collector.decoded is not None and rec.get("encoding") is None:
            rec["encoding"] = collector.decoded
        if infer is True:
            meta = infer_metadata(text, title=rec.get("title") or "")
            meta.pop("body", None)
            for k, v in meta.items():
                if rec.get(k) is None:
                    rec[k] = v
        records.append(_pack_text(rec))
    return records, n_seen
