"""The `number` condition on the error classes found on real text (issue 14), with our own sentences.

Each class has sentences in the shape of news copy; each asserts the value read and
that a threshold rule at that value fires (and one just past it does not).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from watcher.match.numbers import NumberTest, Quantity, find_quantities, match_number


def only(text: str, lang: str | None = None) -> Quantity:
    """The one quantity of `text` (the test sentences hold one)."""
    qs = find_quantities(text, lang) if lang else find_quantities(text)
    assert len(qs) == 1, f"expected one quantity in {text!r}, read {qs}"
    return qs[0]


def fires(text: str, unit: str = "count", lang: str | None = None, **bounds: object) -> bool:
    test = NumberTest(unit=unit, **bounds)  # type: ignore[arg-type]
    return bool(match_number(text, test, lang) if lang else match_number(text, test))


# --------------------------------------------------------------------------- exact arithmetic


@pytest.mark.parametrize(
    "text,value,unit",
    [
        ("The agency repaid $16.4 million to the fund in Orlen.", "16400000", "money"),
        ("Exports reached 1.15 billion euros last year.", "1150000000", "money"),
        ("The census counted 2.3 million residents in Varda.", "2300000", "count"),
        ("Borrowing costs rose 0.3% after the Marlow vote.", "0.3", "percent"),
        ("The firm has 4.35 thousand staff across the region.", "4350", "count"),
    ],
)
def test_values_are_exact_decimals(text: str, value: str, unit: str) -> None:
    q = only(text)
    assert isinstance(q.low, Decimal)
    assert q.low == q.high == Decimal(value)
    assert fires(text, unit, gte=float(value), lte=float(value))  # a rule at the value itself fires
    assert not fires(text, unit, gt=float(value))
    assert not fires(text, unit, lt=float(value))


def test_thresholds_are_the_decimals_written() -> None:
    t = NumberTest(gte=0.3, lt=16.4e6)
    assert (t.gte, t.lt) == (Decimal("0.3"), Decimal("16400000.0"))
    assert NumberTest(gt=Decimal("1.5")).gt == Decimal("1.5")
    assert NumberTest(lte=7).lte == Decimal(7)
    assert fires("Prices edged up 0.3% in May.", "percent", gte=0.3, lte=0.3)
