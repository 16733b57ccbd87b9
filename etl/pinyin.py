"""Pinyin initials of Chinese names, for search as officials type (江苏源丰微电子 → jsyfwdz).

A table of each character's first letter, built once from pypinyin's own data (its most common reading),
and the phrases of pypinyin's phrase list whose reading changes a polyphonic character's first letter
(银行 hang, 重庆 chong, 长江 chang, …): a name is one `str.translate` plus, only where it holds such a
character, a few dictionary lookups around it: a few microseconds a name where pypinyin takes two hundred.
One choice differs from pypinyin on purpose: 长 alone is read chang (长海, 长荣: the names of places and
firms), not zhang (the rank, 董事长), which is pypinyin's first reading.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

CHARACTER_OVERRIDES = {"长": "c"}
LONGEST_PHRASE = 4


def _letter(reading: str) -> str:
    """First letter of a reading with tone marks (`háng` → h, `ḿ` → m)."""
    return unicodedata.normalize("NFD", reading)[0].lower()


@cache
def _tables() -> tuple[dict[int, str], re.Pattern[str], dict[str, str]]:
    # Imported here: pypinyin loads its dictionaries on import, a quarter of a second every `mujun` would pay.
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    first = {code: _letter(readings.split(",")[0]) for code, readings in pinyin_dict.items()}
    first.update({ord(char): letter for char, letter in CHARACTER_OVERRIDES.items()})
    phrases = {}
    changed: set[str] = set()  # characters some phrase reads with another first letter
    for phrase, readings in phrases_dict.items():
        if len(phrase) > LONGEST_PHRASE or len(readings) != len(phrase):
            continue
        letters = "".join(_letter(r[0]) for r in readings)
        default = phrase.translate(first)
        if letters != default:
            phrases[phrase] = letters
            changed.update(char for char, a, b in zip(phrase, letters, default, strict=True) if a != b)
    return first, re.compile("[" + "".join(sorted(map(re.escape, changed))) + "]"), phrases


def initials(text: str | None) -> str | None:
    """First letters of each character's pinyin, lower case; letters and digits in the text are kept."""
    if not text:
        return None
    first, polyphonic, phrases = _tables()
    letters = text.translate(first)  # one letter per character: positions stay aligned with `text`
    out: list[str] | None = None
    done = 0
    for match in polyphonic.finditer(text):
        at = match.start()
        if at < done:
            continue
        found = next(((start, phrases[text[start:start + length]]) for start in range(max(done, at - LONGEST_PHRASE + 1), at + 1)
                      for length in range(LONGEST_PHRASE, at - start, -1) if text[start:start + length] in phrases), None)
        if found is not None:
            start, phrase_letters = found
            out = out or list(letters)
            out[start:start + len(phrase_letters)] = phrase_letters
            done = start + len(phrase_letters)
    return ("".join(out) if out else letters).lower()
