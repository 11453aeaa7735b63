"""Shares as percentages: "one in two" (50%), "9 out of 10", "a quarter of", "two-thirds", "1/4 of"."""

from __future__ import annotations

import re
from decimal import Decimal

from watcher.match.number.context import _hedge_before
from watcher.match.number.quantity import Quantity
from watcher.match.number.vocab import _SMALL, _TENS

_WORDS = {**_SMALL, **_TENS, "a": 1, "an": 1}
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6,
                 "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_NUM = r"\d{1,3}|" + "|".join(sorted(_SMALL | _TENS, key=len, reverse=True))
_SHARE = re.compile(
    rf"(?i)(?<![\w.,/-])(?:"
    rf"(?P<n>{_NUM})\s+(?:in|out\s+of)\s+(?P<d>\d{{1,3}}|{_NUM}|hundred|a\s+hundred|a\s+thousand)(?![\w.,/])"
    rf"|(?P<fn>{_NUM}|an?)(?P<fsep>[\s-]+)(?P<fd>halves|half|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|"
    r"eighths?|ninths?|tenths?)\b(?P<of>\s+of\b)?"
    r"|(?P<sn>\d{1,2})/(?P<sd>\d{1,2})(?=\s+of\b)"
    r"|(?P<half>half)(?=\s+of\b)"
    r")"
)
_CUES = re.compile(r"(?i)\b(?:in|out\s+of|half|halves|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?|"
                   r"ninths?|tenths?)\b|\d/\d")


def _number(word: str) -> int | None:
    w = " ".join(word.lower().split())
    if w.isdigit():
        return int(w)
    return {"hundred": 100, "a hundred": 100, "a thousand": 1000}.get(w, _WORDS.get(w))


def _share(m: re.Match[str]) -> Decimal | None:
    if m["n"]:
        n, d = _number(m["n"]), _number(m["d"])
    elif m["fd"]:
        if m["fsep"].strip() != "-" and not m["of"]:
            return None  # "two thirds" only before "of" or hyphenated ("two-thirds majority")
        fd = m["fd"].lower()
        n, d = _number(m["fn"]), _DENOMINATORS.get(fd) or _DENOMINATORS.get(fd.rstrip("s"))
    elif m["sn"]:
        n, d = int(m["sn"]), int(m["sd"])
    else:
        n, d = 1, 2  # "half of"
    if n is None or not d or n > d or d < 2:
        return None
    return Decimal(n) * 100 / d


def shares(text: str) -> list[Quantity]:
    """Every share in `text`, as a percent quantity."""
    if not _CUES.search(text):
        return []
    out = []
    for m in _SHARE.finditer(text):
        value = _share(m)
        if value is None:
            continue
        hedge, start = _hedge_before(text, m.start())
        start = start if hedge else m.start()
        end = m.end() if m["fd"] is None or not m["of"] else m.start("of")
        out.append(Quantity(value, value, "percent", hedge, start, end, text[start:end]))
    return out
