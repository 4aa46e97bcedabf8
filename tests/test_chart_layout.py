"""Charts a reviewer reads: legends clear of labels, group colours apart, axes that say where
they start. Checked on the rendered figure (bounding boxes) and on the palette's colours."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import analysis as an
from analysis.report.charts.base import GROUP_PALETTE, MAX_GROUP_COLOURS
from analysis.report.charts.groups import plot_means_ci, plot_radar


def _desc(n_groups: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_groups):
        for dim in an.SERVICE_FIVE.ids:
            m = float(rng.uniform(3.2, 3.9))
            rows.append(
                {"group": f"{'东和新朝枫桂滨长华阳平安里'[i % 13]}{i}社区", "dimension": dim}
                | {"mean": m, "n": 150, "ci_low": m - 0.1, "ci_high": m + 0.1}
            )
    return pd.DataFrame(rows)


def _overlaps(a, b) -> bool:  # type: ignore[no-untyped-def]
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("n_groups", [1, 3, 8, 12], ids=["one", "three", "eight", "twelve"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_radar_legend_overlaps_neither_the_plot_nor_its_labels(n_groups, lang):
    ax = plot_radar(_desc(n_groups), lang=lang)
    fig = ax.figure
    renderer = fig._get_renderer()
    fig.draw(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    assert not _overlaps(legend, ax.get_window_extent(renderer))
    labels = [*ax.get_xticklabels(), *ax.get_yticklabels()]
    for label in labels:
        if label.get_text():
            assert not _overlaps(legend, label.get_window_extent(renderer)), label.get_text()


def test_means_legend_clear_of_the_plot():
    ax = plot_means_ci(_desc(8))
    renderer = ax.figure._get_renderer()
    ax.figure.draw(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    assert not _overlaps(legend, ax.get_window_extent(renderer))
    for label in ax.get_yticklabels():
        assert not _overlaps(legend, label.get_window_extent(renderer))


def _notes(ax) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.get_text() for t in ax.texts]


def test_axes_not_starting_at_zero_say_so():
    ax = plot_radar(_desc(3))
    lo = ax.get_ylim()[0]
    assert lo > 0
    assert any("径向轴从" in t and "非从 0 起" in t for t in _notes(ax))
    ax = plot_radar(_desc(3), limits=(0, 5), lang="en")
    assert not any("radial axis" in t for t in _notes(ax))
    ax = plot_means_ci(_desc(3), lang="en")
    assert any("value axis starts at" in t for t in _notes(ax))


def test_eight_communities_get_eight_different_colours():
    ax = plot_radar(_desc(8), overall=False)
    colours = [line.get_color() for line in ax.lines]
    assert len(set(colours)) == 8


def test_beyond_twelve_one_community_is_highlighted_against_grey():
    desc = _desc(MAX_GROUP_COLOURS + 3)
    groups = list(dict.fromkeys(desc["group"]))
    ax = plot_radar(desc, highlight=groups[4], overall=False)
    coloured = [line for line in ax.lines if line.get_color() != "#BBBBBB"]
    assert [line.get_label() for line in coloured] == [groups[4]]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(texts) == 2  # the community and one entry for the rest
    ax = plot_radar(desc, overall=False)  # no highlight: all grey, one legend entry
    assert {line.get_color() for line in ax.lines} == {"#BBBBBB"}
    with pytest.raises(an.InputError, match="highlight"):
        plot_radar(desc, highlight="不存在社区")


# ---------------------------------------------------------------- palette distances

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB
_CVD = {
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}


def _lab(hex_colour: str, cvd: str | None = None) -> np.ndarray:
    rgb = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if cvd is not None:
        lin = np.clip(np.array(_CVD[cvd]) @ lin, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    x, y, z = (xyz @ lin) / np.array([0.95047, 1.0, 1.08883])
    f = [np.cbrt(v) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z)]
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("cvd", [None, *_CVD], ids=["normal", *_CVD])
def test_palette_colours_stay_apart(cvd):
    assert len(GROUP_PALETTE) == 12
    assert len(set(GROUP_PALETTE)) == 12
    labs = [_lab(c, cvd) for c in GROUP_PALETTE]
    smallest = min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(labs, 2))
    # CIE76 distance: about 2.3 is just noticeable; lines of a chart need far more
    assert smallest > (20 if cvd is None else 9.5), smallest


def test_the_old_palette_failed_eight_groups():
    """Seven colours cycled: the eighth community repeated the first one's blue."""
    old = [GROUP_PALETTE[i % 7] for i in range(8)]
    assert old[0] == old[7]
    assert GROUP_PALETTE[7] != GROUP_PALETTE[0]
