"""The committee report's HTML as a PDF, through WeasyPrint (the version pinned in
requirements/constraints.txt), and two things that make it cheaper without changing what it
shows:

- the charts reach WeasyPrint as the PNG files they are, through a URL fetcher, and their
  compressed pixels go into the PDF as they are (WeasyPrint would decode each PNG and compress it
  again: a fifth of writing the file); the HTML carries a short URL instead of 300 kB of base64
  for WeasyPrint's HTML parser to read;
- the HTML parser's cache of patterns, which never finds what it stored (see `_Patterns`).
"""

from __future__ import annotations

import functools
import gc
import io
import re
import struct
import threading
from typing import Any

SCHEME = "safehub-chart"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# IHDR: bit depth 8, colour type 0 (grey) or 2 (RGB), no interlacing. Such a file's IDAT
# chunks, joined, are what a PDF image with FlateDecode and PNG predictors reads (PDF 1.7, 7.4.4.4).
_PLAIN = {(8, 0, 0), (8, 2, 0)}


def chart_url(name: str) -> str:
    return f"{SCHEME}:{name}"


def png_pixels(data: bytes) -> bytes | None:
    """A PNG's compressed pixels (its IDAT chunks, joined), when the PDF can take them as they
    are: 8 bits a channel, grey or RGB, not interlaced. None for any other file."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    depth, colour, interlace = data[24], data[25], data[28]
    if (depth, colour, interlace) not in _PLAIN:
        return None
    chunks, position = [], len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        (length,) = struct.unpack_from("!I", data, position)
        if data[position + 4 : position + 8] == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        position += length + 12  # length, type, data, CRC
    return b"".join(chunks) or None


class _Patterns(dict[tuple[Any, bool], re.Pattern[str]]):
    """tinyhtml5's cache of `chars_until` patterns (2.1.0), as it was meant to work.

    Its `characters = cache[key] = pattern` stores each pattern under the pattern itself, so
    every lookup misses and the pattern is built again, one character at a time: a twentieth of
    a report's PDF. Built the same way here, kept under the key it is looked up by.
    """

    def __missing__(self, key: tuple[Any, bool]) -> re.Pattern[str]:
        characters, opposite = key
        ranges = "".join(f"\\x{ord(c):02x}" for c in characters)
        pattern = re.compile(f"[{ranges}]+" if opposite else f"[^{ranges}]+")
        self[key] = pattern
        return pattern


@functools.cache
def _weasyprint() -> tuple[Any, Any]:
    """WeasyPrint's HTML class and a URL fetcher class that serves the charts, with the two
    changes above made once per process. Imported when the first PDF is asked for: most
    `safehub` commands never make one."""
    import tinyhtml5.inputstream  # type: ignore[import-untyped]  # noqa: PLC0415
    from weasyprint import HTML  # noqa: PLC0415
    from weasyprint import images as weasy_images  # noqa: PLC0415
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415

    tinyhtml5.inputstream.characters_until_regex = _Patterns()

    encode = weasy_images.RasterImage._get_png_data  # noqa: SLF001

    def pixels(pillow_image: Any) -> bytes:
        # WeasyPrint opens the image it embeds from its bytes, and encodes its pixels again.
        source = getattr(pillow_image, "fp", None)
        found = png_pixels(source.getvalue()) if isinstance(source, io.BytesIO) else None
        return encode(pillow_image) if found is None else found

    weasy_images.RasterImage._get_png_data = staticmethod(pixels)  # noqa: SLF001

    class Fetcher(URLFetcher):
        """The report's charts by `chart_url`; any other URL as WeasyPrint fetches it."""

        def __init__(self, charts: dict[str, bytes]) -> None:
            super().__init__()
            self.charts = {chart_url(name): data for name, data in charts.items()}

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url in self.charts:
                return URLFetcherResponse(url, self.charts[url], {"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return HTML, Fetcher


_FONTS = threading.local()


def _font_config() -> Any:
    """This thread's WeasyPrint font configuration, kept from one PDF to the next: Pango's
    caches of the fonts' metrics and shapes then serve every later PDF (a fourteenth of a
    warm PDF's time). The report loads no font of its own (no @font-face), so nothing of one
    PDF's content reaches the next."""
    config = getattr(_FONTS, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 - heavy import

        config = _FONTS.config = FontConfiguration()
    return config


def write(html: str, charts: dict[str, bytes]) -> bytes:
    """The page as a PDF; `charts` are the PNG files its `chart_url`s name."""
    html_class, fetcher = _weasyprint()
    # WeasyPrint's layout makes a few hundred thousand boxes and PDF objects, held until the
    # file is written; the cyclic garbage collector's passes over them (and over everything
    # the process already holds) find nothing to free and cost about a tenth of the layout.
    # It runs again, over what is left, once the file is written.
    paused = gc.isenabled()
    gc.disable()
    try:
        # PDF/UA-1: tagged, with the document's title and language (from <title> and
        # <html lang>), so a screen reader can follow the committee papers.
        document = html_class(string=html, url_fetcher=fetcher(charts))
        return bytes(document.write_pdf(pdf_variant="pdf/ua-1", font_config=_font_config()))
    finally:
        if paused:
            gc.enable()
