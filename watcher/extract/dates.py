"""A page's date, read when its feed gives none: htmldate's fast patterns first, then its search of the text.

htmldate's extensive search hands text its patterns cannot read to
dateparser, which tries each of its 205 locales (compiling every one's
patterns: 3.4 s at a worker's first such page, then 0.17 s at each later
one) and, when none reads it, htmldate settles for a year alone, given as
1 January. Here dateparser tries LANGUAGES only, and a 1 January at midnight
that the fast patterns alone do not find too is taken for such a guess and
dropped (a page that states "1 January 2025" in its meta tags or in words is
read by the fast patterns as well). (On
the 33 extraction-dev pages with a labelled date, the fast patterns alone and
the extensive search are right on the same 31.)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import htmldate.extractors
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import set_date_params

# htmldate keeps the stated time and offset ("2026-11-30T14:35:00+0100"); a page stating only a day gives its midnight
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# the languages dateparser reads a date in (dateparser's codes): the news languages watcher is used for
LANGUAGES = ["en", "es", "fr", "de", "it", "pt", "nl", "ru", "uk", "pl", "sv", "da", "nb", "fi", "cs", "tr"]
_GUESS = "-01-01T00:00:00"  # a year given as its first midnight


@lru_cache(maxsize=1)
def _external_parser() -> Any:
    """htmldate's dateparser settings, with LANGUAGES instead of every locale."""
    from dateparser import DateDataParser

    return DateDataParser(languages=LANGUAGES, settings={
        "NORMALIZE": True, "PARSERS": ["custom-formats", "absolute-time"], "PREFER_DATES_FROM": "past",
        "PREFER_LOCALE_DATE_ORDER": True, "RETURN_AS_TIMEZONE_AWARE": False, "STRICT_PARSING": True,
    })


# htmldate reads its parser through this module-level function at each use (a lazy, cached factory)
htmldate.extractors.get_external_parser = _external_parser


def page_date(tree: HtmlElement, url: str | None) -> str | None:
    """The date the page states for itself (DATE_FORMAT), or None."""
    found = _find(tree, url, extensive=True)
    if found and found[4:].startswith(_GUESS) and _find(tree, url, extensive=False) != found:
        return None  # a year alone, not a stated 1 January
    return found


def _find(tree: HtmlElement, url: str | None, extensive: bool) -> str | None:
    config = set_date_params(extensive)
    config["url"] = url
    config["outputformat"] = DATE_FORMAT
    found = find_date(tree, **config)
    return str(found) if found else None
