"""What an imported text file must be: UTF-8, and text without control characters.

Import files come from spreadsheets and other systems, so they arrive in every encoding and
with every kind of damage. Both importers read the raw bytes through `decode` and each value
through `bad_character`, so a file that is not what the formats promise is refused with a
sentence that says where and what to do, never a traceback, and nothing that cannot be stored
or shown (a NUL, an escape sequence, half a surrogate pair) reaches the database.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# The most one value may hold, in characters. The CSV reader's own limit (131,072) applies
# to CSV files in any case; the same figure is applied to JSON values so both formats agree.
MAX_VALUE = 131_072
# A manifest is a few lines; anything far larger is not one.
MAX_MANIFEST_BYTES = 65_536

# C0 controls but tab, line feed and carriage return (which a multi-line cell holds), DEL, C1
# controls, and lone surrogates (which strict UTF-8 never gives, but JSON's \ud800 escapes do).
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class NotUtf8Error(ValueError):
    """The bytes are not UTF-8; `line` is the line of the first bad byte (1 for the first)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def decode(data: bytes) -> str:
    """The text of a UTF-8 file, with or without a byte-order mark, or NotUtf8Error.

    Every leading byte-order mark is removed: a file saved as "CSV UTF-8" by a program that
    adds one to text that already had one starts with two, and its first column would
    otherwise not be recognised by a name that looks the same.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise NotUtf8Error(
                1, f"file is not UTF-8: it is {name} (it starts with a {name} byte-order mark); "
                "re-save it as UTF-8"
            )  # fmt: skip
    head = data[:64]
    if len(head) >= 4 and (not any(head[1::2]) or not any(head[0::2])):  # noqa: PLR2004
        # NUL in every other byte: text in UTF-16, saved without its byte-order mark.
        raise NotUtf8Error(
            1, "file is not UTF-8: it looks like UTF-16 without a byte-order mark; re-save it "
            "as UTF-8"
        )  # fmt: skip
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        guess = (
            " (it looks like Latin-1 or Windows-1252)"
            if 0x80 <= byte <= 0xFF and b"\x00" not in data[:4096]  # noqa: PLR2004
            else ""
        )
        raise NotUtf8Error(
            line,
            f"file is not UTF-8: byte 0x{byte:02X} on line {line} is not valid UTF-8{guess}; "
            "re-save it as UTF-8",
        ) from None


def bad_character(text: str) -> str | None:
    """Why the text may not be stored, naming the first character at fault; None if fine."""
    found = _BAD.search(text)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return f"contains {code}, half of a character (a broken surrogate pair)"
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "a control character")
    return f"contains the control character {code} ({name}), which text may not hold"


_CONTROL_NAMES = {"\x00": "NUL", "\x1b": "ESCAPE", "\x7f": "DELETE"}


def too_long(text: str) -> str | None:
    """Why the value is too long to be any field of an import; None if it is not."""
    if len(text) > MAX_VALUE:
        return f"is {len(text):,} characters long; a value may hold at most {MAX_VALUE:,}"
    return None
