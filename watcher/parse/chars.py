"""Characters every store can keep (pure).

UTF-8, and so SQLite and PostgreSQL, cannot hold a lone UTF-16 surrogate
half (U+D800 to U+DFFF), and PostgreSQL's text cannot hold NUL. Documents
still name them: JSON's `"\ud800"` or `"\u0000"` decodes to one, feedparser
reads `&#0;` as NUL, and an XML character reference `&#xD800;` (or one past
U+10FFFF) makes feedparser's fallback parser raise and lxml's recovering
parser keep text it cannot read back. Either way one item failed its whole
document. Each such character becomes U+FFFD, the replacement character, as
a browser shows it.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# character references that may name no character: NUL, or 4 or more hex digits, 5 or more decimal ones
_CHARREF = re.compile(rb"&#(?:[xX]0*([0-9a-fA-F]{4,})|0*([0-9]{5,})|[xX]0+|0+);")
_MAX_DIGITS = 12  # (int() of thousands of digits is refused, and no character needs more than 7)


def storable(text: str) -> str:
    """`text` with each NUL and lone surrogate half replaced by U+FFFD."""
    if "\x00" in text:
        return _UNSTORABLE.sub(REPLACEMENT, text)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _UNSTORABLE.sub(REPLACEMENT, text)
    return text


def storable_or_none(text: str | None) -> str | None:
    return storable(text) if text else text


def storable_charrefs(data: bytes) -> bytes:
    """An XML document with each character reference to NUL or to no character (a surrogate half, past
    U+10FFFF) made a reference to U+FFFD."""
    if b"&#" not in data:
        return data
    return _CHARREF.sub(_charref, data)


def _charref(found: re.Match[bytes]) -> bytes:
    digits = found[1] or found[2]
    if digits is None or len(digits) > _MAX_DIGITS:  # (None: a reference to NUL)
        return b"&#xFFFD;"
    code = int(digits, 16) if found[1] else int(digits)
    return b"&#xFFFD;" if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else found[0]
