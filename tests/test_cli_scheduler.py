"""``--scheduler`` on info, kwic, topics, validate and sample: the same output as without.

Each command runs through the ``discourse`` entry point twice, in memory and on a Dask
scheduler (``synchronous`` or ``threads``: fast), on the demo folder read in partitions of
a few files, and on a corpus store of it; the outputs must be equal. One test runs on a
real loopback ``distributed.LocalCluster`` (slow).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from discourse import convert_corpus, demo_corpus_path
from discourse.cli import build_parser, main
from discourse.corpus import _dask

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


@pytest.fixture
def small_partitions(monkeypatch):
    monkeypatch.setattr(_dask, "FILES_PER_PARTITION", 20)  # the demo: 9 partitions


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Path:
    return convert_corpus(DEMO, tmp_path_factory.mktemp("store") / "demo", target_bytes=60_000)


def _run(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("spec", ["synchronous", "threads"])
def test_info_on_a_scheduler_is_the_same_summary(capsys, small_partitions, spec):
    plain = _run(capsys, "info", str(DEMO))
    assert _run(capsys, "info", str(DEMO), "--scheduler", spec) == plain
    assert "tokens:     44,901" in plain


def test_info_of_a_store_and_of_bad_files_on_a_scheduler(capsys, tmp_path, demo_store, small_partitions):
    assert _run(capsys, "info", str(demo_store), "--scheduler", "synchronous") == _run(capsys, "info", str(demo_store))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.txt").write_text("Open data and digital trust.\n", encoding="utf-8")
    (bad / "b.txt").write_bytes(b"")
    args = ["info", str(bad), "--errors", "skip"]
    plain = _run(capsys, *args)
    assert "1 loaded, 1 skipped, 2 seen" in plain
    assert _run(capsys, *args, "--scheduler", "synchronous") == plain


def test_kwic_on_a_scheduler_writes_the_same_lines(capsys, tmp_path, small_partitions, demo_store):
    for source, query in ((DEMO, "digital_divide"), (demo_store, "data*")):
        a, b = tmp_path / "a.csv", tmp_path / "b.csv"
        main(["kwic", str(source), query, "-o", str(a)])
        main(["kwic", str(source), query, "-o", str(b), "--scheduler", "synchronous"])
        capsys.readouterr()
        left, right = pd.read_csv(a), pd.read_csv(b)
        assert len(left) > 5, query
        pd.testing.assert_frame_equal(right, left)
    printed = _run(capsys, "kwic", str(DEMO), "data*", "--limit", "5")
    assert _run(capsys, "kwic", str(DEMO), "data*", "--limit", "5", "--scheduler", "threads") == printed


@pytest.mark.slow
def test_topics_on_a_scheduler_writes_the_same_tables(capsys, tmp_path, small_partitions, monkeypatch):
    common = ["topics", str(DEMO), "-k", "4", "--seed", "3"]
    _run(capsys, *common, "-o", str(tmp_path / "plain"))
    # the demo (166 documents) is smaller than the sample: the same model as in memory
    _run(capsys, *common, "-o", str(tmp_path / "dask"), "--scheduler", "synchronous")
    for name in ("top_terms.csv", "labels.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name
    # doc_topics.csv and prevalence.csv: every document projected by transform in its
    # partition; scikit-learn's NMF transform solves a batch of documents jointly to a
    # tolerance, so the weights differ from the whole-corpus ones by about 1e-3 (noticed,
    # docs/scale.md); the documents, topics, labels and counts are the same
    fitted = pd.read_csv(tmp_path / "plain" / "doc_topics.csv")
    projected = pd.read_csv(tmp_path / "dask" / "doc_topics.csv")
    pd.testing.assert_frame_equal(projected[["doc_id", "topic", "label"]], fitted[["doc_id", "topic", "label"]])
    assert (projected["weight"] - fitted["weight"]).abs().max() < 0.01
    pa = pd.read_csv(tmp_path / "plain" / "prevalence.csv")
    pb = pd.read_csv(tmp_path / "dask" / "prevalence.csv")
    pd.testing.assert_frame_equal(pb[["event", "topic", "label", "n_docs"]], pa[["event", "topic", "label", "n_docs"]])
    assert (pb["prevalence"] - pa["prevalence"]).abs().max() < 0.01
    # one partition: the same projection as in memory, to the last decimal written
    monkeypatch.setattr(_dask, "FILES_PER_PARTITION", 500)
    _run(capsys, *common, "-o", str(tmp_path / "one"), "--scheduler", "synchronous")
    for name in ("top_terms.csv", "labels.csv", "doc_topics.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name
    monkeypatch.setattr(_dask, "FILES_PER_PARTITION", 20)
    # a sample smaller than the corpus: fitted on 60 documents, every document gets its topics
    _run(capsys, *common, "-o", str(tmp_path / "sampled"), "--scheduler", "synchronous", "--sample-size", "60")
    doc_topics = pd.read_csv(tmp_path / "sampled" / "doc_topics.csv")
    assert doc_topics["doc_id"].nunique() == 166


def test_sample_and_validate_on_a_scheduler(capsys, tmp_path, small_partitions):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    main(["sample", str(DEMO), "-n", "60", "--seed", "1", "-o", str(a)])
    main(["sample", str(DEMO), "-n", "60", "--seed", "1", "-o", str(b), "--scheduler", "synchronous"])
    assert a.read_bytes() == b.read_bytes()
    labels = pd.read_csv(a)
    assert len(labels) > 30
    # label the units: the dictionary's prediction, flipped on every fifth unit
    for col in [c for c in labels.columns if c.startswith("label_")]:
        pred = labels[f"pred_{col[len('label_'):]}"]
        labels[col] = [(1 - p) if i % 5 == 0 else p for i, p in enumerate(pred)]
    labels.to_csv(a, index=False)
    capsys.readouterr()
    args = ["validate", str(DEMO), "--labels", str(a), "--n-boot", "50", "--split", "all", "-o", "-"]
    plain = _run(capsys, *args)
    assert _run(capsys, *args, "--scheduler", "synchronous") == plain
    assert len(pd.read_csv(__import__("io").StringIO(plain))) >= 1


def test_every_corpus_command_documents_its_scheduler():
    parser = build_parser()
    for name in ("info", "kwic", "topics", "validate", "sample", "themes", "report"):
        help_text = parser.commands[name].format_help()
        assert "--scheduler" in help_text, name
    sample_help = " ".join(parser.commands["sample"].format_help().split())
    assert "drawn in memory (pandas)" in sample_help
    validate_help = " ".join(parser.commands["validate"].format_help().split())
    assert "computed in memory (pandas)" in validate_help


def test_a_bad_scheduler_is_a_clear_error(capsys):
    assert main(["info", str(DEMO), "--scheduler", "nonsense"]) == 2
    assert "unknown scheduler 'nonsense'" in capsys.readouterr().err


@pytest.mark.slow
def test_info_and_kwic_on_a_loopback_cluster(capsys, tmp_path, demo_store):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0") as cluster:
        address = cluster.scheduler_address
        assert _run(capsys, "info", str(demo_store), "--scheduler", address) == _run(capsys, "info", str(demo_store))
        plain = _run(capsys, "kwic", str(DEMO), "digital_divide", "--limit", "500")
        assert _run(capsys, "kwic", str(DEMO), "digital_divide", "--limit", "500", "--scheduler", address) == plain


def test_count_options_and_sample_size_without_scheduler_get_clear_errors(tmp_path, capsys):
    """0 for a count, or --sample-size with no --scheduler, is the user's mistake, said as such."""
    demo = str(demo_corpus_path())
    with pytest.raises(SystemExit) as exc:
        main(["topics", demo, "-k", "3", "--scheduler", "synchronous", "--sample-size", "0",
              "-o", str(tmp_path / "a")])
    assert exc.value.code != 0
    err = capsys.readouterr().err
    assert "--sample-size" in err and "1 or more" in err and "bug" not in err
    assert main(["topics", demo, "-k", "3", "--sample-size", "5", "-o", str(tmp_path / "b")]) != 0
    err = capsys.readouterr().err
    assert "--scheduler" in err and "bug" not in err
    with pytest.raises(SystemExit) as exc:
        main(["convert", demo, str(tmp_path / "c"), "--batch-size", "0"])
    assert exc.value.code != 0
    assert "--batch-size" in capsys.readouterr().err
