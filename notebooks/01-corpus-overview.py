# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Corpus overview
#
# What the corpus holds: its events in time order, documents and words per event and
# per year, and the files that could not be read. Every number below is in a CSV table
# of the report (`tables/01-*.csv`).

# %% tags=["parameters"]
# Parameters (papermill replaces them when the report is built; edit them to run by hand).
corpus = "../data/demo"  # any source discourse.load_corpus reads
load_options = {}  # keywords of load_corpus: format, filename_pattern, metadata, errors...
output_dir = None  # report folder; None: show only, write nothing
corpus_cache = None  # the corpus as loaded by build_report (faster than loading again)
year_min = None  # keep documents from this year on
year_max = None  # ... up to this year
seed = 0

# %%
from discourse import plots
from discourse.corpus import documents_by, filled_columns, skipped_table
from discourse.report import ReportOutputs, corpus_description, load_report_corpus, show_text
from discourse.tracking import events

docs = load_report_corpus(corpus, load_options, cache=corpus_cache, year_min=year_min, year_max=year_max)
out = ReportOutputs(output_dir, "01-corpus-overview", steps=7)  # a progress bar over the long steps
with out.step("events and document lengths"):
    events_table = events(docs)
    listing = documents_by(docs, None)  # one row per document with its length in words
show_text(corpus_description(docs, events_table))

# %% [markdown]
# ## Events
#
# Events are ordered by their first date (then year, then name). Changes in the other
# notebooks are measured between consecutive events of the same series.

# %%
out.table(events_table, "events", "Events in time order: series, year, documents and words", show=30)
ax = plots.plot_corpus_overview(events_table, title="Documents and words per event")
out.figure(ax, "docs-tokens-per-event", "Documents (bars) and words (line) per event")

# %% [markdown]
# ## Years

# %%
with out.attempt("Documents and words per year"):
    by_year = documents_by(listing, "year")
    out.table(by_year, "docs-tokens-per-year", "Documents and words per year", show=False)
    ax = plots.plot_corpus_overview(by_year, x="year", title="Documents and words per year")
    out.figure(ax, "docs-tokens-per-year", "Documents (bars) and words (line) per year")

# %% [markdown]
# ## Languages
#
# The language of each document (ISO 639-1 code; `mixed`: bilingual, e.g. a Chinese
# press release with its English translation; `und`: too short to tell). Words are
# counted per language: runs of letters in English, segmented words in Chinese.

# %%
with out.attempt("Documents per language"):
    out.table(documents_by(docs, "language", sort="n_docs"), "docs-per-language", "Documents and words per language (most documents first)")

# %% [markdown]
# ## Series, speakers and sources

# %%
with out.attempt("Documents per series"):
    out.table(documents_by(listing, "event_series"), "docs-per-series", "Documents and words per event series")
for column in filled_columns(listing, ["speaker", "organisation", "country", "source"]):  # those the corpus fills
    with out.attempt(f"Documents per {column}"):
        table = documents_by(listing, column, sort="n_docs")
        out.table(table, f"docs-per-{column}", f"Documents and words per {column} (most documents first)", show=10)

# %% [markdown]
# ## Documents
#
# The first documents in time order (the full list, with metadata, is the CSV).

# %%
out.table(listing, "documents", "Every document: id, event, date, title, speaker, words", show=15)

# %% [markdown]
# ## Files that could not be read

# %%
skipped = skipped_table(docs.attrs.get("skipped") or [])
if len(skipped):
    out.table(skipped, "skipped-files", "Files left out when loading, with the reason")
else:
    show_text("No file was skipped when loading the corpus.")
