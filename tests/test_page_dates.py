"""A page's own date, read when its feed gives none: stated dates are read, a year alone is no date."""

from __future__ import annotations

import htmldate.extractors
import pytest
from lxml import html

from watcher.extract.body import extract_article
from watcher.extract.dates import LANGUAGES, _external_parser, page_date

LEAD = "<p>El ayuntamiento aprobó anoche el nuevo plan de transporte tras un largo debate en el pleno.</p>" * 6


def page(stated: str, head: str = "", lang: str = "es") -> bytes:
    return (f"<html lang='{lang}'><head><title>Plan de transporte</title>{head}</head><body><article>"
            f"<h1>El pleno aprueba el plan de transporte</h1><p class='fecha'>{stated}</p>{LEAD}</article>"
            "<footer>© 2025 Diario de Ejemplo</footer></body></html>").encode()


@pytest.mark.parametrize("stated", ["Actualizado hace tres horas", ""])
def test_a_page_whose_date_cannot_be_read_has_none_not_the_first_of_january(stated: str) -> None:
    got = extract_article(page(stated), "https://diario.example/ciudad/plan-de-transporte")
    assert got.date is None, f"{stated!r} gave {got.date} (a year alone is not a date)"


@pytest.mark.parametrize(("stated", "head", "want"), [
    ("5 de noviembre de 2025", "", "2025-11-05T00:00:00"),
    ("Published November 6, 2025", "", "2025-11-06T00:00:00"),
    ("", "<meta name='publishdate' content='05/29/2007 09:49:00'>", "2007-05-29T09:49:00"),
    ("", "<meta property='article:published_time' content='2026-11-30T14:35:00+01:00'>", "2026-11-30T14:35:00+0100"),
    ("", "<meta property='article:published_time' content='2026-01-01'>", "2026-01-01T00:00:00"),  # New Year's Day
])
def test_a_date_the_page_states_is_read(stated: str, head: str, want: str) -> None:
    assert extract_article(page(stated, head), "https://diario.example/ciudad/plan").date == want
    assert page_date(html.fromstring(page(stated, head)), None) == want


def test_dateparser_reads_only_the_listed_languages() -> None:
    parser = htmldate.extractors.get_external_parser()
    assert parser is _external_parser()
    before = _external_parser.cache_info()
    extract_article(page("Publicado el 9 de noviembre de 2025"), "https://diario.example/ciudad/otro-plan")
    after = _external_parser.cache_info()
    assert after.hits + after.misses > before.hits + before.misses, "htmldate no longer asks for our parser"
    assert parser.get_date_data("7 listopada 2025").date_obj.day == 7  # Polish is listed
    assert {"en", "es", "fr", "de", "ru", "uk"} <= set(LANGUAGES)
