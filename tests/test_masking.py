"""Masking of identifiers (eldercare/masking.py) against expectations written out by hand."""

from __future__ import annotations

import pytest

from eldercare.masking import mask_id, mask_name, mask_phone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("440803195703151234", "440803********1234"),
        ("44088119400101002x", "440881********002X"),  # lower-case x read as X
        (" 440803195703151234 ", "440803********1234"),
        ("440803570315123", "440803*****5123"),  # a 15-digit number: same rule, 5 hidden
        ("4408031957", "**********"),  # not an ID number: hidden entirely
        ("", ""),
        (None, None),
    ],
)
def test_mask_id(value, expected) -> None:
    assert mask_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("0759-2234567", "0759-***4567"),
        ("075922345678", "0759-****5678"),
        ("12345", "*****"),  # not a phone: hidden entirely
        (None, None),
    ],
)
def test_mask_phone(value, expected) -> None:
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("王秀英", "王*英"),
        ("王英", "王*"),
        ("欧阳小明", "欧**明"),
        ("李", "*"),
        (" 陈大文 ", "陈*文"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_name(value, expected) -> None:
    assert mask_name(value) == expected


def test_masked_values_hide_what_they_must() -> None:
    """Beyond the examples: no masked value gives back the hidden middle."""
    assert "19570315" not in mask_id("440803195703151234")
    assert "1234" not in mask_phone("13812345678")[:7]
    assert "秀" not in mask_name("王秀英")
