"""Charts: contents of the Axes, Chinese and English labels, errors, reproducible files.

pytest runs with ``filterwarnings = ["error"]`` and every chart is rendered to PNG inside
``warnings.simplefilter("error")``, so a "Glyph … missing from font(s)" UserWarning from
matplotlib fails the test: Chinese must render with the font found by analysis.report.charts.fonts.
"""

from __future__ import annotations

import base64
import io
import warnings

import matplotlib as mpl

mpl.use("Agg")  # tests only; the library never picks a backend

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from numpy.testing import assert_allclose
from scipy import stats

from analysis.core.dimensions import SERVICE_FIVE, load_framework
from analysis.core.errors import ConfigError, InputError
from analysis.report.charts import base
from analysis.report.charts.distributions import plot_distributions
from analysis.report.charts.groups import plot_heatmap, plot_means_ci, plot_radar
from analysis.report.charts.ipa import plot_ipa
from analysis.report.charts.output import figure_to_base64_png, save_figure
from analysis.report.charts.text import plot_keyness, plot_network

DIMS = list(SERVICE_FIVE.ids)
ZH = ["服务改革", "服务发展", "服务民生", "服务群众", "服务党员"]
EN = [d.label_en for d in SERVICE_FIVE]
LONG = "和平里社区（第二网格片区及周边老旧小区联合党支部）"


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def scores() -> pd.DataFrame:
    """Respondent x dimension scores, as analysis.score_survey returns them."""
    rng = np.random.default_rng(20240601)
    rows = []
    for g, n in (("桂花社区", 12), ("东湖社区", 9), ("长青社区", 3)):
        for r in range(n):
            for k, d in enumerate(reversed(DIMS)):  # deliberately not in framework order
                score = float(np.clip(np.round(rng.normal(3 + 0.2 * k, 0.8) * 2) / 2, 1, 5))
                rows.append(
                    {"respondent_id": f"{g}-{r}", "group": g, "dimension": d, "score": score}
                )
    frame = pd.DataFrame(rows)
    frame["n_items"] = 3
    return frame


@pytest.fixture
def descriptives(scores: pd.DataFrame) -> pd.DataFrame:
    """Descriptives built independently of analysis (plain numpy + scipy t quantiles)."""
    rows = []
    for (d, g), vals in scores.groupby(["dimension", "group"], sort=False)["score"]:
        x = vals.to_numpy()
        n, m, sd = x.size, x.mean(), x.std(ddof=1)
        half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
        rows.append(
            {
                "dimension": d,
                "group": g,
                "n": n,
                "mean": m,
                "sd": sd,
                "se": sd / np.sqrt(n),
                "ci_low": m - half,
                "ci_high": m + half,
                "suppressed": n < 5,
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture
def ipa() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dimension": DIMS,
            "importance": [0.31, 0.12, 0.42, 0.25, -0.05],
            "performance": [3.6, 3.9, 3.2, 3.4, 3.8],
        }
    )


@pytest.fixture
def keyness() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["桂花社区"] * 6 + ["东湖社区"] * 3,
            "token": [
                "党员",
                "三会一课",
                "网格员",
                "养老",
                "停车",
                "物业",
                "垃圾分类",
                "就业",
                "党员",
            ],
            "g2": [45.2, 30.1, 9.5, 3.2, -20.1, -4.0, 25.0, 12.0, 6.0],
            "p_adj": [0.001, 0.001, 0.01, 0.3, 0.001, 0.2, 0.001, 0.01, 0.04],
            "effect_size": [1.2, 0.9, 0.4, 0.1, -0.8, -0.2, 1.0, 0.5, 0.3],
        }
    )


@pytest.fixture
def edges() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["党员", "党员", "网格", "志愿者", "一站式", "网格"],
            "target": ["三会一课", "网格", "志愿者", "养老", "党员", "党员"],
            "weight": [12, 5, 7, 3, 2, 4],
        }
    )


@pytest.fixture
def nodes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": ["党员", "三会一课", "网格", "志愿者", "养老", "一站式"],
            "dimension": ["members", "members", "masses", "masses", "livelihood", "reform"],
            "freq": [40, 15, 22, 18, 9, 6],
        }
    )


def render(ax) -> np.ndarray:
    """Draw to PNG with every warning an error; return the pixels (RGBA floats)."""
    import matplotlib.image as mpimg

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax.figure.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    return mpimg.imread(buffer, format="png")


def tick_texts(labels) -> list[str]:
    return [t.get_text() for t in labels]


def group_mean(scores: pd.DataFrame, group: str, dim: str) -> float:
    mask = (scores["group"] == group).to_numpy() & (scores["dimension"] == dim).to_numpy()
    return float(np.mean(scores["score"].to_numpy()[mask]))


# ----------------------------------------------------------------------------- guard rail


def test_missing_glyph_warning_is_really_raised_without_a_cjk_font():
    """The guard the other tests rely on: DejaVu Sans alone cannot draw 服务党员."""
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_title("服务党员", fontfamily="DejaVu Sans")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="missing from font"):
            fig.savefig(io.BytesIO(), format="png")


# ----------------------------------------------------------------------------- radar


def test_radar_closes_polygons_and_plots_group_means(scores):
    ax = plot_radar(scores, title="五维服务满意度")
    render(ax)
    groups = ["桂花社区", "东湖社区", "长青社区"]
    assert len(ax.lines) == len(groups) + 1  # + overall mean
    for line, g in zip(ax.lines[:3], groups, strict=True):
        theta, r = (np.asarray(v, dtype=float) for v in line.get_data())
        assert len(theta) == len(DIMS) + 1
        assert theta[0] == theta[-1]
        assert r[0] == r[-1]
        expected = [group_mean(scores, g, d) for d in DIMS]  # framework order
        assert_allclose(r[:-1], expected)
        assert line.get_label() == g
    overall = np.asarray(ax.lines[-1].get_ydata(), dtype=float)
    expected = [scores.loc[scores["dimension"] == d, "score"].mean() for d in DIMS]
    assert_allclose(overall[:-1], expected)
    assert tick_texts(ax.get_xticklabels()) == ZH
    assert ax.get_title() == "五维服务满意度"


def test_radar_from_descriptives_weights_the_overall_mean_by_n(scores, descriptives):
    ax = plot_radar(descriptives, limits=(1, 5))
    render(ax)
    overall = np.asarray(ax.lines[-1].get_ydata(), dtype=float)[:-1]
    # n-weighted mean of group means == mean over all respondents (numpy, directly)
    expected = [scores.loc[scores["dimension"] == d, "score"].to_numpy().mean() for d in DIMS]
    assert_allclose(overall, expected)
    assert ax.get_ylim() == (1.0, 5.0)


def test_radar_english_labels_and_one_group(descriptives):
    ax = plot_radar(descriptives, groups=["东湖社区"], lang="en")
    render(ax)
    assert len(ax.lines) == 2
    assert [t.replace("\n", " ") for t in tick_texts(ax.get_xticklabels())] == EN
    legend = tick_texts(ax.get_legend().get_texts())
    assert legend == ["东湖社区", "Overall mean"]


def test_radar_marks_suppressed_groups(descriptives):
    ax = plot_radar(descriptives)
    render(ax)
    small = [ln for ln in ax.lines if ln.get_label().startswith("长青社区")]
    assert len(small) == 1
    assert small[0].get_label().endswith("*")
    assert mpl.colors.to_hex(small[0].get_color()) == "#9e9e9e"
    notes = [t.get_text() for t in ax.texts]
    assert any("样本量低于报告阈值" in t for t in notes)


def test_radar_honours_a_polar_ax_and_rejects_a_cartesian_one(descriptives):
    fig = Figure()
    polar = fig.add_subplot(1, 2, 1, projection="polar")
    assert plot_radar(descriptives, ax=polar) is polar
    flat = fig.add_subplot(1, 2, 2)
    with pytest.raises(ConfigError, match="polar"):
        plot_radar(descriptives, ax=flat)


def test_radar_unknown_group_is_an_input_error(descriptives):
    with pytest.raises(InputError, match="'西城社区' is not in the data"):
        plot_radar(descriptives, groups=["西城社区"])


def test_radar_custom_framework_labels_and_order(descriptives):
    fw = load_framework(
        [
            {"id": "members", "label_zh": "党员服务", "label_en": "Members"},
            {"id": "reform", "label_zh": "改革", "label_en": "Reform"},
        ],
        name="two",
    )
    data = descriptives[descriptives["dimension"].isin(["members", "reform"])]
    ax = plot_radar(data, framework=fw)
    render(ax)
    assert tick_texts(ax.get_xticklabels()) == ["党员服务", "改革"]


# ----------------------------------------------------------------------------- means + CI


def test_means_ci_bars_span_ci_low_to_ci_high(descriptives):
    ax = plot_means_ci(descriptives, title="均值与置信区间")
    render(ax)
    groups = ["桂花社区", "东湖社区", "长青社区"]
    markers = [ln for ln in ax.lines if ln.get_label() in {g for g in groups} | {"长青社区 *"}]
    assert len(markers) == 3
    bars = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(bars) == 3
    for g, coll in zip(groups, bars, strict=True):
        rows = descriptives[descriptives["group"] == g].set_index("dimension").loc[DIMS]
        segs = coll.get_segments()
        assert len(segs) == len(DIMS)
        lows = [min(s[:, 1]) for s in segs]
        highs = [max(s[:, 1]) for s in segs]
        assert_allclose(lows, rows["ci_low"])
        assert_allclose(highs, rows["ci_high"])
        xs = [s[0, 0] for s in segs]
        assert np.all(np.diff(xs) > 0)  # framework order left to right
    assert tick_texts(ax.get_xticklabels()) == ZH


def test_means_ci_from_raw_scores_uses_the_t_interval(scores):
    ax = plot_means_ci(scores, lang="en")
    render(ax)
    coll = next(c for c in ax.collections if isinstance(c, LineCollection))
    for seg, d in zip(coll.get_segments(), DIMS, strict=True):
        x = scores.loc[(scores["group"] == "桂花社区") & (scores["dimension"] == d), "score"]
        x = x.to_numpy()
        # scipy directly: t interval with n - 1 df around the mean, scale = SEM
        lo, hi = stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x))
        assert_allclose([seg[:, 1].min(), seg[:, 1].max()], [lo, hi])
    assert tick_texts(ax.get_xticklabels()) == [
        "Service reform",
        "Serving\ndevelopment",
        "Serving\nlivelihoods",
        "Serving the\nmasses",
        "Serving party\nmembers",
    ]
    assert ax.get_ylabel() == "Mean (95% CI)"


def test_means_ci_negative_values_render_their_minus_signs(descriptives):
    shifted = descriptives.assign(
        mean=descriptives["mean"] - 4,
        ci_low=descriptives["ci_low"] - 4,
        ci_high=descriptives["ci_high"] - 4,
    )
    ax = plot_means_ci(shifted)
    render(ax)  # no missing-glyph warning for the minus sign
    labels = tick_texts(ax.get_yticklabels())
    assert any(t.startswith(("-", "\N{MINUS SIGN}")) for t in labels)


def test_long_group_names_are_shortened(descriptives):
    data = descriptives.replace({"group": {"东湖社区": LONG}})
    ax = plot_means_ci(data)
    render(ax)
    legend = tick_texts(ax.get_legend().get_texts())
    shortened = [t for t in legend if t.startswith("和平里")]
    assert len(shortened) == 1
    assert shortened[0].endswith("…")
    assert len(shortened[0]) < len(LONG)


# ----------------------------------------------------------------------------- heatmap


def test_heatmap_matrix_labels_and_annotations(descriptives):
    data = descriptives.drop(columns="suppressed")
    ax = plot_heatmap(data, title="社区×维度")
    render(ax)
    image = ax.images[0]
    matrix = np.ma.filled(image.get_array(), np.nan)
    groups = ["桂花社区", "东湖社区", "长青社区"]
    expected = data.pivot(index="group", columns="dimension", values="mean").loc[groups, DIMS]
    assert_allclose(matrix, expected.to_numpy())
    assert tick_texts(ax.get_xticklabels()) == ZH
    assert tick_texts(ax.get_yticklabels()) == groups
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == len(groups) * len(DIMS)
    assert cells[0] == f"{expected.iloc[0, 0]:.2f}"
    assert len(ax.figure.axes) == 2  # the colour bar


def test_heatmap_hides_values_of_suppressed_groups(descriptives):
    ax = plot_heatmap(descriptives, colorbar=False, lang="en")
    render(ax)
    assert tick_texts(ax.get_yticklabels())[-1] == "长青社区 *"
    cells = [t for t in ax.texts if t.get_text()[:1].isdigit()]
    assert len(cells) == 2 * len(DIMS)
    assert any(p.get_hatch() == "//" for p in ax.patches)
    assert any("reporting threshold" in t.get_text() for t in ax.texts)


def test_heatmap_of_text_scores_by_community():
    texts = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "b", "c", "c"],
            "community": ["桂花社区", "桂花社区", "桂花社区", "桂花社区", "东湖社区", "东湖社区"],
            "dimension": ["members", "reform"] * 3,
            "n_hits": [3, 1, 5, 0, 2, 2],
            "score": [3.0, 1.0, 5.0, 0.0, 2.0, 2.0],
            "share": [0.75, 0.25, 1.0, 0.0, 0.5, 0.5],
        }
    )
    ax = plot_heatmap(texts, group="community", value="share")
    render(ax)
    matrix = np.ma.filled(ax.images[0].get_array(), np.nan)
    assert_allclose(matrix, [[np.mean([0.25, 0.0]), np.mean([0.75, 1.0])], [0.5, 0.5]])
    assert tick_texts(ax.get_xticklabels()) == ["服务改革", "服务党员"]


# ----------------------------------------------------------------------------- IPA


def test_ipa_points_cross_and_quadrants(ipa):
    ax = plot_ipa(ipa, title="重要性—表现分析")
    render(ax)
    points = np.vstack([c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)])
    assert points.shape == (5, 2)
    assert_allclose(sorted(points[:, 0]), sorted(ipa["performance"]))
    vline, hline = ax.lines[-2], ax.lines[-1]
    assert_allclose(vline.get_xdata()[0], ipa["performance"].mean())
    assert_allclose(hline.get_ydata()[0], ipa["importance"].mean())
    texts = [t.get_text() for t in ax.texts]
    for quadrant in ("重点改进区", "继续保持区", "低优先区", "过度投入区"):
        assert quadrant in texts
    assert set(ZH) <= set(texts)


def test_ipa_items_in_english_with_fixed_cross(ipa):
    items = ipa.assign(item_id=[f"q{i}" for i in range(7, 12)])
    ax = plot_ipa(items, lang="en", cross=(3.0, 0.2))
    render(ax)
    texts = [t.get_text() for t in ax.texts]
    assert {"q7", "q11", "Concentrate here", "Possible overkill"} <= set(texts)
    assert tick_texts(ax.get_legend().get_texts()) == EN
    assert_allclose(ax.lines[-2].get_xdata()[0], 3.0)


def test_ipa_bad_cross_is_a_config_error(ipa):
    with pytest.raises(ConfigError, match="'cross' parameter of plot_ipa"):
        plot_ipa(ipa, cross="mode")


# ----------------------------------------------------------------------------- keyness


def test_keyness_bars_for_one_target(keyness):
    ax = plot_keyness(keyness, target="桂花社区", top=3, title="桂花社区关键词")
    render(ax)
    widths = [p.get_width() for p in ax.patches]
    # positives largest at top (last), negatives below zero at the bottom
    assert_allclose(widths, [-4.0, -20.1, 9.5, 30.1, 45.2])
    assert tick_texts(ax.get_yticklabels()) == ["物业", "停车", "网格员", "三会一课", "党员"]
    faint = [p.get_alpha() for p in ax.patches]
    assert faint[0] == pytest.approx(0.35)  # 物业: p_adj 0.2
    assert faint[-1] in (None, 1.0)
    assert any("不显著" in t.get_text() for t in ax.texts)


def test_keyness_several_groups_and_renamed_columns(keyness):
    data = keyness.rename(columns={"token": "term", "g2": "llr", "group": "community"})
    ax = plot_keyness(data, token="term", statistic="llr", group="community", p=None, top=2)
    render(ax)
    assert len(ax.patches) == 2 + 2 + 2  # two positive and two negative for 桂花, two for 东湖
    assert tick_texts(ax.get_legend().get_texts()) == ["桂花社区", "东湖社区"]
    assert ax.get_xlabel() == "llr"


def test_keyness_top_must_be_positive(keyness):
    with pytest.raises(ConfigError, match="'top' parameter of plot_keyness"):
        plot_keyness(keyness, top=0)


# ----------------------------------------------------------------------------- network


def test_network_edges_nodes_and_labels(edges, nodes):
    ax = plot_network(edges, nodes=nodes, title="词语共现网络")
    render(ax)
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines[0].get_segments()) == 5  # 网格-党员 and 党员-网格 are one edge
    points = next(c for c in ax.collections if isinstance(c, PathCollection))
    assert len(points.get_offsets()) == 6
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == sorted(nodes["term"])
    legend = tick_texts(ax.get_legend().get_texts())
    assert legend == ["服务改革", "服务民生", "服务群众", "服务党员"]


def test_network_sums_duplicate_pairs_and_filters(edges):
    ax = plot_network(edges, top=2)
    widths = next(c for c in ax.collections if isinstance(c, LineCollection)).get_linewidths()
    assert len(widths) == 2
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["党员", "三会一课", "网格"])  # 12 and 5 + 4 = 9 are heaviest
    ax2 = plot_network(edges, min_weight=7)
    segs = next(c for c in ax2.collections if isinstance(c, LineCollection)).get_segments()
    assert len(segs) == 3  # 12, 9, 7


def test_network_layout_is_reproducible(edges):
    a = plot_network(edges, seed=3).collections[1].get_offsets()
    b = plot_network(edges, seed=3).collections[1].get_offsets()
    assert_allclose(a, b)


def test_network_missing_column_names_it(edges, nodes):
    with pytest.raises(InputError, match="plot_network: edges has no column 'weight'"):
        plot_network(edges.drop(columns="weight"))
    with pytest.raises(InputError, match="nodes has no column 'term'"):
        plot_network(edges, nodes=nodes.rename(columns={"term": "word"}))


# ----------------------------------------------------------------------------- distributions


def test_boxes_by_dimension_with_numpy_medians(scores):
    ax = plot_distributions(scores, title="得分分布")
    render(ax)
    boxes = [p for p in ax.patches]
    assert len(boxes) == len(DIMS)
    medians = [ln for ln in ax.lines if ln.get_color() == "#222222"]
    got = [float(np.mean(ln.get_ydata())) for ln in medians]
    expected = [np.median(scores.loc[scores["dimension"] == d, "score"]) for d in DIMS]
    assert_allclose(got, expected)
    assert tick_texts(ax.get_xticklabels()) == ZH


def test_boxes_by_group_mark_suppressed(scores):
    data = scores.assign(suppressed=scores["group"] == "长青社区")
    ax = plot_distributions(data, group="group", lang="en")
    render(ax)
    assert len(ax.patches) == 3 * len(DIMS)
    assert sum(p.get_hatch() == "//" for p in ax.patches) == len(DIMS)
    assert tick_texts(ax.get_legend().get_texts())[-1] == "长青社区 *"


def test_violins_skip_constant_groups(scores):
    data = scores.copy()
    data.loc[data["group"] == "长青社区", "score"] = 3.0
    ax = plot_distributions(data, group="group", kind="violin")
    render(ax)
    bodies = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bodies) == 2 * len(DIMS)
    flat = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert_allclose(flat[0].get_offsets()[:, 1], 3.0)  # constant group: a tick mark


def test_histograms_by_group_for_one_dimension(scores):
    one = scores[scores["dimension"] == "members"]
    ax = plot_distributions(one, group="group", kind="hist")
    render(ax)
    assert len(ax.patches) == 3
    assert ax.get_xlabel() == "服务党员"
    with pytest.raises(ConfigError, match="one dimension"):
        plot_distributions(scores, group="group", kind="hist")


# ----------------------------------------------------------------------------- shared contract


def _calls(scores, descriptives, ipa, keyness, edges):
    return [
        ("plot_radar", lambda d, **k: plot_radar(d, **k), descriptives, "mean"),
        ("plot_means_ci", lambda d, **k: plot_means_ci(d, **k), descriptives, "ci_high"),
        ("plot_heatmap", lambda d, **k: plot_heatmap(d, **k), descriptives, "group"),
        ("plot_ipa", lambda d, **k: plot_ipa(d, **k), ipa, "importance"),
        ("plot_keyness", lambda d, **k: plot_keyness(d, **k), keyness, "g2"),
        ("plot_network", lambda d, **k: plot_network(d, **k), edges, "source"),
        ("plot_distributions", lambda d, **k: plot_distributions(d, **k), scores, "score"),
    ]


NAMES = [
    "plot_radar",
    "plot_means_ci",
    "plot_heatmap",
    "plot_ipa",
    "plot_keyness",
    "plot_network",
    "plot_distributions",
]


@pytest.mark.parametrize("index", range(7), ids=NAMES)
def test_missing_column_is_a_one_line_input_error(index, scores, descriptives, ipa, keyness, edges):
    name, func, data, column = _calls(scores, descriptives, ipa, keyness, edges)[index]
    with pytest.raises(InputError, match=rf"{name}: .*no column '{column}'") as info:
        func(data.drop(columns=column))
    assert "\n" not in str(info.value)
    assert info.value.column == column


@pytest.mark.parametrize("index", range(7), ids=NAMES)
def test_inputs_are_not_mutated(index, scores, descriptives, ipa, keyness, edges):
    _, func, data, _ = _calls(scores, descriptives, ipa, keyness, edges)[index]
    before = data.copy(deep=True)
    render(func(data))
    pd.testing.assert_frame_equal(data, before)


@pytest.mark.parametrize("index", range(7), ids=NAMES)
def test_ax_is_honoured(index, scores, descriptives, ipa, keyness, edges):
    _, func, data, _ = _calls(scores, descriptives, ipa, keyness, edges)[index]
    fig = Figure()
    ax = fig.add_subplot(projection="polar" if index == 0 else None)
    assert func(data, ax=ax) is ax
    assert ax.figure is fig
    render(ax)


@pytest.mark.parametrize("index", range(7), ids=NAMES)
def test_bad_lang_is_a_config_error(index, scores, descriptives, ipa, keyness, edges):
    name, func, data, _ = _calls(scores, descriptives, ipa, keyness, edges)[index]
    with pytest.raises(ConfigError, match=rf"'lang' parameter of {name} must be one of"):
        func(data, lang="fr")


def test_not_a_frame_is_an_input_error():
    with pytest.raises(InputError, match="must be a pandas DataFrame; got list"):
        plot_means_ci([1, 2, 3])


def test_non_numeric_value_names_the_column_and_row(descriptives):
    bad = descriptives.astype({"mean": object})
    bad.loc[3, "mean"] = "很满意"
    with pytest.raises(InputError, match=r"column 'mean', row 4 of the frame: got '很满意'"):
        plot_radar(bad)


def test_new_figures_are_not_registered_with_pyplot(descriptives):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plot_radar(descriptives)
    assert plt.get_fignums() == before


def test_global_rcparams_unchanged(scores, descriptives, ipa, keyness, edges):
    before = dict(mpl.rcParams)
    for _, func, data, _ in _calls(scores, descriptives, ipa, keyness, edges):
        render(func(data))
    assert dict(mpl.rcParams) == before


# ----------------------------------------------------------------------------- saving


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_save_figure_is_byte_reproducible(suffix, descriptives, tmp_path):
    ax = plot_radar(descriptives, title="五维服务满意度")
    first = save_figure(ax, tmp_path / f"a.{suffix}").read_bytes()
    second = save_figure(ax.figure, tmp_path / f"b.{suffix}").read_bytes()
    assert first == second
    again = plot_radar(descriptives, title="五维服务满意度")
    assert save_figure(again, tmp_path / f"c.{suffix}").read_bytes() == first
    if suffix == "pdf":
        assert b"CreationDate" not in first
    if suffix == "svg":
        assert b"<dc:date>" not in first


def test_saved_png_is_not_blank(descriptives, tmp_path):
    import matplotlib.image as mpimg

    path = save_figure(plot_means_ci(descriptives), tmp_path / "sub" / "means.png", dpi=80)
    pixels = mpimg.imread(path)
    assert pixels.ndim == 3
    assert pixels[..., :3].std() > 0.05
    assert (pixels[..., :3] < 0.5).mean() > 0.005  # some dark ink: text, markers


def test_save_figure_rejects_unknown_suffix(descriptives, tmp_path):
    with pytest.raises(ConfigError, match=r"must be one of 'png', 'svg', 'pdf'\. Got 'jpg'"):
        save_figure(plot_radar(descriptives), tmp_path / "x.jpg")
    with pytest.raises(ConfigError, match="Figure or Axes"):
        save_figure("not a figure", tmp_path / "x.png")


def test_figure_to_base64_png_round_trips(descriptives, tmp_path):
    ax = plot_heatmap(descriptives)
    text = figure_to_base64_png(ax)
    data = base64.b64decode(text)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data == save_figure(ax, tmp_path / "h.png").read_bytes()


def test_public_names_are_lazy_exports():
    import importlib

    import analysis

    home = {
        "plot_radar": "groups",
        "plot_means_ci": "groups",
        "plot_heatmap": "groups",
        "plot_ipa": "ipa",
        "plot_keyness": "text",
        "plot_network": "text",
        "plot_distributions": "distributions",
        "save_figure": "output",
        "figure_to_base64_png": "output",
    }
    assert sorted(home) == sorted([*NAMES, "save_figure", "figure_to_base64_png"])
    for name, module in home.items():
        defining = importlib.import_module(f"analysis.report.charts.{module}")
        assert getattr(analysis, name) is getattr(defining, name)


@pytest.mark.parametrize(
    "func", [plot_radar, plot_means_ci, plot_heatmap], ids=lambda f: f.__name__
)
def test_blanked_small_groups_are_withheld_not_drawn(func, descriptives):
    """After privacy suppression the small group's statistics are NaN: draw nothing for it."""
    blank = descriptives.copy()
    stat_cols = ["mean", "sd", "se", "ci_low", "ci_high"]
    blank[stat_cols] = blank[stat_cols].where(~blank["suppressed"])
    ax = func(blank)
    render(ax)
    notes = [t.get_text() for t in ax.texts]
    assert any("数值不予显示" in t for t in notes)
    labels = tick_texts(ax.get_legend().get_texts()) if ax.get_legend() else []
    labels += tick_texts(ax.get_yticklabels())
    assert "长青社区 *" in labels
    drawn = [ln for ln in ax.lines if ln.get_label() == "长青社区 *"]
    for line in drawn:
        assert np.isnan(np.asarray(line.get_ydata(), dtype=float)).all()


def test_inside_ipython_new_figures_go_through_pyplot(monkeypatch, descriptives):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(base, "_in_ipython", lambda: True)
    before = set(plt.get_fignums())
    ax = plot_means_ci(descriptives)
    try:
        assert set(plt.get_fignums()) - before == {ax.figure.number}
    finally:
        plt.close(ax.figure)
    assert set(plt.get_fignums()) == before


def test_save_figure_close_releases_pyplot_figures(monkeypatch, descriptives, tmp_path):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(base, "_in_ipython", lambda: True)
    before = set(plt.get_fignums())
    ax = plot_radar(descriptives)
    save_figure(ax, tmp_path / "r.png", close=True)
    assert set(plt.get_fignums()) == before


@given(
    text=st.text(alphabet=st.sampled_from(list("社区服务ab cdEF（）—…1")), max_size=60),
    width=st.integers(min_value=4, max_value=30),
    lines=st.integers(min_value=1, max_value=3),
)
def test_shortened_labels_fit_their_box(text, width, lines):
    out = base._shorten(text, width, lines=lines)
    parts = out.split("\n")
    assert len(parts) <= lines
    assert all(base._display_width(p) <= width for p in parts)
    if base._display_width(" ".join(text.split())) <= width:
        assert out == " ".join(text.split())


@settings(
    max_examples=15,
    deadline=None,
    # the fixture is read-only here (test_inputs_are_not_mutated checks that)
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(min_value=0, max_value=2**16))
def test_row_order_does_not_change_the_heatmap(seed, descriptives):
    shuffled = descriptives.sample(frac=1, random_state=seed)
    a = np.ma.filled(plot_heatmap(descriptives, colorbar=False).images[0].get_array(), np.nan)
    b = np.ma.filled(plot_heatmap(shuffled, colorbar=False).images[0].get_array(), np.nan)
    order = list(pd.unique(shuffled["group"]))
    expected_rows = [order.index(g) for g in ["桂花社区", "东湖社区", "长青社区"]]
    assert_allclose(b[expected_rows], a)


def test_nullable_and_object_suppressed_flags(descriptives):
    data = descriptives.astype({"suppressed": object})
    data.loc[data.index[0], "suppressed"] = None
    ax = plot_heatmap(data)
    render(ax)
    nullable = descriptives.astype({"suppressed": "boolean"})
    nullable.loc[nullable.index[0], "suppressed"] = pd.NA
    render(plot_heatmap(nullable))
    assert tick_texts(ax.get_yticklabels())[-1] == "长青社区 *"


def test_means_ci_groups_never_share_colour_and_marker():
    import analysis as an

    rows = [
        {"group": f"社区{g:02d}", "dimension": d, "mean": 3.5, "ci_low": 3.2, "ci_high": 3.8}
        for g in range(20)
        for d in an.SERVICE_FIVE.ids
    ]
    ax = an.plot_means_ci(pd.DataFrame(rows))
    styles = [
        (line.get_color(), line.get_marker())
        for line in ax.get_lines()
        if line.get_label().startswith("社区")
    ]
    assert len(styles) == 20
    assert len(set(styles)) == 20


def test_a_character_no_font_has_is_drawn_without_a_warning_per_glyph():
    """An emoji in a community name: matplotlib would warn for each glyph and chart."""
    from analysis.report.charts.output import figure_to_base64_png

    fig = Figure()
    fig.add_subplot().set_title("🏘️社区😀")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert figure_to_base64_png(fig)


def test_heatmap_takes_group_like_every_chart_and_row_is_deprecated():
    import pandas as pd

    from analysis.report.charts.groups import plot_heatmap

    desc = pd.DataFrame(
        {"community": ["甲社区", "乙社区"], "dimension": ["reform"] * 2, "mean": [3.9, 3.4]}
    )
    ax = plot_heatmap(desc, group="community")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["甲社区", "乙社区"]
    with pytest.warns(FutureWarning, match="use group='community'"):
        old = plot_heatmap(desc, row="community")
    assert [t.get_text() for t in old.get_yticklabels()] == ["甲社区", "乙社区"]
