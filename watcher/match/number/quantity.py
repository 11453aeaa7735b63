"""Quantities: what the scanner finds in a text."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

KINDS = ("count", "percent", "money", "year", "date", "time", "ordinal", "measure")
# `NumberTest.unit` values; "any" means any *amount* (never a year, date, time or ordinal label).
UNITS = ("count", "percent", "money", "measure", "any", "year", "date", "time", "ordinal")
_ANY_KINDS = frozenset({"count", "percent", "money", "measure"})


@dataclass(frozen=True)
class Quantity:
    low: Decimal  # the value, or the lower end of a range
    high: Decimal  # == low for a single value; the upper end of a range
    kind: str  # "count" | "percent" | "money" | "year" | "date" | "time" | "ordinal" | "measure"
    hedge: str | None  # normalised hedge words before it: "more than", "about", "up to", ... or None
    start: int  # character span of the whole expression (hedge included) in the text
    end: int
    text: str  # text[start:end]
    currency: str | None = None  # for money: "USD", "EUR", "GBP", "RUB", ... when known
    unit: str | None = None  # for measure: "km", "tonnes", ... as written (lower case)


@dataclass(slots=True)
class _Num:
    """One number with its scale, before units, hedges and ranges are read."""

    start: int
    end: int  # after the scale word, if any
    value: Decimal  # scaled
    raw: Decimal  # as written, before the scale
    scaled: bool
    plain: bool  # bare integer digits: "2024", not "2,024", "2.5", "2k", "two"
    digits: str  # the digits of a plain integer
    ordinal: bool = False
    letter: bool = False  # "5m" / "5b": million only if money
    attached: str | None = None  # attached unit suffix: "pc", "km", ...
    weak: bool = False  # a bare "one": a number only with a unit after it ("one mile")
    tolerance: Decimal | None = None  # "2,000.45±0.01": the value is a range of this half-width
