"""Convert the shipped CFF-outline OpenType font to TrueType outlines (quadratic), for PDFs.

    python tools/otf_to_ttf.py fonts/NotoSansCJKsc-Regular-subset.otf fonts/NotoSansCJKsc-Regular-subset.ttf

matplotlib embeds a TrueType font in a PDF as a subset (`pdf.fonttype` 42) that every reader
renders without the font installed; a CFF-outline font it embeds in a form PDF readers flag
("mismatch between font type and embedded font file"). The curves are converted with
fontTools' cu2qu (maximum error 1 unit of the 1000-unit em), hinting is not added, every other
table (names, metrics, layout features, cmap) is kept. After fontTools' otf2ttf snippet.
"""

from __future__ import annotations

import sys

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

MAX_ERR = 1.0
REVERSE = True  # TrueType contours run the other way round


def convert(src: str, dst: str) -> None:
    font = TTFont(src)
    glyph_order = font.getGlyphOrder()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    glyph_set = font.getGlyphSet()
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=REVERSE))
        glyf[name] = pen.glyph()
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 1  # long offsets: the glyph table is larger than 128 kB
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for name in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, name, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font["post"].glyphOrder = glyph_order
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(dst, reorderTables=True)


if __name__ == "__main__":
    convert(sys.argv[1], sys.argv[2])
