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
# # Topic models
#
# What else is being said: topics found in the data, not looked for. First the choice
# of the number of topics (coherence, exclusivity and stability across seeds for each
# candidate), then the topics of the recommended model with their top terms, and
# their prevalence by event with 95% bootstrap intervals.

# %% tags=["parameters"]
# Parameters (papermill replaces them when the report is built; edit them to run by hand).
corpus = "../data/demo"  # any source discourse.load_corpus reads
load_options = {}  # keywords of load_corpus: format, filename_pattern, metadata, errors...
output_dir = None  # report folder; None: show only, write nothing
corpus_cache = None  # the corpus as loaded by build_report (faster than loading again)
year_min = None  # keep documents from this year on
year_max = None  # ... up to this year
seed = 0  # seed of the topic models, the sample and the bootstrap
n_boot = 1000  # bootstrap resamples per interval
n_perm = 1000  # permutations per test of change
max_findings = 8  # headline sentences
topic_method = "nmf"  # "nmf" or "lda"
topic_unit = "paragraph"  # "document", "paragraph" or "sentence"
topic_candidates = [4, 6, 8, 10]  # numbers of topics compared
n_topics = None  # None: the recommended number
selection_max_docs = None  # compare candidates on a random sample of this many documents
selection_n_runs = 3  # seeds per candidate (stability needs at least 3)
top_n_terms = 10  # top terms shown per topic

# %%
from discourse import plots
from discourse.report import (
    ReportOutputs,
    headline_findings,
    load_report_corpus,
    selection_sentence,
    show_text,
    topic_language_note,
)
from discourse.topics import TopicModel, select_n_topics, selection_table, topics_table
from discourse.tracking import changed_topics, has_comparisons, track_topics

docs = load_report_corpus(corpus, load_options, cache=corpus_cache, year_min=year_min, year_max=year_max)
out = ReportOutputs(output_dir, "03-topic-models", steps=3)  # a progress bar over the long steps
selection = model = None

# %% [markdown]
# ## How many topics?

# %%
with out.attempt("Choice of the number of topics"):
    selection = select_n_topics(
        docs,
        candidates=topic_candidates,
        method=topic_method,
        unit=topic_unit,
        seeds=[seed + i for i in range(max(3, selection_n_runs))],
        sample=selection_max_docs,
        random_state=seed,
    )
    out.table(selection_table(selection), "selection", "Diagnostics per candidate number of topics (means and SDs over seeds)")
    ax = plots.plot_topic_diagnostics(selection.table)
    out.figure(ax, "selection", "Coherence, exclusivity and stability per number of topics")
    show_text(selection_sentence(selection, sample=selection_max_docs, n_docs=len(docs)))

# %% [markdown]
# ## Topics

# %%
k = n_topics or (selection.n_topics if selection is not None else min(topic_candidates))
if topic_language_note(docs):  # the corpus mixes languages: one joint model (docs/topics.md)
    show_text(topic_language_note(docs), kind="note")
with out.attempt(f"Topic model with {k} topics"):
    model = TopicModel(n_topics=k, method=topic_method, unit=topic_unit, random_state=seed).fit(docs)
    out.table(topics_table(model, top_n_terms), "topics", f"The {k} topics: automatic label, overall prevalence, top terms by weight and by FREX (frequent and exclusive)", show=50)
    out.table(model.top_terms(top_n_terms), "top-terms", f"Top {top_n_terms} terms per topic, with weight and FREX score", show=False)

# %% [markdown]
# ## Prevalence across events
#
# The mean topic proportion of each event's documents, with 95% bootstrap intervals,
# and its change from the previous event of the series (document permutation test,
# Benjamini-Hochberg q-values).

# %%
if out.ok(model, what="Topic prevalence across events", why="there is no topic model (see above)"):
    with out.attempt("Topic prevalence across events"):
        topic_track = track_topics(model, docs, by="event", n_boot=n_boot, n_perm=n_perm, seed=seed)
        sentences = headline_findings(topic_track, max_findings=max_findings)
        if sentences:
            out.findings("Topics: significant changes of prevalence", sentences)
        elif has_comparisons(topic_track):
            show_text("No topic's prevalence changed significantly between consecutive events of a series (q <= 0.05).")
        out.table(topic_track, "prevalence-by-event", "Mean topic proportion per event with 95% intervals, and change from the previous event", show=False)
        ax = plots.plot_topic_heatmap(topic_track)
        out.figure(ax, "prevalence-heatmap", "Topic prevalence by event, topics ordered by the time of their peak; triangles mark significant changes")
        ax = plots.plot_topic_prevalence(topic_track, topics=changed_topics(topic_track, n=6))
        out.figure(ax, "prevalence-by-event", "Topics that changed most (or the first three): prevalence across events, one panel per topic")
    out.table(model.representative_docs(3), "representative-docs", "The three documents with most of each topic", show=False)
