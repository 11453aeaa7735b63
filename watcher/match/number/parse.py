"""Digit numbers: separators, decimals and attached suffixes."""

from __future__ import annotations

import re
from decimal import Decimal

from watcher.match.number.quantity import _Num
from watcher.match.number.vocab import _ATTACHED_MEASURES, _FOREIGN_SCALES, _SCALE_AFTER, _SCALE_VALUE, _SPACE_SEP
from watcher.match.number.words import _read_words


# --------------------------------------------------------------------------- numbers


def _digits(m: re.Match[str], mark: str | None) -> Decimal | None:
    """The value of a digit core; `mark` is the text's decimal mark ("." / "," / None: unknown)."""
    if m["comma"]:
        s = m["comma"]
        if mark == "," and s.count(",") == 1 and "." not in s:
            return Decimal(s.replace(",", "."))  # "4,800" in German: 4.8
        return Decimal(s.replace(",", ""))
    if m["space"]:
        return Decimal(re.sub(_SPACE_SEP, "", m["space"]).replace(",", "."))
    if m["euro"]:
        s = m["euro"]
        if s.count(".") == 1 and "," not in s and mark != ",":
            return Decimal(s)  # "2.125 points", "4.800" in English or unknown: no separator needed
        return Decimal(s.replace(".", "").replace(",", "."))
    if m["dcomma"]:
        return Decimal(m["dcomma"].replace(",", ".")) if mark == "," else None  # "3,5" in English: a list
    if m["lead"]:
        return Decimal("0" + m["lead"])
    return Decimal(m["plain"])


def _read_num(text: str, m: re.Match[str], mark: str | None = None) -> _Num | None:
    if m["words"] is not None:
        return _read_words(text, m)
    suf = m["suf"]
    raw = _digits(m, mark)
    if raw is None:
        return None
    plain = bool(m["plain"]) and "." not in m["plain"] and not suf
    digits = m["plain"] if plain else ""
    end = m.end()
    if suf:
        low = suf.lower()
        if low in ("st", "nd", "rd", "th"):
            if not m["plain"] or "." in m["plain"]:
                return None
            return _Num(m.start(), end, raw, raw, False, False, "", ordinal=True)
        if low in _ATTACHED_MEASURES or low == "pc":
            return _Num(m.start(), end, raw, raw, False, False, "", attached=low)
        return _Num(m.start(), end, raw * _SCALE_VALUE[low], raw, True, False, "", letter=low in ("m", "b"))
    sm = _SCALE_AFTER.match(text, end)
    if sm:
        word = (sm[1] or sm[2] or sm[3]).lower()
        scale = _SCALE_VALUE.get(word) or _FOREIGN_SCALES[word]
        return _Num(m.start(), sm.end(), raw * scale, raw, True, False, "")
    return _Num(m.start(), end, raw, raw, False, plain, digits)
