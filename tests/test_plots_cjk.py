"""Charts in Chinese (issue 11, item 8): the CJK glyphs are drawn, never missing-glyph boxes.

The font (Noto Sans SC) comes with a dependency; these tests fail if charts fall back to
DejaVu Sans alone for Chinese: matplotlib then warns "Glyph ... missing" (an error here)
and draws one and the same box for every character (compared pixel by pixel here).
The demo report's notebooks are checked for glyph warnings in tests/test_notebooks.py
(one shared build).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

from discourse import plots  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIMPLIFIED = "数字鸿沟"  # digital divide
TRADITIONAL = "數位落差"  # digital divide, as written in Taiwan
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
GLYPH_MISSING = r"Glyph \d+ .*missing from font"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def glyph_warnings_fail():
    """Turn matplotlib's "Glyph NNN (...) missing from font(s) ..." warning into an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        yield


def _ink(path: Path) -> np.ndarray:
    """Darkness (0 white .. 1 black) of each pixel of a PNG."""
    rgb = mpimg.imread(path)[..., :3]
    return 1.0 - rgb.mean(axis=2)


def _render(text: str, family: list[str], path: Path) -> np.ndarray:
    """Draw ``text`` alone, large, in ``family``; save it as a PNG and read its pixels back."""
    fig = plt.figure(figsize=(4, 1.2), dpi=60)
    fig.text(0.05, 0.25, text, family=family, fontsize=36)
    fig.savefig(path)  # no bbox="tight": every image has the same size
    plt.close(fig)
    return _ink(path)


def _differ(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the inked pixels of either image where the two differ clearly."""
    inked = (a > 0.25) | (b > 0.25)
    return float((np.abs(a - b) > 0.25)[inked].mean()) if inked.any() else 0.0


def test_font_family_is_latin_font_then_the_cjk_font():
    family = plots.font_family()
    assert family == [plots.LATIN_FONT, plots.CJK_FONT] == ["DejaVu Sans", "Noto Sans SC"]
    # the file comes from the installed dependency, and matplotlib knows it by that name
    path = plots.cjk_font_path()
    assert path.is_file() and path.suffix == ".otf"
    found = font_manager.findfont(font_manager.FontProperties(family=plots.CJK_FONT),
                                  fallback_to_default=False)
    assert Path(found) == path
    # DejaVu Sans, matplotlib's default, stays the font of Latin text
    assert Path(font_manager.findfont(font_manager.FontProperties(family=plots.LATIN_FONT))).name == "DejaVuSans.ttf"
    assert plots.font_family() is not plots.font_family()  # a new list each time


def test_bold_chinese_uses_the_one_weight_without_a_font_warning(caplog):
    plots.font_family()
    with caplog.at_level("WARNING", logger="matplotlib.font_manager"):
        bold = font_manager.findfont(font_manager.FontProperties(family=plots.CJK_FONT, weight="bold"),
                                     fallback_to_default=False)
    assert Path(bold) == plots.cjk_font_path()
    assert not [r for r in caplog.records if "weight" in r.getMessage()]


def test_the_cjk_font_has_every_han_character_of_the_demo_corpus_and_dictionary():
    chars = set(SIMPLIFIED + TRADITIONAL)
    sources = [*sorted((ROOT / "data" / "demo").rglob("*.txt")), ROOT / "data" / "demo" / "metadata.csv",
               *sorted((ROOT / "src" / "discourse" / "themes" / "data").glob("*.yaml"))]
    for path in sources:
        chars |= set(HAN.findall(path.read_text(encoding="utf-8")))
    assert len(chars) > 500  # the 16 Chinese demo articles and the dictionary's zh patterns
    charmap = FT2Font(str(plots.cjk_font_path())).get_charmap()
    missing = sorted(c for c in chars if ord(c) not in charmap)
    assert not missing, f"Noto Sans SC lacks {''.join(missing)}"


def test_cjk_glyphs_are_drawn_not_boxes(tmp_path, glyph_warnings_fail):
    family = plots.font_family()
    latin_only = [plots.LATIN_FONT]
    for word in (SIMPLIFIED, TRADITIONAL):
        cjk = _render(word, family, tmp_path / "cjk.png")
        with pytest.warns(UserWarning, match=GLYPH_MISSING):  # the control: DejaVu Sans has no Han
            boxes = _render(word, latin_only, tmp_path / "boxes.png")
        assert cjk.sum() > 0.02 * cjk.size and boxes.sum() > 0  # both drew something
        assert _differ(cjk, boxes) > 0.5, word
    # missing-glyph boxes are all alike; real characters are not
    with pytest.warns(UserWarning, match=GLYPH_MISSING):
        box_a = _render("数", latin_only, tmp_path / "a.png")
        box_b = _render("字", latin_only, tmp_path / "b.png")
    assert _differ(box_a, box_b) == 0.0
    glyph_a = _render("数", family, tmp_path / "a.png")
    glyph_b = _render("字", family, tmp_path / "b.png")
    assert _differ(glyph_a, glyph_b) > 0.3
    # Latin letters are drawn in DejaVu Sans as before, pixel for pixel
    assert np.array_equal(_render("digital divide", family, tmp_path / "l1.png"),
                          _render("digital divide", latin_only, tmp_path / "l2.png"))


def test_charts_with_chinese_labels_draw_them_in_the_cjk_font(tmp_path, glyph_warnings_fail):
    terms = pd.DataFrame({"event": "世界互联网大会 2023", "term": ["数字鸿沟", "數位落差", "人工智能", "AI safety"],
                          "rank": [1, 2, 3, 4], "count": 5, "count_rest": 1, "log_odds": 1.0,
                          "z": [4.0, 3.0, 2.0, 1.0]})
    events = pd.DataFrame({"event": ["世界互联网大会 2023", "数字未来对话 2024"], "n_docs": [3, 4],
                           "n_tokens": [3000, 4200]})
    # Axes made by the caller, outside plots.style(), with matplotlib's defaults: the
    # title, axis labels and tick labels existed before the plot function was called
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
    assert axes[0].title.get_fontfamily() == ["sans-serif"]
    plots.plot_distinctive_terms(terms, "世界互联网大会 2023", ax=axes[0])
    plots.plot_corpus_overview(events, ax=axes[1], title="文件与词数 / documents")
    with plots.style():
        fig.text(0.01, 0.01, "主题：人工智能安全", fontsize=9)  # the caller's own text, in style()
    fig.savefig(tmp_path / "chart.png")
    texts = [t for a in fig.axes for t in a.findobj(matplotlib.text.Text)] + fig.texts
    chinese = [t for t in texts if HAN.search(t.get_text())]
    assert {t.get_text() for t in chinese} >= {"数字鸿沟", "數位落差", "文件与词数 / documents", "主题：人工智能安全"}
    for t in chinese:
        assert plots.CJK_FONT in t.get_fontfamily(), t.get_text()
    # and the PNG shows them: the same chart with DejaVu Sans alone differs where they are
    for t in texts:
        t.set_fontfamily([plots.LATIN_FONT])
    with pytest.warns(UserWarning, match=GLYPH_MISSING):
        fig.savefig(tmp_path / "boxes.png")
    chart, boxes = _ink(tmp_path / "chart.png"), _ink(tmp_path / "boxes.png")
    assert chart.shape == boxes.shape and _differ(chart, boxes) > 0.01


def test_style_sets_the_fonts_and_restores_rcparams():
    before = list(matplotlib.rcParams["font.family"])
    with plots.style():
        assert matplotlib.rcParams["font.family"] == plots.font_family()
    assert matplotlib.rcParams["font.family"] == before
