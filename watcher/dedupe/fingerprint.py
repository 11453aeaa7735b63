"""A content fingerprint of an article body, blind to markup, case and spacing."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"\w+")


def normalise_text(text: str) -> str:
    """Words only, case-folded, NFKC: two copies that differ in whitespace,
    punctuation, quotes or dashes normalise to the same string."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def body_fingerprint(text: str) -> str | None:
    """SHA-1 of the normalised body; None when the body is too short to identify an article."""
    norm = normalise_text(text)
    if len(norm.split()) < 20:
        return None  # a teaser of a few words would merge unrelated articles
    return hashlib.sha1(norm.encode()).hexdigest()
