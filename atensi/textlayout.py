"""How many lines a short text takes in a table cell of a printed document, without laying it
out: the widths of the font's glyphs and its Latin kerning pairs (read once with fontTools
from the file fontconfig chooses, the same file Pango uses), and a first-fit line breaker
that breaks at spaces only.

Used to cut a long table into pages before WeasyPrint lays it out, so that the pages can be
laid out in parallel. Measured against Pango on names, villages and item lists, the widths
agree to a few hundredths of a pixel. The count errs on the safe side: Pango may also break
after a hyphen or a slash, which can only make a text take fewer lines; the caller leaves a
small margin on the width.
"""

from __future__ import annotations

import functools
import itertools
import re
import shutil
import subprocess

FALLBACK_EM = 1.0  # a glyph the font does not have is counted as wide as the em square
BREAKS = re.compile(r"[ \t\r\n\f]+")  # white space that breaks; a no-break space does not


class Font:
    """Advance widths and kerning of one font, in ems."""

    def __init__(self, path: str):
        from fontTools.ttLib import TTFont

        font = TTFont(path, lazy=True)
        upem = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        cmap = font.getBestCmap()
        self._em = {
            chr(code): metrics[glyph][0] / upem for code, glyph in cmap.items() if glyph in metrics
        }
        self._kern = {
            (chr(a), chr(b)): value / upem
            for (a, b), value in _latin_kerning(font, cmap).items()
            if value
        }
        font.close()

    def width(self, text: str, size: float) -> float:
        em, kern = self._em, self._kern
        total = sum(em.get(ch, FALLBACK_EM) for ch in text)
        total += sum(kern.get(pair, 0.0) for pair in itertools.pairwise(text))
        return total * size

    def lines(self, text: str, width: float, size: float) -> int:
        """Lines `text` takes in a box `width` wide at font size `size` (same unit), with
        white space collapsed and a word longer than the box broken anywhere."""
        words = BREAKS.split(text.strip(" \t\r\n\f"))
        if not words or words == [""]:
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
            if w > width:  # broken anywhere: as many characters a line as fit
                extra, used = self._broken(word, width, size)
                lines += extra
        return lines

    def _broken(self, word: str, width: float, size: float) -> tuple[int, float]:
        """A word too wide for its line broken between characters: the lines it adds
        beyond its first, and the width of its last line."""
        extra, used = 0, 0.0
        previous = ""
        for ch in word:
            w = (self._em.get(ch, FALLBACK_EM) + self._kern.get((previous, ch), 0.0)) * size
            if used and used + w > width:
                extra, used, w = extra + 1, 0.0, self._em.get(ch, FALLBACK_EM) * size
            used += w
            previous = ch
        return extra, used


def _latin_kerning(font, cmap: dict[int, str]) -> dict[tuple[int, int], int]:
    """(first, second) character → the advance adjustment, in font units, of the kerning
    pairs (GPOS "kern", pair adjustment lookups) that Latin text gets. Only the characters of
    Latin-1 and Latin Extended-A are looked at: names, places and items are written in them."""
    if "GPOS" not in font:
        return {}
    gpos = font["GPOS"].table
    records = {r.ScriptTag: r.Script for r in gpos.ScriptList.ScriptRecord}
    script = records.get("latn") or records.get("DFLT")
    if script is None or script.DefaultLangSys is None:
        return {}
    features = gpos.FeatureList.FeatureRecord
    lookups = [
        gpos.LookupList.Lookup[i]
        for index in script.DefaultLangSys.FeatureIndex
        if features[index].FeatureTag == "kern"
        for i in features[index].Feature.LookupListIndex
    ]
    chars = {code: glyph for code, glyph in cmap.items() if 0x20 <= code < 0x180}
    pairs: dict[tuple[int, int], int] = {}
    for lookup in lookups:
        for table in lookup.SubTable:
            if lookup.LookupType == 9:  # an extension: the real subtable inside
                table = table.ExtSubTable
            if getattr(table, "LookupType", lookup.LookupType) != 2:
                continue
            covered = set(table.Coverage.glyphs)
            for a, glyph_a in chars.items():
                if glyph_a not in covered:
                    continue
                for b, glyph_b in chars.items():
                    value = _pair_value(table, glyph_a, glyph_b)
                    if value:
                        pairs[(a, b)] = pairs.get((a, b), 0) + value
    return pairs


def _pair_value(table, first: str, second: str) -> int:
    """The first glyph's advance adjustment in one pair adjustment subtable."""
    if table.Format == 1:
        index = table.Coverage.glyphs.index(first)
        for record in table.PairSet[index].PairValueRecord:
            if record.SecondGlyph == second:
                return getattr(record.Value1, "XAdvance", 0) or 0
        return 0
    class1 = table.ClassDef1.classDefs.get(first, 0)
    class2 = table.ClassDef2.classDefs.get(second, 0)
    value = table.Class1Record[class1].Class2Record[class2].Value1
    return (getattr(value, "XAdvance", 0) or 0) if value is not None else 0


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
