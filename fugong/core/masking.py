"""Masking of personal data for display and export (domain-rules §7)."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """`431003********123X`: the first 6 and the last 4 characters."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """`138****1234` for a mobile; other numbers keep only their last 4 characters."""
    if not value:
        return ""
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_name(value: str | None) -> str:
    """`张*` / `欧阳**`: the first character (two for a known compound surname) then stars."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 1:
        return value
    keep = 2 if len(value) >= 3 and value[:2] in COMPOUND_SURNAMES else 1
    return value[:keep] + "*" * (len(value) - keep)


COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫".split()
)
