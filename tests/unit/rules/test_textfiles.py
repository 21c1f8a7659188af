"""What an imported text file must be: UTF-8, and values without control characters."""

from __future__ import annotations

import codecs

import pytest

from safehub.rules import textfiles


@pytest.mark.parametrize("marks", [0, 1, 3])
def test_utf8_is_read_with_any_number_of_leading_byte_order_marks(marks: int) -> None:
    assert textfiles.decode(codecs.BOM_UTF8 * marks + "a,é\n".encode()) == "a,é\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("a\nbé\n".encode("latin-1"), "byte 0xE9 on line 2 is not valid UTF-8 (it looks like"),
        ("a,b".encode("utf-16"), "it is UTF-16 (it starts with a UTF-16 byte-order mark)"),
        ("a,b".encode("utf-32"), "it is UTF-32"),
        ("a,b".encode("utf-16-be"), "it looks like UTF-16 without a byte-order mark"),
    ],
)
def test_anything_else_is_refused_saying_where_and_what_to_do(data: bytes, message: str) -> None:
    with pytest.raises(textfiles.NotUtf8Error) as refused:
        textfiles.decode(data)
    assert message in refused.value.message
    assert refused.value.message.startswith("file is not UTF-8: ")
    assert refused.value.message.endswith("re-save it as UTF-8")


def test_a_nul_inside_utf8_text_is_left_for_the_value_check() -> None:
    assert textfiles.decode(b"name\nTes\x00ta, Samplewell and more text here\n")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Tes\x00ta", "contains the control character U+0000 (NUL), which text may not hold"),
        ("\x1b[31m", "contains the control character U+001B (ESCAPE), which text may not hold"),
        ("a\x7f", "contains the control character U+007F (DELETE), which text may not hold"),
        ("a\x85", "contains the control character U+0085 (a control character), which"),
        ("\ud800", "contains U+D800, half of a character (a broken surrogate pair)"),
    ],
)
def test_control_characters_and_broken_surrogates_are_named(text: str, problem: str) -> None:
    found = textfiles.bad_character(text)
    assert found is not None
    assert found.startswith(problem)


@pytest.mark.parametrize("text", ["", "Testa", "line one\nline two\r\n\ttabbed", "Zoë 😀 ١٢"])
def test_ordinary_text_including_line_breaks_and_tabs_is_fine(text: str) -> None:
    assert textfiles.bad_character(text) is None


def test_a_value_longer_than_the_limit_is_named_with_its_length() -> None:
    assert textfiles.too_long("x" * textfiles.MAX_VALUE) is None
    assert textfiles.too_long("x" * 200_000) == (
        "is 200,000 characters long; a value may hold at most 131,072"
    )
