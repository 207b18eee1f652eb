"""Masking of a person's identifiers (PIPL; GB/T 35273-2020 §3.14): the one place the rules live.

- ID number: the 6-digit division and the last 4 stay, birth date and sequence go:
  ``440803********1234`` (the same rule as the warehouse's ``id_card_masked``);
- phone: a mobile keeps its 3-digit network prefix and last 4 (``138****5678``), a landline its
  area code and last 4 (``0759-***1234``);
- name: the first and last character stay (``王*英``, ``欧**明``), a two-character name keeps
  its first (``王*``), a one-character name is hidden (``*``).

``None`` and empty values stay as they are (nothing to hide); anything else that does not have
the expected shape is hidden entirely rather than shown half-masked.
"""

from __future__ import annotations

import re

_ID = re.compile(r"^\d{17}[\dX]$|^\d{15}$")
_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})$")


def _blank(value: str | None) -> bool:
    return value is None or not str(value).strip()


def mask_id(value: str | None) -> str | None:
    if _blank(value):
        return value
    v = str(value).strip().upper()
    if not _ID.match(v):
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_phone(value: str | None) -> str | None:
    if _blank(value):
        return value
    v = re.sub(r"[\s]", "", str(value))
    if _MOBILE.match(v):
        return v[:3] + "****" + v[-4:]
    if m := _LANDLINE.match(v):
        area, number = m.groups()
        return f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"
    return "*" * len(v)


def mask_name(value: str | None) -> str | None:
    if _blank(value):
        return value
    v = str(value).strip()
    if len(v) == 1:
        return "*"
    if len(v) == 2:
        return v[0] + "*"
    return v[0] + "*" * (len(v) - 2) + v[-1]
