"""Reading query strings safely: every list filter in every app starts here."""

from __future__ import annotations

from typing import Any


def clean_params(raw: Any) -> dict[str, str]:
    """Query-string values as text without NUL and control characters (PostgreSQL refuses NUL in text)."""
    out = {}
    for key in raw:
        value = raw.get(key)
        if isinstance(value, str):
            out[key] = "".join(ch for ch in value if ch >= " " or ch == "\t")
    return out
