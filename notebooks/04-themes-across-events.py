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
# # Themes across events
#
# How each theme rose or fell from one event to the next of the same series. For every
# event and theme: the rate per 1,000 words and the share of documents that mention
# the theme, each with a 95% bootstrap interval (documents resampled within events);
# the change from the previous event of the series with its interval, a test
# (documents permuted between the two events for rates; two-proportion z or Fisher
# test for shares), and a Benjamini-Hochberg correction over all comparisons. A change
# is called significant when its q-value is at most 0.05. With a labelled validation
# file, the theme shares are also corrected for the dictionary's measured errors.

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
seed = 0  # seed of the bootstrap and permutations
n_boot = 1000  # bootstrap resamples per interval
n_perm = 1000  # permutations per rate test
max_findings = 8  # headline sentences per measure
n_distinctive = 10  # distinctive terms per event
n_distinctive_panels = 6  # events drawn (the most recent ones; the CSV has all)
validation = None  # labelled validation CSV of this corpus (discourse sample, then labelled); None: no correction

# %%
from discourse import plots
from discourse._dask import on_scheduler
from discourse._dask import scheduler as dask_scheduler
from discourse.report import (
    ReportOutputs,
    corrected_shares,
    facet,
    headline_findings,
    last_groups,
    load_report_corpus,
    no_comparison_reason,
    rates_note,
    show_text,
    theme_language_notes,
)
from discourse.themes import default_dictionary, load_dictionary, theme_groups, theme_labels
from discourse.tracking import (
    NO_EVENT,
    distinctive_terms,
    has_comparisons,
    significant_changes,
    track_themes,
)

docs = load_report_corpus(corpus, load_options, cache=corpus_cache, year_min=year_min, year_max=year_max)
dic = load_dictionary(dictionary) if dictionary else default_dictionary()
out = ReportOutputs(output_dir, "04-themes-across-events", steps=3 if validation else 2)  # a progress bar over the long steps
labels = theme_labels(dic)
rates = rates_note(docs, dic)  # a caption's note when the rates mix languages; empty otherwise
track = None
with out.attempt("Theme tracking across events"):
    with dask_scheduler(scheduler):  # None: in memory; else on Dask (docs/scale.md)
        track = track_themes(on_scheduler(docs, scheduler), dic, by="event", n_boot=n_boot, n_perm=n_perm,
                             seed=seed)

# %% [markdown]
# ## Headline findings
#
# The clearest significant changes between consecutive events of a series, in words
# (largest relative to the width of their 95% interval first).

# %%
for note in theme_language_notes(docs, dic):  # languages counted, left out, and mixed in the rates
    show_text(note, kind="note")
if out.ok(track, what="Headline findings", why="the themes could not be tracked (see above)"):
    if not has_comparisons(track):
        out.note("Changes between events", no_comparison_reason(track))
    else:
        for measure, heading in [("per_1k", "Themes: rate per 1,000 words"), ("share_docs", "Themes: share of documents mentioning them")]:
            show_text(heading, kind="h3")
            sentences = headline_findings(track, measure=measure, labels=labels, max_findings=max_findings)
            if not sentences:
                show_text("No theme changed significantly between consecutive events of a series (q <= 0.05). The clearest changes were:")
                sentences = headline_findings(track, measure=measure, labels=labels, max_findings=3, only_significant=False)
            out.findings(heading, sentences)

# %% [markdown]
# ## Trajectories

# %%
if track is not None:
    for i, (group, themes) in enumerate(theme_groups(dic), start=1):
        ax = plots.plot_theme_trajectories(track, themes, value="per_1k", title=f"{group}: rate per 1,000 words across events")
        out.figure(ax, f"trajectories-per-1k-{i}", f"{group}: rate per 1,000 words of each theme across events, with 95% bands; triangles mark significant changes. {rates}".strip())
    ax = plots.plot_theme_heatmap(track, value="per_1k", title="Theme rate per 1,000 words, by event")
    out.figure(ax, "heatmap-per-1k", f"Theme x event heatmap of the rate per 1,000 words. {rates}".strip())
    ax = plots.plot_theme_heatmap(track, value="share_docs", title="Share of documents mentioning each theme, by event")
    out.figure(ax, "heatmap-share-docs", "Theme x event heatmap of the share of documents mentioning each theme")

# %% [markdown]
# ## Tables
#
# Every event and theme, with the change from the previous event of the series
# (the CSV holds all columns: intervals, tests, q-values).

# %%
if track is not None:
    out.table(
        significant_changes(track),
        "significant-changes",
        "Significant changes from the previous event of the series (share or rate test, q <= 0.05)",
        columns=["event", "theme", "prev_event", "n_docs", "n_docs_other_language", "share_docs", "share_change", "change", "per_1k", "per_1k_change", "change_per_1k"],
    )
    out.table(track, "theme-tracking", "Per event and theme: shares, rates, intervals, changes, tests and flags", show=False)

# %% [markdown]
# ## Shares corrected for the dictionary's errors
#
# A dictionary misses some units about a theme and matches some that are not: its
# share of sentences per event is biased. With a labelled sample of this corpus
# (`discourse sample`, then labelled, passed with `--validation`), the share of
# sentences that truly carry each labelled theme is estimated per event (design-based
# supervised learning; Rogan-Gladen with the pooled error rates for an event without
# labelled sentences), with a 95% interval, beside the dictionary's raw share.

# %%
if not validation:
    show_text("No validation file was given: the shares above are the dictionary's, uncorrected. "
              "Label a sample of this corpus (discourse sample) and build the report with --validation FILE "
              "to correct them.")
else:
    with out.attempt("Shares corrected for the dictionary's errors"):
        corrected = corrected_shares(docs, validation, dic, by="event", n_boot=n_boot, seed=seed)
        out.table(corrected, "corrected-shares",
                  "Per event and labelled theme: the dictionary's share of sentences and the corrected share, with 95% intervals",
                  columns=["event", "theme", "n_units", "n_labelled", "raw", "corrected", "corrected_low", "corrected_high", "method"])
        axes = plots.plot_corrected_shares(corrected, title="Share of sentences with the theme: dictionary and corrected")
        out.figure(axes, "corrected-shares", "Per event: the dictionary's share of sentences (open) and the corrected share with its 95% interval")

# %% [markdown]
# ## What sets each event apart
#
# Words over-used in each event compared with all the others (log-odds ratio with an
# informative Dirichlet prior, Monroe, Colaresi and Quinn 2008; ranked by z-score).

# %%
with out.attempt("Distinctive terms per event"):
    terms = distinctive_terms(docs, by="event", n=n_distinctive)
    out.table(terms, "distinctive-terms", f"The {n_distinctive} most distinctive terms per event (log-odds z-scores)", show=False)
    shown = last_groups(terms, "event", n_distinctive_panels, skip=[NO_EVENT])  # the most recent events
    fig = facet(plots.plot_distinctive_terms, terms, shown, n=n_distinctive)
    out.figure(fig, "distinctive-terms", f"Most distinctive terms of the last {len(shown)} events (z-scores)")
