"""Bundled and synthetic corpora: the demo corpus and a generator with planted themes.

Two sources of data need no download:

* :func:`load_demo_corpus` loads the demo corpus bundled in ``data/demo/`` (150 fictional
  news articles about 12 events of four series, 2019-2024, written by the project; see
  ``data/demo/README.md``). :func:`demo_corpus_path` says where it is.
* :func:`make_synthetic_corpus` writes a corpus of any size whose theme rates are known:
  for each event and theme of the default dictionary, the expected number of
  occurrences of the theme's canonical phrase (:data:`CANONICAL_PHRASES`) per 1,000
  tokens. The rest of the text is filler from a neutral vocabulary
  (:data:`FILLER_WORDS`) that matches no theme, so counting the themes of a synthetic
  corpus must recover the planted counts exactly, and the planted rates approximately.
  Tests and benchmarks use it at any size (100,000 documents take a few seconds).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from discourse.errors import CorpusError

__all__ = [
    "CANONICAL_PHRASES",
    "FILLER_WORDS",
    "DEFAULT_SERIES",
    "demo_corpus_path",
    "load_demo_corpus",
    "validation_path",
    "make_synthetic_corpus",
    "planted_rates",
    "default_theme_rates",
]

#: Environment variable that points :func:`demo_corpus_path` at another folder.
DEMO_ENV = "DISCOURSE_DEMO"

#: Theme id -> the canonical phrase planted by :func:`make_synthetic_corpus`. Each phrase
#: matches exactly its theme in the default dictionary (a contract of the dictionary).
CANONICAL_PHRASES: dict[str, str] = {
    "digital_divide": "digital divide",
    "ai_safety": "AI safety",
    "governance_deficit": "global digital governance deficit",
    "cybersecurity": "cybersecurity",
    "data_governance": "data protection",
    "digital_economy": "digital economy",
    "digital_government": "e-government",
    "digital_culture": "digital culture",
    "inclusive_society": "inclusive digital society",
    "green_digital": "green digital transformation",
    "cooperation": "multilateral cooperation",
    "people_centred": "people-centred approach",
}

#: Neutral filler vocabulary: everyday words that belong to no theme of the default
#: dictionary (no divide, gap, access, risk, safety, rules, data, digital, green,
#: network, rights, cooperation...). Function words make the text look like prose.
FILLER_WORDS: tuple[str, ...] = tuple(
    """the the the the the of of of and and and a a to to in in on with for at by
    from as that this it was were is are be has have had its their there which
    after before during over under between around across along near beside
    river stone cloud window table chair lamp garden meadow harbour pebble orange
    violet silver copper maple willow cedar birch pine lantern kettle teapot
    basket ribbon button pencil notebook envelope stamp postcard blanket pillow
    curtain carpet ladder bucket shovel wheelbarrow fence gate porch attic cellar
    kitchen pantry oven spoon fork plate bowl cup saucer jug bottle cork candle
    wick feather pebble shell sand dune cliff valley hill slope ridge peak
    lake pond stream brook waterfall puddle rain snow frost hail mist fog breeze
    gust thunder rainbow dawn dusk noon midnight morning evening afternoon autumn
    winter summer season weekend holiday picnic parade festival lantern kite
    balloon puzzle riddle story song melody rhythm drum flute violin piano guitar
    painter baker tailor carpenter gardener fisher shepherd farmer sailor pilot
    traveller visitor neighbour cousin uncle aunt grandmother grandfather
    cat dog horse sheep goat cow duck goose swan heron sparrow robin owl fox
    badger rabbit squirrel hedgehog beetle butterfly moth bee ant snail frog
    apple pear plum cherry lemon melon grape berry walnut almond chestnut honey
    bread cheese butter soup porridge pancake biscuit cake pie jam tea coffee
    quiet gentle bright slow round tall narrow wooden woollen golden dusty sunny
    windy rainy cosy warm cool soft smooth rough heavy light tiny vast old young
    walked carried painted folded sang whistled baked planted watered swept
    climbed crossed wandered rested waited listened watched noticed gathered
    sorted polished mended stitched knitted poured stirred tasted counted
    slowly softly gladly quietly gently often rarely later soon again still""".split()
)

#: Default series used by :func:`make_synthetic_corpus` (fictional names).
DEFAULT_SERIES: tuple[str, ...] = ("Harbour Forum", "Meridian Summit")

_SYNTH_COUNTRIES = ("BRA", "CHN", "DEU", "EGY", "FRA", "IND", "JPN", "KEN", "MEX", "NZL")
_SYNTH_ORGS = (
    "Lantern Institute",
    "Maple Foundation",
    "Willow Council",
    "Cedar Society",
    "Copper Guild",
    "Heron Trust",
)


# --- the bundled demo corpus ------------------------------------------------------


def shipped_folder(checkout: tuple[str, ...], bundled: str, pattern: str) -> Path | None:
    """A folder the project ships, in a checkout or bundled in an installed wheel.

    Looks first in the checkout (``checkout`` below the project root, e.g.
    ``("data", "demo")``), then in ``discourse/_bundled/<bundled>`` (copied there by
    ``setup.py`` when a wheel is built); a folder counts when it holds a file matching
    ``pattern`` (a glob, ``**`` allowed). Returns None when neither has one.
    """
    package = Path(__file__).resolve().parent
    for folder in (package.parents[1].joinpath(*checkout), package / "_bundled" / bundled):
        if folder.is_dir() and any(folder.glob(pattern)):
            return folder
    return None


def demo_corpus_path() -> Path:
    """Return the folder of the demo corpus (``data/demo``).

    Looked for, in order: the folder named by the environment variable
    ``DISCOURSE_DEMO``; ``data/demo`` of the checkout the package runs from (an editable
    install, ``make setup``); the copy bundled in the package at build time
    (``discourse/_bundled/demo``, present when discourse is installed from a wheel).

    Returns
    -------
    pathlib.Path
        An existing folder holding the demo articles and their README.

    Raises
    ------
    CorpusError
        When ``DISCOURSE_DEMO`` names no folder, or when neither a checkout nor the
        bundled copy holds the demo corpus (a broken install).

    Examples
    --------
    >>> (demo_corpus_path() / "README.md").is_file()
    True
    """
    env = os.environ.get(DEMO_ENV)
    if env:
        path = Path(env)
        if not path.is_dir():
            raise CorpusError(
                "the demo corpus folder named by DISCOURSE_DEMO does not exist",
                path=path,
                hint="Point DISCOURSE_DEMO at the data/demo folder of a discourse checkout, or unset it",
            )
        return path
    package = Path(__file__).resolve().parent
    found = shipped_folder(("data", "demo"), "demo", "**/*.txt")
    if found is not None:
        return found
    raise CorpusError(
        "the demo corpus was found neither in a checkout (data/demo) nor bundled in the "
        "installed package (discourse/_bundled/demo)",
        path=package,
        hint=(
            "Reinstall discourse from a wheel or sdist built by its setup.py (it bundles "
            "the demo corpus), install it editable from a checkout (pip install -e .), or "
            "set DISCOURSE_DEMO to a data/demo folder"
        ),
    )


def validation_path() -> Path:
    """Return the project's labelled validation set (``data/validation/ungdc-sentences.csv``).

    Sentences of UN General Debate speeches 2000-2024, stored as references (doc_id and
    character offsets into ``load_corpus("../shared/corpora/ungdc.zip")``), labelled
    for the three mission themes; see ``data/validation/README.md``. The later rounds
    (``ungdc-sentences-round2.csv`` ... ``-round4.csv``) are in the same folder. Found like
    :func:`demo_corpus_path`: in the checkout the package runs from (an editable
    install), else in the copy bundled in the package when a wheel is built
    (``discourse/_bundled/validation``).

    Raises
    ------
    CorpusError
        When neither a checkout nor the bundled copy holds the file (a broken install).
    """
    found = shipped_folder(("data", "validation"), "validation", "ungdc-sentences.csv")
    if found is not None:
        return found / "ungdc-sentences.csv"
    raise CorpusError(
        "the labelled validation set (data/validation/ungdc-sentences.csv) was found neither "
        "in a checkout nor bundled in the installed package (discourse/_bundled/validation)",
        path=Path(__file__).resolve().parent,
        hint=(
            "Reinstall discourse from a wheel or sdist built by its setup.py (it bundles "
            "the labelled set), or install it editable from a checkout (pip install -e .)"
        ),
    )


def load_demo_corpus(**load_options: Any) -> pd.DataFrame:
    """Load the bundled demo corpus with :func:`discourse.load_corpus`.

    Parameters
    ----------
    **load_options
        Passed on to :func:`discourse.load_corpus` (e.g. ``errors="skip"``).
        ``format`` defaults to ``"articles"``: every demo file is a scraped article.

    Returns
    -------
    pandas.DataFrame
        The corpus table (one row per article; columns as for any corpus).

    Examples
    --------
    >>> corpus = load_demo_corpus()  # doctest: +SKIP
    >>> corpus["event"].nunique()  # doctest: +SKIP
    12
    """
    from discourse.corpus import load_corpus

    load_options.setdefault("format", "articles")
    return load_corpus(demo_corpus_path(), **load_options)


# --- the synthetic corpus ---------------------------------------------------------


def default_theme_rates(n_events: int) -> pd.DataFrame:
    """The planted rates used by :func:`make_synthetic_corpus` when none are given.

    Trends across events (in time order): ``ai_safety`` rises from 0.2 to 4 per 1,000
    tokens, ``digital_divide`` falls from 4 to 0.5, ``governance_deficit`` and
    ``green_digital`` rise gently; the other themes are constant.

    Parameters
    ----------
    n_events : int
        Number of events.

    Returns
    -------
    pandas.DataFrame
        Columns ``event_index`` (0-based, time order), ``theme``, ``rate_per_1k``.
    """
    t = np.linspace(0.0, 1.0, n_events) if n_events > 1 else np.zeros(1)
    profiles = {
        "digital_divide": 4.0 - 3.5 * t,
        "ai_safety": 0.2 + 3.8 * t**2,
        "governance_deficit": 0.5 + 1.5 * t,
        "cybersecurity": np.full(n_events, 1.5),
        "data_governance": np.full(n_events, 1.0),
        "digital_economy": np.full(n_events, 2.0),
        "digital_government": np.full(n_events, 0.5),
        "digital_culture": np.full(n_events, 0.3),
        "inclusive_society": np.full(n_events, 0.5),
        "green_digital": 0.4 + 1.2 * t,
        "cooperation": np.full(n_events, 1.0),
        "people_centred": np.full(n_events, 0.5),
    }
    rows = [
        (i, theme, float(round(rates[i], 6)))
        for i in range(n_events)
        for theme, rates in profiles.items()
    ]
    return pd.DataFrame(rows, columns=["event_index", "theme", "rate_per_1k"])


def _make_events(
    n_events: int, events: Any, series: Sequence[str], start_year: int
) -> pd.DataFrame:
    """Event table: event, event_series, year, date (time order)."""
    if events is None:
        if n_events < 1:
            raise CorpusError(
                f"n_events must be at least 1, got {n_events}",
                hint="Pass n_events=1 or more",
            )
        if not series:
            raise CorpusError(
                "series must name at least one event series", hint="Pass series=('My Forum',)"
            )
        rows = []
        for i in range(n_events):
            s = series[i % len(series)]
            year = start_year + i
            # spread dates over the year, deterministically
            month = 3 + (i * 5) % 9
            day = 1 + (i * 7) % 27
            rows.append((f"{s} {year}", s, year, pd.Timestamp(year=year, month=month, day=day)))
        return pd.DataFrame(rows, columns=["event", "event_series", "year", "date"])
    if isinstance(events, pd.DataFrame):
        table = events.copy()
        if "event" not in table.columns:
            raise CorpusError(
                "the events table has no 'event' column",
                item="events",
                hint="Pass a DataFrame with columns event and optionally event_series, year, date",
            )
    else:
        if isinstance(events, str) or not isinstance(events, Sequence):
            raise CorpusError(
                f"events must be a list of event names or a DataFrame, got {type(events).__name__}",
                item="events",
                hint="Pass e.g. events=['Harbour Forum 2019', 'Harbour Forum 2021']",
            )
        table = pd.DataFrame({"event": [str(e) for e in events]})
    if table.empty:
        raise CorpusError("events is empty", item="events", hint="Name at least one event")
    if table["event"].duplicated().any():
        dup = table.loc[table["event"].duplicated(), "event"].iloc[0]
        raise CorpusError(
            f"event {dup!r} is listed twice", item="events", hint="Name each event once"
        )
    n = len(table)
    if "year" not in table.columns:
        parsed = table["event"].str.extract(r"((?:19|20)\d\d)\s*$")[0]
        fallback = pd.Series(np.arange(start_year, start_year + n), index=table.index)
        table["year"] = pd.to_numeric(parsed).fillna(fallback).astype(int)
    if "event_series" not in table.columns:
        stripped = table["event"].str.replace(r"\s*(?:19|20)\d\d\s*$", "", regex=True)
        table["event_series"] = stripped.where(stripped != "", table["event"])
    if "date" not in table.columns:
        table["date"] = pd.to_datetime({"year": table["year"].astype(int), "month": 6, "day": 15})
    table = table[["event", "event_series", "year", "date"]].reset_index(drop=True)
    table["event"] = table["event"].astype(str)
    table["event_series"] = table["event_series"].astype(str)
    return table


def _rate_matrix(theme_rates: Any, event_table: pd.DataFrame, themes: list[str]) -> np.ndarray:
    """Return an (n_events, n_themes) array of planted rates per 1,000 tokens."""
    n_events = len(event_table)
    rates = np.zeros((n_events, len(themes)))
    col = {t: j for j, t in enumerate(themes)}
    if theme_rates is None:
        table = default_theme_rates(n_events)
        for i, theme, rate in table.itertuples(index=False):
            rates[i, col[theme]] = rate
        return rates
    if isinstance(theme_rates, pd.DataFrame):
        missing = {"event", "theme", "rate_per_1k"} - set(theme_rates.columns)
        if missing:
            raise CorpusError(
                f"theme_rates lacks the column(s) {sorted(missing)}",
                item="theme_rates",
                hint="Pass a tidy table with columns event, theme, rate_per_1k",
            )
        index = {e: i for i, e in enumerate(event_table["event"])}
        for pos, (event, theme, rate) in enumerate(
            theme_rates[["event", "theme", "rate_per_1k"]].itertuples(index=False), start=1
        ):
            if event not in index:
                raise CorpusError(
                    f"unknown event {event!r}",
                    row=pos,
                    item="theme_rates",
                    hint=f"Use one of the events: {', '.join(event_table['event'])}",
                )
            if theme not in col:
                raise CorpusError(
                    f"unknown theme {theme!r}",
                    row=pos,
                    item="theme_rates",
                    hint=f"Use one of: {', '.join(themes)}, or add it to phrases=",
                )
            rates[index[event], col[theme]] = float(rate)
    elif isinstance(theme_rates, Mapping):
        for theme, value in theme_rates.items():
            if theme not in col:
                raise CorpusError(
                    f"unknown theme {theme!r}",
                    item="theme_rates",
                    hint=f"Use one of: {', '.join(themes)}, or add it to phrases=",
                )
            arr = np.asarray(value, dtype=float)
            if arr.ndim == 0:
                arr = np.full(n_events, float(arr))
            if arr.shape != (n_events,):
                raise CorpusError(
                    f"theme {theme!r} has {arr.size} rates for {n_events} events",
                    item="theme_rates",
                    hint="Give one rate, or one rate per event in time order",
                )
            rates[:, col[theme]] = arr
    else:
        raise CorpusError(
            f"theme_rates must be a dict or a DataFrame, got {type(theme_rates).__name__}",
            item="theme_rates",
            hint="Pass {theme: rate or [rate per event]} or a table event, theme, rate_per_1k",
        )
    if not np.all(np.isfinite(rates)) or (rates < 0).any():
        raise CorpusError(
            "theme rates must be finite and non-negative",
            item="theme_rates",
            hint="Give rates per 1,000 tokens such as 0.5 or 3",
        )
    return rates


def make_synthetic_corpus(
    n_docs: int,
    *,
    seed: int = 0,
    n_events: int = 8,
    events: Sequence[str] | pd.DataFrame | None = None,
    theme_rates: Mapping[str, Any] | pd.DataFrame | None = None,
    doc_length: tuple[int, int] = (150, 600),
    start_year: int = 2015,
    series: Sequence[str] = DEFAULT_SERIES,
    phrases: Mapping[str, str] | None = None,
    sentence_length: float = 14.0,
    paragraph_sentences: float = 4.0,
    return_counts: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a corpus with known theme rates per event.

    Each document belongs to one event (documents are split into contiguous, nearly
    equal blocks, one per event, in time order). Its length in tokens ``L`` is drawn
    uniformly from ``doc_length``; for each theme, the number of times its phrase is
    planted is Poisson with mean ``rate * L / 1000``, where ``rate`` is the event's
    planted rate for the theme. So the expected count per 1,000 tokens of a theme in
    an event is its planted rate. The rest is filler (:data:`FILLER_WORDS`), in
    sentences (about ``sentence_length`` tokens) and paragraphs (about
    ``paragraph_sentences`` sentences, separated by blank lines). A filler word always
    follows a planted phrase, so two phrases never touch.

    Parameters
    ----------
    n_docs : int
        Number of documents (0 or more).
    seed : int, default 0
        Seed of the random generator: the same arguments give byte-identical corpora.
    n_events : int, default 8
        Number of events generated when ``events`` is not given: event ``i`` is held
        in year ``start_year + i`` by the series ``series[i % len(series)]``, so every
        series has several events and "change from the previous event of the same
        series" is meaningful.
    events : list of str or DataFrame, optional
        The events, in time order, instead of generated ones: names such as
        ``"Harbour Forum 2019"`` (series and year are read from a trailing year), or a
        table with column ``event`` and optionally ``event_series``, ``year``, ``date``.
    theme_rates : dict or DataFrame, optional
        Planted rates per 1,000 tokens: ``{theme: rate}`` or ``{theme: [rate per
        event]}`` (themes not named get 0), or a tidy table ``event, theme,
        rate_per_1k``. Default: :func:`default_theme_rates` (``ai_safety`` rising,
        ``digital_divide`` falling, ...).
    doc_length : (int, int), default (150, 600)
        Inclusive range of document lengths in tokens.
    start_year : int, default 2015
        Year of the first generated event.
    series : sequence of str, default :data:`DEFAULT_SERIES`
        Series names for generated events.
    phrases : dict, optional
        Theme id -> phrase to plant, instead of :data:`CANONICAL_PHRASES`.
    sentence_length : float, default 14
        Mean sentence length in tokens (geometric).
    paragraph_sentences : float, default 4
        Mean number of sentences per paragraph (geometric).
    return_counts : bool, default False
        Also return the exact planted counts.

    Returns
    -------
    corpus : pandas.DataFrame
        The corpus table: ``doc_id`` (``synth-000001``...), ``text``, ``title``,
        ``source`` ("synthetic.example"), ``event``, ``event_series``, ``date``,
        ``year`` (Int64), ``speaker``, ``organisation``, ``country``, ``path`` ("").
        ``corpus.attrs["planted_rates"]`` holds the planted rates as a list of
        records (``event, event_series, year, theme, rate_per_1k``); read them as a
        tidy table with :func:`planted_rates`. (Records, not a DataFrame: pandas
        compares ``attrs`` when concatenating, which a DataFrame would break.)
        ``corpus.attrs["skipped"]`` is empty.
    counts : pandas.DataFrame
        Only with ``return_counts=True``: ``doc_id, theme, count, n_tokens`` (one row
        per document and theme, zeros included), the exact planted counts.

    Raises
    ------
    CorpusError
        On invalid arguments (negative sizes, unknown themes or events, rates so high
        that planted phrases would fill more than half a document).

    Examples
    --------
    >>> corpus = make_synthetic_corpus(100, seed=1)
    >>> len(corpus), corpus["event"].nunique()
    (100, 8)
    >>> planted_rates(corpus).columns.tolist()
    ['event', 'event_series', 'year', 'theme', 'rate_per_1k']
    """
    from discourse.text import tokenize

    if isinstance(n_docs, bool) or not isinstance(n_docs, (int, np.integer)) or n_docs < 0:
        raise CorpusError(
            f"n_docs must be a non-negative integer, got {n_docs!r}", hint="Pass e.g. n_docs=1000"
        )
    n_docs = int(n_docs)
    lo, hi = (int(v) for v in doc_length)
    if lo < 20 or hi < lo:
        raise CorpusError(
            f"doc_length must be (min, max) with 20 <= min <= max, got {doc_length!r}",
            hint="Pass e.g. doc_length=(150, 600)",
        )
    if sentence_length < 2 or paragraph_sentences < 1:
        raise CorpusError(
            "sentence_length must be >= 2 and paragraph_sentences >= 1",
            hint="Use the defaults (14 and 4) unless you need other shapes",
        )
    phrase_map = dict(CANONICAL_PHRASES if phrases is None else phrases)
    themes = list(phrase_map)
    phrase_tokens = np.array([len(tokenize(phrase_map[t])) for t in themes], dtype=np.int64)
    if (phrase_tokens == 0).any():
        bad = themes[int(np.argmax(phrase_tokens == 0))]
        raise CorpusError(
            f"the phrase of theme {bad!r} has no tokens",
            item="phrases",
            hint="Give a phrase with words",
        )

    event_table = _make_events(n_events, events, tuple(series), start_year)
    n_ev = len(event_table)
    rates = _rate_matrix(theme_rates, event_table, themes)
    # planted tokens per 1,000 (each phrase is followed by one filler word)
    load = rates @ (phrase_tokens + 1)
    if (load > 500).any():
        raise CorpusError(
            f"planted phrases would fill {load.max():.0f} of every 1,000 tokens",
            item="theme_rates",
            hint="Lower the rates: planted phrases may fill at most half of a document",
        )

    planted = pd.DataFrame(
        {
            "event": np.repeat(event_table["event"].to_numpy(), len(themes)),
            "event_series": np.repeat(event_table["event_series"].to_numpy(), len(themes)),
            "year": pd.array(np.repeat(event_table["year"].to_numpy(), len(themes)), dtype="Int64"),
            "theme": np.tile(np.array(themes, dtype=object), n_ev),
            "rate_per_1k": rates.ravel(),
        }
    )

    rng = np.random.default_rng(seed)
    doc_event = (np.arange(n_docs) * n_ev) // max(n_docs, 1)
    lengths = rng.integers(lo, hi + 1, size=n_docs)
    counts = (
        rng.poisson(rates[doc_event] * lengths[:, None] / 1000.0)
        if n_docs
        else np.zeros((0, len(themes)), int)
    )
    counts = counts.astype(np.int64)
    planted_tok = counts @ (phrase_tokens + 1)
    over = planted_tok > lengths // 2
    if over.any():
        # rare Poisson tails: thin the counts of those documents until they fit
        for d in np.flatnonzero(over):
            while counts[d] @ (phrase_tokens + 1) > lengths[d] // 2:
                counts[d, int(np.argmax(counts[d]))] -= 1
        planted_tok = counts @ (phrase_tokens + 1)
    n_filler = lengths - planted_tok  # standalone filler words (>= L/2 >= 10)

    texts = _render_texts(
        rng,
        lengths=lengths,
        counts=counts,
        n_filler=n_filler,
        phrases=[phrase_map[t] for t in themes],
        sentence_length=float(sentence_length),
        paragraph_sentences=float(paragraph_sentences),
    )

    width = max(6, len(str(n_docs)))
    doc_ids = np.array([f"synth-{i:0{width}d}" for i in range(1, n_docs + 1)], dtype=object)
    ev = event_table.iloc[doc_event].reset_index(drop=True)
    org_idx = rng.integers(0, len(_SYNTH_ORGS), size=n_docs)
    country_idx = rng.integers(0, len(_SYNTH_COUNTRIES), size=n_docs)
    speaker_idx = rng.integers(1, 501, size=n_docs)
    orgs = np.array(_SYNTH_ORGS, dtype=object)[org_idx]
    countries = np.array(_SYNTH_COUNTRIES, dtype=object)[country_idx]
    speakers = np.array([f"Speaker {i:03d}" for i in range(501)], dtype=object)[speaker_idx]
    titles = np.array(
        [f"Notes {i} from the {e}" for i, e in zip(range(1, n_docs + 1), ev["event"], strict=True)],
        dtype=object,
    )

    corpus = pd.DataFrame(
        {
            "doc_id": pd.array(doc_ids, dtype="str"),
            "text": pd.array(texts, dtype="str"),
            "title": pd.array(titles, dtype="str"),
            "source": pd.array(np.full(n_docs, "synthetic.example", dtype=object), dtype="str"),
            "event": pd.array(ev["event"].to_numpy(dtype=object), dtype="str"),
            "event_series": pd.array(ev["event_series"].to_numpy(dtype=object), dtype="str"),
            # same resolution as load_corpus, so corpora can be concatenated
            "date": pd.to_datetime(ev["date"]).astype("datetime64[ns]").to_numpy(),
            "year": pd.array(ev["year"].to_numpy(), dtype="Int64"),
            "speaker": pd.array(speakers, dtype="str"),
            "organisation": pd.array(orgs, dtype="str"),
            "country": pd.array(countries, dtype="str"),
            "path": pd.array(np.full(n_docs, "", dtype=object), dtype="str"),
            "language": pd.array(np.full(n_docs, "en", dtype=object), dtype="str"),
        }
    )
    corpus.attrs["planted_rates"] = planted.astype({"year": "int64"}).to_dict("records")
    corpus.attrs["skipped"] = []
    if not return_counts:
        return corpus
    count_table = pd.DataFrame(
        {
            "doc_id": pd.array(np.repeat(doc_ids, len(themes)), dtype="str"),
            "theme": pd.array(np.tile(np.array(themes, dtype=object), n_docs), dtype="str"),
            "count": counts.ravel(),
            "n_tokens": np.repeat(lengths, len(themes)).astype(np.int64),
        }
    )
    return corpus, count_table


def planted_rates(corpus: pd.DataFrame) -> pd.DataFrame:
    """The planted theme rates of a corpus made by :func:`make_synthetic_corpus`.

    Parameters
    ----------
    corpus : pandas.DataFrame
        A synthetic corpus (or any table derived from it that kept its ``attrs``).

    Returns
    -------
    pandas.DataFrame
        Columns ``event``, ``event_series``, ``year`` (Int64), ``theme``,
        ``rate_per_1k`` (expected occurrences of the theme's phrase per 1,000 tokens),
        one row per event and theme, events in time order.

    Raises
    ------
    CorpusError
        When the table carries no planted rates (it was not made by
        :func:`make_synthetic_corpus`, or an operation dropped its ``attrs``).
    """
    records = corpus.attrs.get("planted_rates")
    if records is None:
        raise CorpusError(
            "this corpus has no planted rates (attrs['planted_rates'])",
            hint="Use a corpus made by make_synthetic_corpus, before operations that drop attrs",
        )
    table = pd.DataFrame.from_records(
        list(records), columns=["event", "event_series", "year", "theme", "rate_per_1k"]
    )
    for col in ("event", "event_series", "theme"):
        table[col] = table[col].astype("str")
    table["year"] = table["year"].astype("Int64")
    table["rate_per_1k"] = table["rate_per_1k"].astype(float)
    return table


# Separators after an item: inside a sentence, end of sentence, end of paragraph, end of text.
_SEPS = (" ", ". ", ".\n\n", ".")
_CHUNK_DOCS = 4096


def _render_texts(
    rng: np.random.Generator,
    *,
    lengths: np.ndarray,
    counts: np.ndarray,
    n_filler: np.ndarray,
    phrases: list[str],
    sentence_length: float,
    paragraph_sentences: float,
) -> pa.ChunkedArray:
    """Build the texts, vectorised: an item stream (filler words and phrases) per
    document, random insertion of phrases, sentence/paragraph separators, and one
    string join per chunk of documents, handed to Arrow as one buffer with offsets
    (no Python string per document)."""
    n_docs = len(lengths)
    if n_docs == 0:
        return pa.chunked_array([], type=pa.large_string())
    n_words = len(FILLER_WORDS)
    n_themes = len(phrases)
    # vocabulary of items: filler words, then phrases; each in plain and capitalised form
    items = list(FILLER_WORDS) + list(phrases)
    capital = [w[:1].upper() + w[1:] for w in items]
    table = np.array(
        [
            form + sep
            for word, cap in zip(items, capital, strict=True)
            for form in (word, cap)
            for sep in _SEPS
        ],
        dtype=object,
    )
    # lengths in UTF-8 bytes (Arrow offsets count bytes; phrases may be non-ASCII)
    table_len = np.fromiter(
        (len(t.encode("utf-8")) for t in table), dtype=np.int64, count=len(table)
    )

    # documents are rendered in chunks of _CHUNK_DOCS (a constant, so the output depends
    # only on the arguments), to bound memory at any corpus size
    chunks: list[pa.LargeStringArray] = []
    p_break = 1.0 / sentence_length
    p_para = 1.0 / paragraph_sentences
    for start in range(0, n_docs, _CHUNK_DOCS):
        stop = min(start + _CHUNK_DOCS, n_docs)
        chunks.append(
            _render_chunk(
                rng,
                table,
                table_len,
                counts[start:stop],
                n_filler[start:stop],
                n_words=n_words,
                n_themes=n_themes,
                p_break=p_break,
                p_para=p_para,
            )
        )
    return pa.chunked_array(chunks, type=pa.large_string())


def _render_chunk(
    rng: np.random.Generator,
    table: np.ndarray,
    table_len: np.ndarray,
    counts: np.ndarray,
    n_filler: np.ndarray,
    *,
    n_words: int,
    n_themes: int,
    p_break: float,
    p_para: float,
) -> pa.LargeStringArray:
    n_docs = len(n_filler)
    total_filler = int(n_filler.sum())
    filler = rng.integers(0, n_words, size=total_filler)
    doc_start = np.concatenate(([0], np.cumsum(n_filler)[:-1]))
    # phrase units: theme id per planted occurrence, grouped by document
    per_doc = counts.sum(axis=1)
    unit_doc = np.repeat(np.arange(n_docs), per_doc)
    unit_theme = np.repeat(np.tile(np.arange(n_themes), n_docs), counts.ravel())
    n_units = len(unit_doc)
    # shuffle phrase order within each document (random key, stable by document)
    order = np.lexsort((rng.random(n_units), unit_doc))
    unit_theme = unit_theme[order]
    # insertion point: strictly inside the document's filler (after >= 1 filler word,
    # before its last one), so the document boundaries stay unambiguous
    offset = 1 + np.floor(rng.random(n_units) * (n_filler[unit_doc] - 1)).astype(np.int64)
    where = doc_start[unit_doc] + offset
    follow = rng.integers(0, n_words, size=n_units)  # the filler word after each phrase
    ins_idx = np.repeat(where, 2)
    ins_val = np.empty(2 * n_units, dtype=np.int64)
    ins_val[0::2] = n_words + unit_theme
    ins_val[1::2] = follow
    stream = np.insert(filler, ins_idx, ins_val)
    doc_of = np.insert(np.repeat(np.arange(n_docs), n_filler), ins_idx, np.repeat(unit_doc, 2))
    n = len(stream)

    # separators: sentence ends at random (never right after a phrase), paragraph ends
    # at some sentence ends; the last item of each document ends the text.
    is_phrase = stream >= n_words
    brk = (rng.random(n) < p_break) & ~is_phrase
    para = brk & (rng.random(n) < p_para)
    last = np.empty(n, dtype=bool)
    last[:-1] = doc_of[1:] != doc_of[:-1]
    last[-1] = True
    sep = np.where(last, 3, np.where(para, 2, np.where(brk, 1, 0)))
    # a sentence end right before the end of a document would give ". ." : drop it
    prev_last = np.zeros(n, dtype=bool)
    prev_last[:-1] = last[1:]
    sep = np.where(prev_last & (sep > 0), 0, sep)
    cap = np.empty(n, dtype=bool)
    cap[0] = True
    cap[1:] = sep[:-1] > 0
    code = (stream * 2 + cap) * len(_SEPS) + sep
    # str.join is much faster than bytes.join on many small pieces; encode once after
    data = "".join(table[code].tolist()).encode("utf-8")
    ends = np.cumsum(table_len[code])
    offsets = np.concatenate(([0], ends[last])).astype(np.int64)
    return pa.LargeStringArray.from_buffers(n_docs, pa.py_buffer(offsets), pa.py_buffer(data))
