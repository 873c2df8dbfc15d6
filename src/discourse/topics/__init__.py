"""Topic models (NMF, LDA) with honest model selection, stability and prevalence.

:class:`TopicModel` fits topics on documents, paragraphs or sentences of a corpus and
returns tidy tables (top terms with FREX scores, labels, document-topic proportions,
prevalence by event with bootstrap intervals). :func:`select_n_topics` compares
numbers of topics by coherence (NPMI), exclusivity, held-out perplexity (LDA) and
stability across seeds; :func:`align_topics` matches the topics of two models.
See ``docs/topics.md``.
"""

from discourse.topics.model import TopicModel, frex_scores, top_term_indices, write_topic_outputs
from discourse.topics.selection import (
    TopicSelection,
    align_topics,
    npmi_coherence,
    select_n_topics,
    topic_coherence,
    topic_stability,
)
from discourse.topics.tables import selection_table, topics_table

__all__ = [
    "TopicModel",
    "TopicSelection",
    "align_topics",
    "frex_scores",
    "npmi_coherence",
    "select_n_topics",
    "topic_coherence",
    "topic_stability",
    "top_term_indices",
    "write_topic_outputs",
    "topics_table",
    "selection_table",
]
