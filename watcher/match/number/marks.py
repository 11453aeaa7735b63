"""Which decimal mark a text uses: the article's language decides what `4.800` means."""

from __future__ import annotations

import re
from functools import lru_cache

# Forms only one convention writes: "1.234.567" / "1.234,5" (dot groups) and "1,234,567" / "1,234.5" (comma groups).
# (Each starts with its literal separator, so the search skips ahead in C.)
_DOT_GROUPS = re.compile(r"\.(?<=\d\.)\d{3}(?:\.\d{3}(?![\d.])|,\d)")
_COMMA_GROUPS = re.compile(r",(?<=\d,)\d{3}(?:,\d{3}(?![\d,])|\.\d)")


@lru_cache(maxsize=128)
def language_mark(lang: str | None) -> str | None:
    """The decimal mark of a language ("de" -> ",", "en-GB" -> "."), from CLDR via Babel; None if unknown."""
    if not lang:
        return None
    try:
        from babel.numbers import get_decimal_symbol

        mark = get_decimal_symbol(lang.replace("-", "_"))
    except Exception:  # noqa: BLE001 - an unknown or malformed tag ("xx", "en_ZZ") just leaves the mark unknown
        return None
    return mark if mark in (".", ",") else None


class DecimalMark:
    """"." or "," for a text: its language's mark, else what its own unambiguous numbers show, else None.

    With None a lone group ("4.800", "2.125") is read the way that needs no
    thousands separator (a decimal) and "4,800" as English grouping. The text is
    only searched when an ambiguous number asks (`get`), once.
    """

    __slots__ = ("_text", "_mark", "_known")

    def __init__(self, text: str, lang: str | None) -> None:
        self._text = text
        self._mark = language_mark(lang)
        self._known = self._mark is not None

    def get(self) -> str | None:
        if not self._known:
            dots = _DOT_GROUPS.search(self._text) is not None
            commas = _COMMA_GROUPS.search(self._text) is not None
            self._mark = ("," if dots else ".") if dots != commas else None
            self._known = True
        return self._mark
