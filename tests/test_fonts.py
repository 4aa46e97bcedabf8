"""CJK font discovery: a real CJK font, never a proprietary one, rcParams untouched."""

from __future__ import annotations

import warnings

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib.ft2font import FT2Font

from analysis.report.charts import fonts
from analysis.report.charts.fonts import (
    BLOCKED_FAMILIES,
    bundled_font_path,
    find_cjk_font,
    font_context,
    font_rc,
    has_glyphs,
)


def test_found_font_has_chinese_glyphs():
    font = find_cjk_font()
    ft = FT2Font(str(font.path))
    for ch in "服务党员改革发展民生群众社区":
        assert ft.get_char_index(ord(ch)) != 0, ch


def test_found_font_is_never_simhei_or_yahei():
    font = find_cjk_font()
    assert font.family.lower() not in BLOCKED_FAMILIES
    assert "simhei" not in font.path.name.lower()
    assert "msyh" not in font.path.name.lower()
    assert "yahei" not in FT2Font(str(font.path)).family_name.lower()


def test_found_font_is_registered_with_matplotlib():
    from matplotlib import font_manager

    font = find_cjk_font()
    resolved = font_manager.findfont(font.family, fallback_to_default=False)
    assert FT2Font(resolved).family_name == FT2Font(str(font.path)).family_name


def test_bundled_font_is_noto_and_located_without_importing_mplfonts():
    path = bundled_font_path()
    if path is None:
        pytest.skip("mplfonts is not installed")
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert FT2Font(str(path)).family_name == "Noto Sans CJK SC"
    assert has_glyphs(path, "服务党员")


def test_has_glyphs_is_false_for_a_latin_font_and_a_bad_file(tmp_path):
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans")
    assert has_glyphs(dejavu, "abc")
    assert not has_glyphs(dejavu, "服务党员")
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"not a font")
    assert not has_glyphs(bad)


def test_blocked_family_is_skipped_even_if_installed(monkeypatch):
    monkeypatch.setattr(fonts, "PREFERRED_FAMILIES", ("SimHei", *fonts.PREFERRED_FAMILIES))
    fonts.find_cjk_font.cache_clear()
    try:
        assert fonts.find_cjk_font().family != "SimHei"
    finally:
        fonts.find_cjk_font.cache_clear()


def test_bundled_font_used_when_no_system_font(monkeypatch):
    if bundled_font_path() is None:
        pytest.skip("mplfonts is not installed")
    monkeypatch.setattr(fonts, "_system_font", lambda: None)
    fonts.find_cjk_font.cache_clear()
    try:
        font = fonts.find_cjk_font()
        assert font.source == "bundled"
        assert font.family == "Noto Sans CJK SC"
    finally:
        fonts.find_cjk_font.cache_clear()


def test_no_font_at_all_is_a_config_error(monkeypatch):
    from analysis.core.errors import ConfigError

    monkeypatch.setattr(fonts, "_system_font", lambda: None)
    monkeypatch.setattr(fonts, "bundled_font_path", lambda: None)
    fonts.find_cjk_font.cache_clear()
    try:
        with pytest.raises(ConfigError, match="no CJK font"):
            fonts.find_cjk_font()
    finally:
        fonts.find_cjk_font.cache_clear()


def test_font_rc_turns_off_unicode_minus_and_names_a_concrete_family():
    rc = font_rc()
    assert rc["axes.unicode_minus"] is False
    assert rc["font.family"][0] == find_cjk_font().family


def test_font_context_restores_rcparams():
    before = dict(mpl.rcParams)
    with font_context():
        assert mpl.rcParams["font.family"][0] == find_cjk_font().family
    assert dict(mpl.rcParams) == before


def test_global_rcparams_unchanged_after_plotting():
    from analysis.report.charts.groups import plot_means_ci, plot_radar

    before = dict(mpl.rcParams)
    desc = pd.DataFrame(
        {
            "group": ["甲社区", "乙社区"],
            "dimension": ["members", "members"],
            "mean": [3.5, 3.9],
            "ci_low": [3.1, 3.6],
            "ci_high": [3.9, 4.2],
        }
    )
    ax = plot_radar(desc)
    ax2 = plot_means_ci(desc)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax.figure.canvas.draw()
        ax2.figure.canvas.draw()
    assert dict(mpl.rcParams) == before


def test_import_analysis_does_not_load_matplotlib():
    import subprocess
    import sys

    code = "import sys, analysis; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _entry(name: str, path):
    from matplotlib import font_manager

    return font_manager.FontEntry(fname=str(path), name=name)


def test_installed_font_is_preferred_in_the_listed_order(monkeypatch):
    from matplotlib import font_manager

    noto = bundled_font_path()
    if noto is None:
        pytest.skip("mplfonts is not installed")
    # pretend the same file is installed system-wide under two preferred names
    monkeypatch.setattr(fonts, "bundled_font_path", lambda: None)
    extra = [_entry("WenQuanYi Zen Hei", noto), _entry("Source Han Sans SC", noto)]
    monkeypatch.setattr(
        font_manager.fontManager, "ttflist", [*font_manager.fontManager.ttflist, *extra]
    )
    fonts.find_cjk_font.cache_clear()
    try:
        font = fonts.find_cjk_font()
        assert font.source == "system"
        # Noto Sans CJK SC (registered earlier in this process) or Source Han Sans SC, both
        # listed before WenQuanYi Zen Hei
        assert font.family in {"Noto Sans CJK SC", "Source Han Sans SC"}
    finally:
        fonts.find_cjk_font.cache_clear()


def test_installed_font_without_chinese_glyphs_is_skipped(monkeypatch):
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans")
    fake = [_entry("Noto Sans CJK SC", dejavu)]  # right name, wrong file: no glyphs
    monkeypatch.setattr(font_manager.fontManager, "ttflist", fake)
    assert fonts._system_font() is None


def test_installed_simhei_is_never_chosen(monkeypatch):
    from matplotlib import font_manager

    noto = bundled_font_path()
    if noto is None:
        pytest.skip("mplfonts is not installed")
    fake = [_entry("SimHei", noto), _entry("Microsoft YaHei", noto)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", fake)
    monkeypatch.setattr(fonts, "PREFERRED_FAMILIES", ("SimHei", "Microsoft YaHei"))
    assert fonts._system_font() is None


def test_interactive_mode_set_inside_the_font_context_survives_it():
    # Jupyter: the first chart imports pyplot inside font_context, and the inline backend
    # switches interactive mode on; undoing that on exit hid every later chart
    import matplotlib as mpl

    from analysis.report.charts.fonts import font_context

    before = mpl.is_interactive()
    try:
        with font_context():
            mpl.interactive(not before)
        assert mpl.is_interactive() is (not before)
    finally:
        mpl.interactive(before)
