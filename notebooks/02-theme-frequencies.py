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
# # Theme frequencies by event
#
# How often each theme of the dictionary occurs in each event: the share of documents
# that mention it at least once, and its rate per 1,000 words, each with a 95%
# bootstrap interval (documents resampled within each event). Then keyword-in-context
# lines drawn at random for every theme: read them before trusting a count. Last, how
# well the dictionary finds the themes, as measured against people's labels.

# %% tags=["parameters"]
# Parameters (papermill replaces them when the report is built; edit them to run by hand).
corpus = "../data/demo"  # any source discourse.load_corpus reads
load_options = {}  # keywords of load_corpus: format, filename_pattern, metadata, errors...
dictionary = None  # theme dictionary file; None: the built-in one
output_dir = None  # report folder; None: show only, write nothing
corpus_cache = None  # the corpus as loaded by build_report (faster than loading again)
scheduler = None  # Dask scheduler for the theme counts: threads, processes, tcp://host:port; None: no Dask
year_min = None  # keep documents from this year on
year_max = None  # ... up to this year
seed = 0  # seed of the bootstrap and of the KWIC samples
n_boot = 1000  # bootstrap resamples per interval
kwic_per_theme = 5  # KWIC lines shown per theme
validation = None  # labelled validation CSV of this corpus (discourse sample, then labelled); None: the shipped figures

# %%
from discourse import plots
from discourse._dask import on_scheduler
from discourse._dask import scheduler as dask_scheduler
from discourse.report import (
    VALIDITY_SHOWN,
    ReportOutputs,
    in_languages,
    interval_methods_note,
    load_report_corpus,
    rates_note,
    show_text,
    theme_language_notes,
    validity_caveats,
    validity_findings,
    validity_table,
)
from discourse.themes import (
    default_dictionary,
    dictionary_table,
    first_per_theme,
    kwic_samples,
    load_dictionary,
    overall_frequencies,
    theme_frequencies,
)
from discourse.tracking import in_event_order

docs = load_report_corpus(corpus, load_options, cache=corpus_cache, year_min=year_min, year_max=year_max)
dic = load_dictionary(dictionary) if dictionary else default_dictionary()
out = ReportOutputs(output_dir, "02-theme-frequencies", steps=4)  # a progress bar over the long steps

# %% [markdown]
# ## The dictionary

# %%
out.table(dictionary_table(dic), "dictionary", "Themes of the dictionary: id, label, parent group, patterns", show=50)

# %% [markdown]
# ## Frequencies by event
#
# Documents in a language the dictionary has no patterns for are left out of the shares
# and rates (never counted as zeros): `n_docs_other_language` gives their number.

# %%
for note in theme_language_notes(docs, dic):  # languages counted, left out, and mixed in the rates
    show_text(note, kind="note")
rates = rates_note(docs, dic)  # empty when the rates are in one language
with out.step("frequencies by event"):
    with dask_scheduler(scheduler):  # None: in memory; else on Dask (docs/scale.md)
        freq = theme_frequencies(on_scheduler(docs, scheduler), dic, by="event", n_boot=n_boot, seed=seed)
    freq = in_event_order(freq, docs)  # events in time order
out.table(
    freq,
    "theme-frequencies-by-event",
    f"Per event and theme: share of documents and rate per 1,000 words, with 95% intervals. {rates}".strip(),
    columns=["event", "theme", "n_docs", "n_docs_other_language", "share_docs", "share_docs_low", "share_docs_high", "per_1k", "per_1k_low", "per_1k_high"],
)

# %%
ax = plots.plot_theme_heatmap(freq, value="per_1k", title="Theme rate per 1,000 words, by event")
out.figure(ax, "heatmap-per-1k", f"Theme x event heatmap of the rate per 1,000 words. {rates}".strip())
ax = plots.plot_theme_heatmap(freq, value="share_docs", title="Share of documents mentioning each theme, by event")
out.figure(ax, "heatmap-share-docs", "Theme x event heatmap of the share of documents")

# %% [markdown]
# ## Frequencies over the whole corpus

# %%
with out.step("frequencies over the corpus"):
    overall = overall_frequencies(docs, dic, n_boot=n_boot, seed=seed)
out.table(overall, "theme-frequencies-overall", f"Per theme over the whole corpus, with 95% intervals. {rates}".strip())

# %% [markdown]
# ## Keyword in context: validation samples
#
# For every theme, up to a few matches drawn at random (one per document): is each
# really about the theme? A theme whose lines are often wrong needs its patterns or
# exclusions revised before its counts are used.

# %%
with out.step("keyword-in-context samples"):
    samples = kwic_samples(docs, dic, n_per_theme=kwic_per_theme, seed=seed)
out.table(samples, "kwic-samples", "Random keyword-in-context lines per theme, for validation", show=len(samples) or False,
          columns=["theme", "doc_id", "event", "left", "match", "right"])
if samples.empty:
    show_text("No theme of the dictionary matches any document of this corpus.")
else:
    first = first_per_theme(samples)  # one line per theme, dictionary order
    ax = plots.plot_kwic(first, n=len(first), title="Keyword in context: one random match per theme")
    out.figure(ax, "kwic", "One random keyword-in-context line per theme (all sampled lines are in the CSV)")

# %% [markdown]
# ## Keyword in context in Chinese
#
# The same, drawn from the Chinese and bilingual documents only (a Chinese match is
# shown with about twenty characters on each side): the lines above are drawn from the
# whole corpus, where Chinese documents may be few.

# %%
zh_samples = kwic_samples(in_languages(docs, ["zh", "mixed"]), dic, n_per_theme=kwic_per_theme, seed=seed)
if zh_samples.empty:
    show_text("No theme of the dictionary matches a Chinese or bilingual document of this corpus (or it has none).")
else:
    out.table(zh_samples, "kwic-samples-zh", "Random keyword-in-context lines per theme, Chinese and bilingual documents",
              show=len(zh_samples), columns=["theme", "doc_id", "event", "left", "match", "right"])

# %% [markdown]
# ## How far the dictionary can be trusted
#
# Precision (the share of the dictionary's matches that people judge to be about the
# theme), recall (the share of units about the theme that the dictionary finds) and F1,
# with 95% intervals, measured by comparing the dictionary with people's labels of
# sentences drawn at random (more often where the dictionary matches or nearly does;
# weights correct for that). Without a validation file of this corpus these are the
# figures shipped for the built-in dictionary.

# %%
with out.attempt("Measured validity of the dictionary"):
    validity = validity_table(dic, docs, validation, n_boot=n_boot, seed=seed)
    for caveat in validity_caveats(validity, dic, builtin=not dictionary, own_labels=validation is not None):
        show_text(caveat, kind="note")
    out.findings("Measured validity of the dictionary", validity_findings(validity))
    if interval_methods_note(validity):
        show_text(interval_methods_note(validity), kind="note")
    out.table(validity, "dictionary-validity",
              "Precision, recall and F1 of the dictionary against people's labels, with 95% intervals "
              + ("(your labels)" if validation else "(shipped figures, UN General Assembly speeches 2000-2024)"),
              columns=VALIDITY_SHOWN)
