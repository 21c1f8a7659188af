"""The committee report's PDF: charts embedded as the PNG files they are, and WeasyPrint's HTML
parser reading the page as it would without the fixed cache."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from PIL import Image

from safehub.reports import pdf


def _png(mode: str, **options: object) -> bytes:
    image = Image.new(mode, (37, 11))
    for x in range(37):
        for y in range(11):
            value = (x * 7 + y * 13) % 256
            image.putpixel(
                (x, y), value if mode in {"L", "P"} else (value, x * 5, y * 20)[: len(mode)]
            )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **options)
    return buffer.getvalue()


def _decoded(png: bytes, pixels: bytes) -> bytes:
    """`pixels` (IDAT data) in the PNG's own header, decoded by Pillow."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))
        )

    rebuilt = (
        pdf.PNG_SIGNATURE
        + chunk(b"IHDR", png[16:29])
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )
    return Image.open(io.BytesIO(rebuilt)).tobytes()


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_an_8_bit_png_s_compressed_pixels_are_taken_as_they_are(mode: str) -> None:
    png = _png(mode)
    pixels = pdf.png_pixels(png)
    assert pixels is not None
    assert pixels in png
    assert _decoded(png, pixels) == Image.open(io.BytesIO(png)).tobytes()


def _interlaced() -> bytes:
    """An RGB PNG's header marked interlaced (Pillow writes none; only the header is read)."""
    png = bytearray(_png("RGB"))
    png[28] = 1
    return bytes(png)


def _sixteen_bit() -> bytes:
    buffer = io.BytesIO()
    Image.new("I;16", (5, 5), 1000).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "png",
    [_png("RGBA"), _png("P"), _interlaced(), _sixteen_bit()],
    ids=["alpha", "palette", "interlaced", "16-bit"],
)
def test_any_other_png_is_left_to_weasyprint(png: bytes) -> None:
    assert pdf.png_pixels(png) is None
    assert pdf.png_pixels(b"GIF89a" + png[6:]) is None


def test_the_pdf_embeds_a_chart_s_pixels_without_compressing_them_again() -> None:
    png = _png("RGB", compress_level=1)  # Pillow's own level would compress them the same
    url = pdf.chart_url("trend")
    html = f'<!DOCTYPE html><html lang="en-GB"><title>t</title><img src="{url}" alt="A chart">'
    content = pdf.write(html, {"trend": png})
    assert content.startswith(b"%PDF")
    pixels = pdf.png_pixels(png)
    assert pixels is not None
    assert pixels in content
    assert b"/Width 37" in content


def test_the_parser_s_pattern_cache_is_used_and_reads_as_before() -> None:
    pdf._weasyprint()  # noqa: SLF001 - the fix is made with WeasyPrint's import
    import tinyhtml5  # noqa: PLC0415
    import tinyhtml5.inputstream  # noqa: PLC0415

    cache = tinyhtml5.inputstream.characters_until_regex
    assert isinstance(cache, pdf._Patterns)  # noqa: SLF001
    page = '<table class="a b"><tr data-x="1 &amp; 2"><td scope=row>Ward &lt;3</td></tr></table>'
    fixed = tinyhtml5.parse(page)
    assert cache
    assert not any(isinstance(characters, re.Pattern) for characters, _ in cache)
    tinyhtml5.inputstream.characters_until_regex = {}
    try:
        unfixed = tinyhtml5.parse(page)
    finally:
        tinyhtml5.inputstream.characters_until_regex = cache

    def text(tree: object) -> list[tuple[str, dict[str, str], str | None]]:
        return [(e.tag, dict(e.attrib), e.text) for e in tree.iter()]

    assert text(fixed) == text(unfixed)
    assert pdf._Patterns()[(frozenset("ab"), False)].match("xyzab").group() == "xyz"  # noqa: SLF001
    assert pdf._Patterns()[(frozenset("ab"), True)].match("abbaz").group() == "abba"  # noqa: SLF001
