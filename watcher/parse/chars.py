"""Characters every store can keep (pure).

UTF-8, and so SQLite and PostgreSQL, cannot hold a lone UTF-16 surrogate
half (U+D800 to U+DFFF). Documents still name them: JSON's `"\ud800"` decodes
to one, and an XML character reference `&#xD800;` (or one past U+10FFFF)
makes feedparser's fallback parser raise and lxml's recovering parser keep
text it cannot read back. Either way one item failed its whole document.
Each such character becomes U+FFFD, the replacement character, as a browser
shows it.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# character references that may name no character: 4 or more hex digits, 5 or more decimal ones
_CHARREF = re.compile(rb"&#(?:[xX]0*([0-9a-fA-F]{4,})|0*([0-9]{5,}));")
_MAX_DIGITS = 12  # (int() of thousands of digits is refused, and no character needs more than 7)


def storable(text: str) -> str:
    """`text` with each lone surrogate half replaced by U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(REPLACEMENT, text)
    return text


def storable_or_none(text: str | None) -> str | None:
    return storable(text) if text else text


def storable_charrefs(data: bytes) -> bytes:
    """An XML document with each character reference to no character (a surrogate half, past U+10FFFF) made a
    reference to U+FFFD."""
    if b"&#" not in data:
        return data
    return _CHARREF.sub(_charref, data)


def _charref(found: re.Match[bytes]) -> bytes:
    digits = found[1] or found[2]
    if len(digits) > _MAX_DIGITS:
        return b"&#xFFFD;"
    code = int(digits, 16) if found[1] else int(digits)
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else found[0]
