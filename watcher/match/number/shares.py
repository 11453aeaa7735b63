"""Shares as percentages: "one in two" (50%), "9 out of 10", "two-thirds of", "a quarter of", "half of", "1/4 of".

The scanner meets most shares at their first number ("one", "9", "two", "1/4") and
asks here; "a quarter of" and "half of" start with no number and are found by
`word_shares`, after a few substring tests.
"""

from __future__ import annotations

import re
from decimal import Decimal

_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6,
                 "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_FRACTION = (r"halves|half|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?")
# After a numerator: "two-thirds", "two thirds of", "one quarter of".
FRACTION_AFTER = re.compile(rf"(?P<sep>[\s-]+)(?i:(?P<d>{_FRACTION}))\b(?P<of>\s+of\b)?")
# After a numerator: " in 10", " out of ten".
IN_AFTER = re.compile(r"\s+(?i:in|out\s+of)\s+")
_WORD_SHARE = re.compile(rf"(?i)(?<![\w-])(?:(?:an?|one)\s+(?P<d>{_FRACTION})|(?P<half>half))\s+of\b")
_NOT_A_SHARE_BEFORE = re.compile(
    r"(?i)(?<!\w)(?:the|a|first|second|latter|former|other|each|this|that|its|their|his|her|our|my|your|back|"
    r"front|top|bottom|lower|upper|better|opening|closing)\s+\Z"
)
_WORD_CUES = ("half of", "third of", "quarter of", "fourth of", "fifth of", "sixth of", "seventh of", "eighth of",
              "ninth of", "tenth of")


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator as a percentage; None unless 0 < numerator <= denominator, denominator >= 2."""
    if not (0 < numerator <= denominator and denominator >= 2):
        return None
    return numerator * 100 / denominator


def fraction(m: re.Match[str], numerator: Decimal) -> Decimal | None:
    """The share of a FRACTION_AFTER match: "two-thirds" (hyphenated) or "two thirds of"; None otherwise."""
    if m["sep"].strip() != "-" and not m["of"]:
        return None  # "two thirds" alone may be two things; before "of" or hyphenated it is a share
    word = m["d"].lower()
    return percent(numerator, Decimal(_DENOMINATORS.get(word) or _DENOMINATORS[word[:-1]]))


def find_all(text: str, sub: str) -> list[int]:
    """Every index of `sub` in `text`."""
    out, i = [], text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def word_shares(text: str, low: str | None = None) -> list[tuple[int, int, Decimal]]:
    """(start, end, percent) of "a quarter of", "one third of", "half of": shares with no number to start at."""
    low = text.lower() if low is None else low  # `low`: text.lower(), when the caller has it
    if " of" not in low:
        return []
    starts = sorted(i for c in _WORD_CUES for i in find_all(low, c))
    out: list[tuple[int, int, Decimal]] = []
    for i in starts:
        m = _WORD_SHARE.search(text, max(0, i - 4), i + 12)  # "a ", "an ", "one " before the cue
        if m is None or (out and m.start() < out[-1][1]):
            continue
        if m["half"] and _NOT_A_SHARE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue  # "the second half of the year", "the other half of the team"
        d = 2 if m["half"] else _DENOMINATORS.get(m["d"].lower()) or _DENOMINATORS[m["d"].lower()[:-1]]
        value = percent(Decimal(1), Decimal(d))
        if value is not None:
            out.append((m.start(), m.end() - 3, value))  # without " of"
    return out
