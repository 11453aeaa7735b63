"""Keywords, phrases, folding and the all/any/not logic, on plain values."""

from __future__ import annotations

import pytest

from watcher.match.article import ArticleText, Field, Prepared
from watcher.match.engine import (
    AllNode,
    AnyNode,
    KeywordsNode,
    LanguageNode,
    NotNode,
    RegexNode,
)
from watcher.match.keywords import compile_term, find_term


def found(term: str, text: str) -> list[str]:
    f = Field("body", text)
    return [text[h.start:h.end] for h in find_term(compile_term(term), f)]


@pytest.mark.parametrize(
    "term,text,expected",
    [
        ("migrant", "Migrants queued at the border.", ["Migrants"]),
        ("migrants", "A migrant's family waited.", ["migrant's"]),
        ("city", "Two cities and one city's mayor.", ["cities", "city's"]),
        ("naturalized", "He was naturalizing them and they naturalize.", ["naturalizing", "naturalize"]),
        ("box", "The boxes were empty.", ["boxes"]),
        ("new citizens", "New  citizens were drafted; new citizen rules apply.", ["New  citizens", "new citizen"]),
        ("military operation", "the special military-operation zone", []),  # hyphenated words are one word
        ("front", "On the frontline and the front.", ["front"]),
        ("news", "Nothing new.", []),
        ("new", "The news today.", []),
        ("Bastrykin", "BASTRYKIN spoke; Bastrykin's aide too; Bastrykinov is not him.", ["BASTRYKIN", "Bastrykin's"]),
        ("Bastrakin", "Bastrâkin said so.", ["Bastrâkin"]),
        ("Бастрыкин", "Глава СК Бастрыкина и Бастрыкиным.", ["Бастрыкина", "Бастрыкиным"]),
        ("Бастрыкин", "Бастрыкинский район", []),
        ("café", "The CAFE and the Café.", ["CAFE", "Café"]),
        ("20,000", "some 20,000 people", ["20,000"]),
    ],
)
def test_terms(term: str, text: str, expected: list[str]) -> None:
    assert found(term, text) == expected


def prepared(body: str, title: str = "", language: str | None = None) -> Prepared:
    return Prepared(ArticleText(title=title, body=body, language=language))


def test_keywords_any_and_all_with_evidence_sentences() -> None:
    p = prepared("The port reopened. Dockers voted for the deal on Monday. Ships queued.")
    out = KeywordsNode(["strike", "dockers"], ("title", "body"), require_all=False).eval(p)
    assert out.holds and [e.matched for e in out.evidence] == ["Dockers"]
    assert out.evidence[0].sentence == "Dockers voted for the deal on Monday."
    assert not KeywordsNode(["dockers", "strike"], ("title", "body"), require_all=True).eval(p).holds


def test_in_title_only() -> None:
    p = prepared("The strike ended.", title="Port reopens")
    assert not KeywordsNode(["strike"], ("title",), False).eval(p).holds
    assert KeywordsNode(["port"], ("title",), False).eval(p).evidence[0].field == "title"


def test_all_any_not() -> None:
    p = prepared("Opinion: the ferry timetable is a disgrace.")
    ferry = KeywordsNode(["ferry"], ("title", "body"), False)
    opinion = KeywordsNode(["opinion"], ("title", "body"), False)
    bus = KeywordsNode(["bus"], ("title", "body"), False)
    assert AnyNode([bus, ferry]).eval(p).holds
    assert not AllNode([ferry, bus]).eval(p).holds
    out = AllNode([ferry, NotNode([opinion])]).eval(p)
    assert not out.holds and "not: found Opinion" in out.missing[0]
    assert AllNode([ferry, NotNode([bus])]).eval(p).holds


def test_regex_and_language() -> None:
    p = prepared("Sailings will be reduced from 4 to 2.", language="en-GB")
    assert RegexNode([r"sailings? will be (cut|reduced)"], ("body",)).eval(p).evidence[0].matched == "Sailings will be reduced"
    assert LanguageNode(["en"]).eval(p).holds and not LanguageNode(["ru"]).eval(p).holds
