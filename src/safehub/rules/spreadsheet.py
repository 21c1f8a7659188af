"""Text cells that a spreadsheet must not run as formulas (OWASP "CSV injection").

Excel, LibreOffice and Google Sheets treat a cell that begins with `=`, `+`, `-` or `@` as a
formula, and a leading tab or carriage return can hide one; a name or concern typed as
`=HYPERLINK(…)` would then run on the analyst's machine. Exports therefore write such a text
value with a leading apostrophe, which spreadsheets read as "this is text".

The rule is reversible, so an export imported again gives back the very same values:

- `neutralise`: a value beginning with one of those characters, or with an apostrophe (so that
  a genuine leading apostrophe survives), gets one apostrophe in front;
- `restore`: an apostrophe followed by one of those characters or by another apostrophe is
  taken off; any other value is left alone, so text from another system that happens to begin
  with an apostrophe keeps it.

Only free-text and identifier columns go through this: numbers, dates and codes are written as
they are (a negative number stays a number).
"""

from __future__ import annotations

FORMULA_STARTS = frozenset("=+-@\t\r")
QUOTE = "'"


def neutralise(text: str) -> str:
    if text and (text[0] in FORMULA_STARTS or text[0] == QUOTE):
        return QUOTE + text
    return text


def restore(text: str) -> str:
    if len(text) > 1 and text[0] == QUOTE and (text[1] in FORMULA_STARTS or text[1] == QUOTE):
        return text[1:]
    return text
