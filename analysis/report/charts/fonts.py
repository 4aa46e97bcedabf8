"""CJK font discovery for charts, without touching the user's global matplotlib settings.

Chinese labels must render on a fresh machine with no setup. :func:`find_cjk_font` looks
for an openly licensed CJK font among the fonts matplotlib already knows (Noto Sans CJK SC,
Source Han Sans SC, WenQuanYi Zen Hei, …); when none is installed it registers the Noto
Sans CJK SC file shipped inside the ``mplfonts`` wheel (SIL Open Font License) with
``matplotlib.font_manager.fontManager.addfont``. Proprietary fonts (SimHei, Microsoft
YaHei / 微软雅黑) are never chosen, even when installed.

Nothing here changes ``matplotlib.rcParams``. Plot functions apply the font through
:func:`font_context` (a ``matplotlib.rc_context``) and :func:`apply_font` (per-element font
properties, so text drawn later, such as tick labels created at draw time, keeps the CJK
font even after the context has been left).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from analysis.core.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "BLOCKED_FAMILIES",
    "PREFERRED_FAMILIES",
    "CJKFont",
    "apply_font",
    "bundled_font_path",
    "find_cjk_font",
    "font_context",
    "font_rc",
    "has_glyphs",
]

logger = logging.getLogger("analysis")

#: Openly licensed CJK families, in order of preference (Simplified Chinese first).
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Source Han Sans CN",
    "Sarasa Gothic SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "Droid Sans Fallback",
)

#: Families never used, whatever is installed (proprietary licences).
BLOCKED_FAMILIES: frozenset[str] = frozenset(
    {"simhei", "黑体", "microsoft yahei", "microsoft yahei ui", "微软雅黑"}
)

#: Characters a CJK font must have to be chosen.
PROBE_TEXT = "服务改革发展民生群众党员社区满意度均值"

#: Font file shipped inside the mplfonts wheel (SIL OFL).
BUNDLED_FILE = "NotoSansCJKsc-Regular.otf"

#: Latin fallback after the CJK family (matplotlib falls back glyph by glyph).
LATIN_FALLBACK = "DejaVu Sans"


@dataclass(frozen=True)
class CJKFont:
    """The CJK font charts use.

    Parameters
    ----------
    family
        Family name as matplotlib knows it, e.g. ``"Noto Sans CJK SC"``.
    path
        File the family resolves to.
    source
        ``"system"`` when the font was already installed, ``"bundled"`` when it is the Noto
        file shipped by ``mplfonts``.
    """

    family: str
    path: Path
    source: Literal["system", "bundled"]


def has_glyphs(path: str | Path, text: str = PROBE_TEXT) -> bool:
    """Whether the font file at ``path`` has a glyph for every character of ``text``.

    Parameters
    ----------
    path
        A TrueType/OpenType font file.
    text
        Characters to check.

    Returns
    -------
    bool
        False also when the file cannot be opened.
    """
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(str(path))
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) != 0 for ch in text)


def _is_blocked(name: str, path: str | Path = "") -> bool:
    stem = Path(path).stem.lower() if path else ""
    return name.strip().lower() in BLOCKED_FAMILIES or stem in {"simhei", "msyh", "msyhbd"}


def bundled_font_path() -> Path | None:
    """Path of Noto Sans CJK SC inside the installed ``mplfonts`` package, if any.

    The package is located with :func:`importlib.util.find_spec`, which does not import
    it, so ``mplfonts`` never runs any setup of its own.
    """
    try:
        spec = importlib.util.find_spec("mplfonts")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        candidate = Path(root) / "fonts" / BUNDLED_FILE
        if candidate.is_file():
            return candidate
    return None


def _system_font() -> CJKFont | None:
    from matplotlib import font_manager

    by_name: dict[str, list[str]] = {}
    for entry in font_manager.fontManager.ttflist:
        by_name.setdefault(entry.name, []).append(entry.fname)
    bundled = bundled_font_path()
    for family in PREFERRED_FAMILIES:
        for fname in sorted(by_name.get(family, [])):
            if bundled is not None and Path(fname).resolve() == bundled.resolve():
                continue
            if not _is_blocked(family, fname) and has_glyphs(fname):
                return CJKFont(family=family, path=Path(fname), source="system")
    return None


def _bundled_font() -> CJKFont | None:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = bundled_font_path()
    if path is None or not has_glyphs(path):
        return None
    known = {Path(e.fname).resolve() for e in font_manager.fontManager.ttflist}
    if path.resolve() not in known:
        font_manager.fontManager.addfont(str(path))
    family = FT2Font(str(path)).family_name
    return CJKFont(family=family, path=path, source="bundled")


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> CJKFont:
    """Find (and if needed register) the CJK font charts use.

    Returns
    -------
    CJKFont
        An installed openly licensed CJK font when there is one, otherwise the Noto Sans
        CJK SC file bundled with ``mplfonts``, registered with matplotlib's font manager.
        The answer is cached for the process.

    Raises
    ------
    ConfigError
        No CJK font is installed and the ``mplfonts`` package (a dependency) is missing.

    Notes
    -----
    A font is accepted only if it has glyphs for every character of :data:`PROBE_TEXT`
    and its family is not in :data:`BLOCKED_FAMILIES`.

    Examples
    --------
    >>> font = find_cjk_font()
    >>> has_glyphs(font.path, "服务党员")
    True
    """
    font = _system_font() or _bundled_font()
    if font is None:
        raise ConfigError(
            "no CJK font found for charts: install the 'mplfonts' package "
            "(pip install mplfonts) or a system font such as Noto Sans CJK SC"
        )
    logger.debug("charts use CJK font %s (%s, %s)", font.family, font.source, font.path)
    return font


def font_rc() -> dict[str, Any]:
    """rcParams that make text render in the CJK font, for ``matplotlib.rc_context``.

    Returns
    -------
    dict
        ``font.family`` set to the concrete CJK family followed by a Latin fallback, and
        ``axes.unicode_minus`` False so negative numbers use an ASCII hyphen-minus.
    """
    font = find_cjk_font()
    return {
        "font.family": [font.family, LATIN_FALLBACK],
        "axes.unicode_minus": False,
    }


@contextmanager
def font_context(extra: dict[str, Any] | None = None) -> Iterator[None]:
    """Context in which new text uses the CJK font; rcParams are restored on exit.

    Interactive mode is the exception: a change made inside the block is kept, because
    loading pyplot's backend there (the first chart of a Jupyter session) must stay loaded.

    Parameters
    ----------
    extra
        Further rcParams to set inside the context.
    """
    import matplotlib as mpl

    rc = font_rc()
    if extra:
        rc.update(extra)
    interactive = mpl.is_interactive()
    with mpl.rc_context(rc):
        try:
            yield
        finally:
            # pyplot's first import inside the block (Jupyter's inline backend) switches
            # interactive mode on; rc_context would switch it back off on exit, and later
            # figures would never display. Keep what the block set.
            interactive = mpl.is_interactive()
    mpl.interactive(interactive)


def apply_font(ax: Axes) -> None:
    """Give every text element of ``ax`` the CJK font, including tick labels made later.

    Tick labels are created lazily at draw time, possibly after :func:`font_context` has
    been left; ``tick_params(labelfontfamily=...)`` makes every future tick inherit the
    family. Other texts (title, axis labels, annotations, legend) get the family directly.
    """
    from matplotlib.text import Text

    family = [find_cjk_font().family, LATIN_FALLBACK]
    try:
        ax.tick_params(axis="both", which="both", labelfontfamily=family)
    except (TypeError, ValueError):  # matplotlib < 3.8 has no labelfontfamily
        for label in ax.get_xticklabels() + ax.get_yticklabels():
            label.set_fontfamily(family)
    for text in ax.findobj(Text):
        text.set_fontfamily(family)
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_fontfamily(family)
        legend.get_title().set_fontfamily(family)
