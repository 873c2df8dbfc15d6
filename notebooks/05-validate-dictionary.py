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
#   discourse:
#     report: false
# ---

# %% [markdown]
# # Validate the dictionary: label a sample
#
# A dictionary count means what its patterns match, not necessarily what the theme is.
# This notebook is the labeller: you read sentences drawn from your corpus and say,
# for each mission theme, whether the sentence carries it (1) or not (0). Your labels
# then measure the dictionary (precision, recall, F1) and correct its shares.
#
# **This notebook is interactive.** Open it in JupyterLab and run it from the top. It is
# not a page of the report (its metadata says `discourse: report: false`); executed
# without a person all the same (a report build sets `output_dir`), it creates nothing
# and only shows these instructions and the progress of the labels file.
#
# ## The workflow
#
# 1. **Draw a sample.** `discourse.validation_sample(corpus, n=..., seed=...)` draws
#    sentences with known inclusion probabilities: it over-draws the sentences where the
#    dictionary finds a theme and where it most likely misses one, plus a simple random
#    stratum, and records each sentence's `weight` (1 / its probability). The cell
#    below writes the sample to `labels_path` the first time; after that it only opens it.
#    (`discourse sample CORPUS -o FILE.csv` draws the same kind of file from the shell:
#    set `labels_path` to it.)
# 2. **Label against the codebook**, one sentence at a time, in the labeller below. Each
#    label is saved to the CSV at once, and the labeller resumes where you stopped. The
#    CSV also works in any spreadsheet: `label_<theme>` cells are `0`, `1` or empty.
#    The dictionary's predictions (`pred_<theme>`) are in the file but not shown, so
#    that they do not sway you. Label what the sentence says, in its context:
#    * **Digital divide** (`digital_divide`): unequal access to digital technology
#      between or within countries (the digital divide or gap, connecting the
#      unconnected, access to the Internet and ICTs, digital inclusion). Transport or
#      energy connectivity and gaps with no digital word are 0.
#    * **AI safety and risk** (`ai_safety`): safety, risks, dangers, harms or misuse of
#      artificial intelligence (frontier models, AI in warfare and lethal autonomous
#      weapons, AI-generated disinformation, deepfakes). A mention of AI with no risk,
#      safety or harm is 0.
#    * **Digital-governance deficit** (`governance_deficit`): the lack of rules,
#      institutions or coordination for the digital domain (governance or regulatory
#      gaps, no rules for cyberspace, the Internet or AI, fragmentation of the Internet
#      or of digital governance). Governance deficits with no digital word are 0.
#
#    Skip a sentence you cannot decide (it stays unlabelled, its note says `skipped`)
#    and write why in the note.
# 3. **Score.** `attach_predictions(labels, corpus)` recomputes what the dictionary says
#    of each labelled sentence (so a revised dictionary is scored on the same labels) and
#    `validation_scores(...)` gives precision, recall and F1 with intervals, weighted to
#    estimate the corpus-level values. The last cells show them for the rows labelled
#    so far (run them again as you go).
# 4. **Correct the shares.** `corrected_frequencies(corpus, labels, by="year")` corrects
#    the dictionary's share of sentences per group for its measured errors.
# 5. **Report.** Pass the file to the report: `discourse report CORPUS --validation
#    LABELS.csv` (the report then scores the dictionary on your labels), or score it
#    alone with `discourse validate CORPUS --labels LABELS.csv`.

# %% tags=["parameters"]
# Parameters (edit them to label your own corpus).
labels_path = "../data/validation/my-labels.csv"  # the labels CSV: created with a new sample if missing
source = None  # the corpus to sample: any source discourse.load_corpus reads; None: the demo corpus
n = 200  # sentences to draw when the file is created
seed = 0  # seed of the sample: same corpus, dictionary and seed give the same sample
dictionary = None  # theme dictionary file; None: the built-in one
unit = "sentence"  # unit of the sample: sentence, paragraph or document
context_chars = 300  # characters of context shown on each side of a unit
n_boot = 500  # bootstrap resamples for the intervals of the scores
output_dir = None  # set by a report build: then nothing is created or opened

# %%
from pathlib import Path

import pandas as pd

from discourse import (
    DiscourseError,
    attach_predictions,
    corrected_frequencies,
    load_corpus,
    load_demo_corpus,
    validation_sample,
    validation_scores,
)
from discourse.labelling import Labeller, LabelSession
from discourse.report import show_table, show_text
from discourse.themes import default_dictionary, load_dictionary

interactive = output_dir is None  # a report build runs this notebook without a person
path = Path(labels_path)
dic = load_dictionary(dictionary) if dictionary else default_dictionary()
if interactive:
    docs = load_demo_corpus() if source is None else load_corpus(source)
    show_text(f"Corpus: {'the demo corpus' if source is None else source} ({len(docs):,} documents).")
else:
    docs = None
    show_text("Run by the report build: nothing is drawn, written or opened here. "
              "Open this notebook in JupyterLab to label a sample.")

# %% [markdown]
# ## The sample
#
# Drawn and written to `labels_path` only if the file does not exist yet: an existing
# file (with your labels) is opened, never replaced. To draw a new sample, give a new
# `labels_path`.

# %%
session = None
if interactive:
    if path.exists():
        session = LabelSession(path, corpus=docs, context_chars=context_chars)
        show_text(f"Opened {path}: {session.summary()}.")
    else:
        sample = validation_sample(docs, dic, n=n, unit=unit, seed=seed)
        session = LabelSession.start(sample, path, corpus=docs, context_chars=context_chars)
        show_text(f"Drew {len(sample):,} {unit}s (seed {seed}) and wrote them to {path}.")
elif path.is_file():
    session = LabelSession(path)
    show_text(f"{path}: {session.summary()}.")
else:
    show_text(f"No labels file at {path} yet.")
if session is not None:
    show_table(session.progress(), caption="Labelled units per theme")

# %% [markdown]
# ## Label
#
# Click **0** or **1** for each theme (a second click clears it), then **Save & next**.
# Every click is saved. **Skip** leaves the unit unlabelled and notes `skipped`;
# **Back** returns to the unit shown before.
#
# From the keyboard: JupyterLab widgets cannot catch keys anywhere on the page, so click
# once into the **Keys** box and type one digit per theme, in the order shown, then
# Enter: `101` labels the first theme 1, the second 0, the third 1 and moves on. `s`
# skips, `b` goes back, `n` moves on. The box keeps the focus.

# %%
labeller = Labeller(session, dic) if interactive else None
if labeller is not None:
    labeller.display()

# %% [markdown]
# ## Scores on the units labelled so far
#
# Run these cells again after labelling. The weighted figures estimate the corpus-level
# precision, recall and F1 (each unit weighted by 1 / its inclusion probability); the
# unweighted ones describe the labelled units themselves. They are unstable until each
# theme has a few dozen labelled units, positives among them.

# %%
labelled = session.labels() if session is not None else None
scored = None
if labelled is None or docs is None:
    show_text("No scores here: label a sample in JupyterLab first.")
elif not any(labelled[f"label_{t}"].notna().any() for t in session.themes):
    show_text("No unit is labelled yet: label some above, then run this cell again.")
else:
    scored = attach_predictions(labelled, docs, dic, themes=session.themes, unit=unit)
    scores = validation_scores(scored, n_boot=n_boot, seed=seed)
    show_table(
        scores[["theme", "n", "positives", "precision", "precision_low", "precision_high",
                "recall", "recall_low", "recall_high", "f1", "precision_unweighted",
                "recall_unweighted", "f1_unweighted"]],
        caption="Precision, recall and F1 of the dictionary against your labels (weighted, with 95% intervals)",
    )

# %% [markdown]
# ## Corrected shares
#
# The dictionary's share of units per year (`raw`) and the share corrected for its
# measured errors (`corrected`, with a 95% interval).

# %%
if scored is not None:
    by = "year" if "year" in docs.columns else None
    try:
        corrected = corrected_frequencies(docs, scored, by=by, dictionary=dic, unit=unit, seed=seed,
                                          n_boot=n_boot, themes=session.themes) if by else None
    except DiscourseError as err:
        corrected = None
        show_text(f"Not computed yet: {err}")
    if corrected is not None:
        show_table(pd.DataFrame(corrected), max_rows=40, caption="Raw and corrected shares of units per year")
