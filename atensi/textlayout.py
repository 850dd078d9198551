"""How many lines a short text takes in a table cell of a printed document, without laying it
out: the widths of the font's glyphs (read once with fontTools from the file fontconfig
chooses, the same file Pango uses) and a first-fit line breaker that breaks at spaces only.

Used to cut a long table into pages before WeasyPrint lays it out, so that the pages can be
laid out in parallel. The count errs on the safe side: Pango may also break after a hyphen
or a slash and applies kerning, both of which can only make a text take fewer lines, never
more; and the caller leaves a safety margin on the width.
"""

from __future__ import annotations

import functools
import math
import shutil
import subprocess

FALLBACK_EM = 1.0  # a glyph the font does not have is counted as wide as the em square


class Font:
    """Advance widths of one font, in ems."""

    def __init__(self, path: str):
        from fontTools.ttLib import TTFont

        font = TTFont(path, lazy=True)
        upem = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        self._em = {
            chr(code): metrics[glyph][0] / upem
            for code, glyph in font.getBestCmap().items()
            if glyph in metrics
        }
        font.close()

    def width(self, text: str, size: float) -> float:
        em = self._em
        return sum(em.get(ch, FALLBACK_EM) for ch in text) * size

    def lines(self, text: str, width: float, size: float) -> int:
        """Lines `text` takes in a box `width` wide at font size `size` (same unit), with
        white space collapsed and a word longer than the box broken anywhere."""
        words = text.split()
        if not words:
            return 1
        space = self.width(" ", size)
        lines, used = 1, -1.0  # -1: the line is empty
        for word in words:
            w = self.width(word, size)
            if used < 0:
                used = w
            elif used + space + w <= width:
                used += space + w
                continue
            else:
                lines += 1
                used = w
            if w > width:  # broken anywhere: it fills whole lines, its rest starts the next
                extra = math.ceil(w / width) - 1
                lines += extra
                used = w - extra * width
        return lines


def font_file(family: str) -> str | None:
    """The file fontconfig uses for `family`, or None where fontconfig is missing."""
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return None
    done = subprocess.run(  # noqa: S603 (fontconfig's own tool, our family name)
        [fc_match, "--format=%{file}", family], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or None


@functools.cache
def font(family: str) -> Font | None:
    path = font_file(family)
    return Font(path) if path else None
