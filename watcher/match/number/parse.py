"""Digit numbers: separators, decimals and attached suffixes."""

from __future__ import annotations

import re
from decimal import Decimal

from watcher.match.number.quantity import _Num
from watcher.match.number.vocab import _ATTACHED_MEASURES, _PERCENT_AFTER, _SCALE_AFTER, _SCALE_VALUE, _SPACE_SEP
from watcher.match.number.words import _read_words


# --------------------------------------------------------------------------- numbers


def _read_num(text: str, m: re.Match[str]) -> _Num | None:
    if m["words"] is not None:
        return _read_words(text, m)
    suf = m["suf"]
    if m["comma"]:
        raw = Decimal(m["comma"].replace(",", ""))
    elif m["space"]:
        raw = Decimal(re.sub(_SPACE_SEP, "", m["space"]))
    elif m["euro"]:
        s = m["euro"]
        raw = Decimal(s.replace(".", "").replace(",", "."))
        # "1.500 million" / "2.125%" are English decimals, not European grouping.
        if s.count(".") == 1 and "," not in s and (
            _SCALE_AFTER.match(text, m.end()) or _PERCENT_AFTER.match(text, m.end()) or suf
        ):
            raw = Decimal(s)
    else:
        raw = Decimal(m["plain"])
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
        scale = _SCALE_VALUE[(sm[1] or sm[2]).lower()]
        return _Num(m.start(), sm.end(), raw * scale, raw, True, False, "")
    return _Num(m.start(), end, raw, raw, False, plain, digits)
