"""Pinyin initials of Chinese names, for search as officials type (江苏源丰微电子 → jsyfwdz)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def initials(text: str | None) -> str | None:
    """First letters of each character's pinyin, lower case; letters and digits in the text are kept."""
    if not text:
        return None
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()
