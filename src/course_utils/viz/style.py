"""The book's look: a colour-blind-safe palette, and Chinese characters that render.

Importing :mod:`course_utils.viz` applies both, so every figure of the book
uses them without a line of set-up in the notebooks.

* :data:`PALETTE` is the Okabe–Ito palette, designed to stay distinguishable
  for the common forms of colour blindness (Okabe and Ito, 2008). It becomes
  matplotlib's default colour cycle; code that needs a fixed colour per thing
  (one per optimizer, say) picks from :data:`COLORS` by name.
* Chinese text (dates written as 2026年11月22日, chapter summaries) needs a font
  with CJK glyphs. matplotlib's default font has none, so the Noto Sans CJK SC
  font that ships inside the ``mplfonts`` package is registered and put second
  in the font family list: Latin text keeps the default font, and matplotlib
  falls back to Noto for each character the first font lacks. Mathtext
  (``$...$``) does not fall back, so keep Chinese out of labels that use maths.

Example:
    >>> use_course_style()
    >>> import matplotlib
    >>> matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][:2] == PALETTE[:2]
    True
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib
from cycler import cycler
from matplotlib import font_manager

__all__ = [
    "COLORS",
    "PALETTE",
    "CJK_FONT",
    "cjk_font_path",
    "use_cjk_font",
    "use_course_style",
]

#: The Okabe–Ito colours by name.
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: The default colour cycle: the Okabe–Ito colours, strongest contrasts first.
PALETTE = [
    COLORS[name]
    for name in (
        "blue",
        "orange",
        "green",
        "vermillion",
        "purple",
        "sky",
        "yellow",
        "black",
    )
]
#: The font that draws Chinese characters.
CJK_FONT = "Noto Sans CJK SC"


def cjk_font_path() -> Path | None:
    """The Noto Sans CJK SC file inside the installed ``mplfonts`` package, or None.

    ``find_spec`` locates the package without importing it (its import would
    rewrite matplotlib's configuration).
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = (
        Path(spec.submodule_search_locations[0]) / "fonts" / "NotoSansCJKsc-Regular.otf"
    )
    return path if path.exists() else None


def use_course_style() -> None:
    """Make the palette matplotlib's colour cycle and let figures draw Chinese.

    Without ``mplfonts`` installed, Chinese characters fall back to empty boxes
    (and matplotlib warns); everything else works.
    """
    matplotlib.rcParams["axes.prop_cycle"] = cycler(color=PALETTE)
    if cjk_font_path() is not None:
        use_cjk_font()


def use_cjk_font() -> str:
    """Let figures draw Chinese (again); return the CJK font's family name.

    ``import course_utils.viz`` already does this; call it again after
    ``plt.style.use`` or ``matplotlib.rcdefaults()``, which reset the font list.
    The Latin font stays first, so only the characters it lacks are drawn with
    Noto (matplotlib >= 3.6 falls back glyph by glyph). Nothing is written to
    matplotlib's configuration files.

    Example:
        >>> use_cjk_font()
        'Noto Sans CJK SC'
        >>> matplotlib.rcParams["font.family"]
        ['DejaVu Sans', 'Noto Sans CJK SC']
    """
    path = cjk_font_path()
    if path is None:
        raise ImportError(
            "Chinese text in figures needs the package 'mplfonts' (for its Noto Sans CJK "
            "font file), which is not installed: run `pip install mplfonts`"
        )
    if CJK_FONT not in {font.name for font in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    default = matplotlib.rcParamsDefault["font.sans-serif"][0]  # DejaVu Sans
    matplotlib.rcParams["font.family"] = [default, CJK_FONT]
    return CJK_FONT
