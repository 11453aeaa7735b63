"""Digit numbers: separators, decimals and attached suffixes."""

from __future__ import annotations

import re
from decimal import Decimal

from watcher.match.number.marks import DecimalMark
from watcher.match.number.quantity import _Num
from watcher.match.number.units import ATTACHED
from watcher.match.number.vocab import _FOREIGN_SCALES, _SCALE_AFTER, _SCALE_VALUE, _SPACE_SEP
from watcher.match.number.words import _read_words


# --------------------------------------------------------------------------- numbers


def _digits(m: re.Match[str], mark: DecimalMark | None) -> Decimal | None:
    """The value of a digit core; `mark` tells the text's decimal mark ("." / "," / None: unknown)."""
    if m["comma"]:
        s = m["comma"]
        if s.count(",") == 1 and "." not in s and mark and mark.get() == ",":
            return Decimal(s.replace(",", "."))  # "4,800" in German: 4.8
        return Decimal(s.replace(",", ""))
    if m["space"]:
        return Decimal(re.sub(_SPACE_SEP, "", m["space"]).replace(",", "."))
    if m["euro"]:
        s = m["euro"]
        if s.count(".") == 1 and "," not in s and not (mark and mark.get() == ","):
            return Decimal(s)  # "2.125 points", "4.800" in English or unknown: no separator needed
        return Decimal(s.replace(".", "").replace(",", "."))
    if m["dcomma"]:
        return Decimal(m["dcomma"].replace(",", ".")) if mark and mark.get() == "," else None  # "3,5" in English: a list
    if m["lead"]:
        return Decimal("0" + m["lead"])
    if m["vulgar"]:
        whole, frac = m["vulgar"][:-1], _VULGAR[m["vulgar"][-1]]
        return Decimal(whole or 0) + Decimal(frac[0]) / frac[1]
    return Decimal(m["plain"])


_VULGAR = {"½": (1, 2), "¼": (1, 4), "¾": (3, 4), "⅓": (1, 3), "⅔": (2, 3), "⅕": (1, 5), "⅛": (1, 8), "⅜": (3, 8),
           "⅝": (5, 8), "⅞": (7, 8)}
# Glued scale letters: case matters ("10M" is million, "10m" metres or million, "5G" nothing).
_GLUED_SCALES = {"k": 10**3, "K": 10**3, "M": 10**6, "m": 10**6, "b": 10**9, "B": 10**9, "T": 10**12, "mil": 10**6,
                 "mill": 10**6}
_ONE_LETTER_UNITS = frozenset("mglLthWVJ")  # single letters that are units glued to digits ("48m", "100t", "2L")
_EXPONENT_END = re.compile(r"\^?[23]$|[²³]$")


def _suffixed(m: re.Match[str], raw: Decimal, suf: str) -> _Num | None:
    """A number with letters glued on: "21st", "15pc", "10k", "1.2bn", "10M", "75ml", "4km^3"; None for "5G"."""
    start, end, low = m.start(), m.end(), suf.lower()
    if low in ("st", "nd", "rd", "th"):
        if not m["plain"] or "." in m["plain"]:
            return None
        return _Num(start, end, raw, raw, False, False, "", ordinal=True)
    if low == "pc":
        return _Num(start, end, raw, raw, False, False, "", attached=low)
    scale = _GLUED_SCALES.get(suf) or (_SCALE_VALUE.get(low) if len(low) > 1 else None)
    if low == "b" and raw >= 1000:
        return _Num(start, end, raw, raw, False, False, "", attached="b")  # "a 1500b packet": bytes, not billions
    if scale:
        if raw >= 1000 and raw == raw.to_integral_value() and suf in "mMbBT":
            return None  # "a 5500M chipset", "Boeing 7000B": a model code; a real amount would say "5.5bn"
        return _Num(start, end, raw * scale, raw, True, False, "", letter=suf == "m")  # "m": metres, or million?
    base = _EXPONENT_END.sub("", low)
    if (len(suf) == 1 and suf in _ONE_LETTER_UNITS) or (len(suf) > 1 and base in ATTACHED):
        return _Num(start, end, raw, raw, False, False, "", attached=low)
    return None


def _read_num(text: str, m: re.Match[str], mark: DecimalMark | None = None) -> _Num | None:
    if m["words"] is not None:
        num = _read_words(text, m)
        return _scaled(text, num) if num is not None and not num.scaled and not num.ordinal else num
    suf = m["suf"]
    raw = _digits(m, mark)
    if raw is None:
        return None
    plain = bool(m["plain"]) and "." not in m["plain"] and not suf
    digits = m["plain"] if plain else ""
    if suf:
        return _suffixed(m, raw, suf)
    return _scaled(text, _Num(m.start(), m.end(), raw, raw, False, plain, digits))


_AND_A_HALF = re.compile(r"\s+and\s+a\s+half\b")


def _scaled(text: str, num: _Num) -> _Num:
    """`num` with "and a half" and a scale word after it: "2 and a half million", "1.5 million", "3 Mrd."."""
    half = _AND_A_HALF.match(text, num.end) if text.startswith(" and", num.end) else None
    if half:
        num.value = num.raw = num.raw + Decimal("0.5")
        num.end, num.plain, num.digits, num.weak = half.end(), False, "", False
    sm = _SCALE_AFTER.match(text, num.end)
    if sm:
        word = (sm[1] or sm[2] or sm[3]).lower()
        scale = _SCALE_VALUE.get(word) or _FOREIGN_SCALES[word]
        num.value, num.end, num.scaled, num.plain, num.digits = num.raw * scale, sm.end(), True, False, ""
    return num
