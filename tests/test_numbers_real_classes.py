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


# --------------------------------------------------------------------------- separators by language


@pytest.mark.parametrize(
    "text,lang,value",
    [
        ("Police in Halden counted 4.800 marchers on Saturday.", "de", "4800"),
        ("Police in Halden counted 4.800 marchers on Saturday.", "en", "4.8"),
        ("Police in Halden counted 4.800 marchers on Saturday.", None, "4.8"),  # unknown: no separator needed
        ("The index closed 2.125 points lower in Varda.", None, "2.125"),
        ("The index closed 2.125 points lower in Varda.", "en-GB", "2.125"),
        ("Die Stadt zahlte 4,800 Millionen Euro.", "de", "4800000"),
        ("Der Preis stieg um 3,5 Prozent.", "de", "3.5"),
        ("La ville compte 12 345,5 hectares de forêt.", "fr", "12345.5"),
        ("The council approved 4,800 new homes in Brandt.", None, "4800"),
        ("The council approved 4,800 new homes in Brandt.", "en", "4800"),
        ("El censo registró 1.234.567 votantes.", "es", "1234567"),
        ("The census counted 1.234.567 voters in Osta.", None, "1234567"),  # two groups: only grouping
        ("Der Etat beträgt 1.234,5 Millionen.", None, "1234500000"),  # "1.234,5" is German whatever the tag
        ("Pilgrims numbered 1,234,567 this year.", "de", "1234567"),  # two comma groups: only grouping
    ],
)
def test_decimal_mark_follows_the_language(text: str, lang: str | None, value: str) -> None:
    qs = [q for q in find_quantities(text, lang) if q.kind in ("count", "percent", "money", "measure")]
    assert [q.low for q in qs] == [Decimal(value)], qs


def test_unknown_language_learns_the_mark_from_the_text() -> None:
    # The same text shows dot groups elsewhere ("1.250.000"), so its "4.800" is 4800 too.
    text = "Von 1.250.000 Einwohnern gingen 4.800 auf die Straße."
    assert [q.low for q in find_quantities(text)] == [Decimal(1250000), Decimal(4800)]
    text = "Of 1,250,000 residents, 4.8 per cent marched."
    assert [q.low for q in find_quantities(text)] == [Decimal(1250000), Decimal("4.8")]


def test_unknown_or_malformed_language_tag_is_unknown() -> None:
    assert only("Police counted 4.800 marchers.", "xx-not-a-tag").low == Decimal("4.8")


def test_rule_uses_the_article_language() -> None:
    from watcher.match.article import ArticleText, Prepared
    from watcher.match.engine import NumberNode

    node = NumberNode(gte=4000)
    text = "Police in Halden counted 4.800 marchers on Saturday."
    assert node.eval(Prepared(ArticleText(title="", body=text, language="de"))).holds
    assert not node.eval(Prepared(ArticleText(title="", body=text, language="en"))).holds
