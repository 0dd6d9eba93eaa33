"""Chinese characters in figures: register a CJK font that ships in a pip package.

matplotlib's default font, DejaVu Sans, has no Chinese glyphs: a title such as
"好评" comes out as empty boxes (and a warning per missing glyph). The
``mplfonts`` package ships Noto Sans CJK SC (SIL Open Font Licence) as a file;
:func:`use_cjk_font` registers that file with matplotlib and adds it to the
sans-serif list *after* DejaVu Sans, so Latin text looks as before and only the
characters DejaVu lacks are drawn with Noto (matplotlib >= 3.6 falls back per
glyph). Nothing is written to matplotlib's configuration files (``mplfonts``'
own set-up command would do that). Call it again after ``plt.style.use`` or
``matplotlib.rcdefaults()``, which reset the font list.

Example:
    >>> use_cjk_font()
    'Noto Sans CJK SC'
    >>> import matplotlib
    >>> matplotlib.rcParams["font.family"]
    ['DejaVu Sans', 'Noto Sans CJK SC', 'sans-serif']
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib
from matplotlib import font_manager

__all__ = ["cjk_font_path", "use_cjk_font"]

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"


def cjk_font_path() -> Path:
    """The Noto Sans CJK SC file inside the installed ``mplfonts`` package."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "Chinese text in figures needs the package 'mplfonts' (for its Noto Sans CJK "
            "font file), which is not installed: run `pip install mplfonts`"
        )
    path = Path(spec.submodule_search_locations[0]) / "fonts" / CJK_FONT_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"mplfonts has no fonts/{CJK_FONT_FILE} (looked in {path.parent})"
        )
    return path


def use_cjk_font(latin: str = "DejaVu Sans") -> str:
    """Make figures able to draw Chinese; return the CJK font's family name.

    Args:
        latin: the font kept first, for Latin letters, digits and symbols.
    """
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    # A generic family ("sans-serif") resolves to ONE font; listing two families makes
    # matplotlib fall back to the second for the glyphs the first lacks.
    matplotlib.rcParams["font.family"] = [latin, name, "sans-serif"]
    return name
