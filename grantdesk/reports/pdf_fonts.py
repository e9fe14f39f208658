"""Fonts for GrantDesk's PDFs (ballot cards, results sheets, letters): one that can write Welsh.

Welsh names need ŵ and ŷ (``Gŵyl``, ``Tŷ Llŷn``). reportlab's built-in PDF fonts (Helvetica, Courier)
use the Windows-1252 encoding, which has neither: they print as black boxes; reportlab's own
TrueType family (Bitstream Vera) lacks them too. So GrantDesk ships DejaVu Sans (regular, bold and
mono; Bitstream Vera licence, ``resources/fonts/LICENSE-DejaVu.txt``) and embeds it, as a subset, in
every PDF: the same on every computer.

``GRANTDESK_PDF_FONT`` may name a regular ``.ttf`` to use instead (its bold is looked for beside it).
Should the bundled files be missing (a damaged installation), the fonts installed on the computer are
tried — DejaVu Sans, Liberation Sans, Noto Sans, Arial — and then Helvetica, which prints everything
but ŵ and ŷ; ``PdfFonts.covers_welsh`` says so and ``PdfFonts.note`` says why.

The ballot code is printed in the monospace face (DejaVu Sans Mono, or Courier).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["NEEDED", "PdfFonts", "pdf_fonts"]

# Welsh circumflexed letters, and the punctuation and symbols the documents use.
NEEDED = "ŵŷŴŶâêîôûÂÊÎÔÛäëïöüáéíóúàèìòù£–—‘’“”…·×"


@dataclass(frozen=True)
class PdfFonts:
    regular: str
    bold: str
    mono: str
    mono_bold: str
    covers_welsh: bool
    note: str  # which font was chosen, and why, for the About box or a log


def _font_dirs() -> list[Path]:
    dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts",
            Path.home() / ".fonts", Path("/System/Library/Fonts/Supplemental"), Path("/System/Library/Fonts"),
            Path("/Library/Fonts"), Path.home() / "Library/Fonts"]
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        dirs.insert(0, Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft/Windows/Fonts")
    return [d for d in dirs if d.is_dir()]


# (family, regular, bold, mono, mono bold): file names, found anywhere under the font folders.
_FAMILIES = (
    ("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    ("Liberation Sans", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationMono-Regular.ttf",
     "LiberationMono-Bold.ttf"),
    ("Noto Sans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansMono-Regular.ttf", "NotoSansMono-Bold.ttf"),
    ("Arial", "arial.ttf", "arialbd.ttf", "cour.ttf", "courbd.ttf"),  # Windows
    ("Arial", "Arial.ttf", "Arial Bold.ttf", "Courier New.ttf", "Courier New Bold.ttf"),  # macOS
)


def _bundled_dir() -> Path | None:
    """``resources/fonts`` as shipped, or ``None`` if it is not there."""
    from grantdesk.config import shipped_dir

    folder = shipped_dir("grantdesk.resources", "resources") / "fonts"
    return folder if folder.is_dir() else None


def _file(path: Path) -> Path | None:
    return path if path.is_file() else None


def _find(name: str, dirs: list[Path]) -> Path | None:
    for d in dirs:
        direct = d / name
        if direct.is_file():
            return direct
    for d in dirs:
        try:
            for found in d.rglob(name):
                return found
        except OSError:  # an unreadable folder: look elsewhere
            continue
    return None


def _covers(path: Path, text: str = NEEDED) -> bool:
    from reportlab.pdfbase.ttfonts import TTFontFile

    try:
        glyphs = TTFontFile(str(path)).charToGlyph
    except Exception:  # not a TrueType font reportlab can embed (e.g. PostScript outlines)
        return False
    return all(ord(ch) in glyphs for ch in text)


def _candidates() -> Iterator[tuple[str, Path, Path | None, Path | None, Path | None]]:
    """Installed families, best first; looked for one at a time (the first that fits stops the search)."""
    chosen = os.environ.get("GRANTDESK_PDF_FONT")
    if chosen and Path(chosen).is_file():
        path = Path(chosen)
        bold = next((p for p in (path.with_name(path.stem + s + path.suffix) for s in ("-Bold", "bd", " Bold"))
                     if p.is_file()), None)
        yield path.stem, path, bold, None, None
    bundled = _bundled_dir()
    if bundled is not None:
        _family, regular, bold, mono, mono_bold = _FAMILIES[0]
        if (bundled / regular).is_file():
            yield ("DejaVu Sans (shipped with GrantDesk)", bundled / regular, _file(bundled / bold),
                   _file(bundled / mono), _file(bundled / mono_bold))
    dirs = _font_dirs()
    for family, regular, bold, mono, mono_bold in _FAMILIES:
        found = _find(regular, dirs)
        if found is not None:
            yield family, found, _find(bold, dirs), _find(mono, dirs), _find(mono_bold, dirs)


@lru_cache(maxsize=1)
def pdf_fonts() -> PdfFonts:
    """Register (once per process) and return the fonts GrantDesk's PDFs use."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for family, regular, bold, mono, mono_bold in _candidates():
        if not _covers(regular) or (bold is not None and not _covers(bold)):
            continue
        try:
            pdfmetrics.registerFont(TTFont("GD-Sans", str(regular)))
            pdfmetrics.registerFont(TTFont("GD-Sans-Bold", str(bold or regular)))
            mono_name, mono_bold_name = "Courier", "Courier-Bold"
            if mono is not None and _covers(mono, "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ-"):
                pdfmetrics.registerFont(TTFont("GD-Mono", str(mono)))
                mono_name = mono_bold_name = "GD-Mono"
                if mono_bold is not None:
                    pdfmetrics.registerFont(TTFont("GD-Mono-Bold", str(mono_bold)))
                    mono_bold_name = "GD-Mono-Bold"
        except Exception:  # a damaged or unusual file: try the next family
            continue
        # <b> in a Paragraph picks the bold face; there is no italic, so italic maps to the upright.
        addMapping("GD-Sans", 0, 0, "GD-Sans")
        addMapping("GD-Sans", 1, 0, "GD-Sans-Bold")
        addMapping("GD-Sans", 0, 1, "GD-Sans")
        addMapping("GD-Sans", 1, 1, "GD-Sans-Bold")
        return PdfFonts("GD-Sans", "GD-Sans-Bold", mono_name, mono_bold_name, True,
                        f"{family} ({regular}), embedded: it has the Welsh letters ŵ and ŷ.")
    # Fallback: the PDF standard fonts need no file, but cannot print ŵ or ŷ (they show as boxes).
    return PdfFonts("Helvetica", "Helvetica-Bold", "Courier", "Courier-Bold", False,
                    "Helvetica: no installed font with the Welsh letters ŵ and ŷ was found, so they print as boxes. "
                    "Install DejaVu Sans (or set GRANTDESK_PDF_FONT to a .ttf that has them).")
