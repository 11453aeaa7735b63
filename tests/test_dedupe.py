from __future__ import annotations

import pytest

from watcher.dedupe import body_fingerprint, canonical_url


@pytest.mark.parametrize(
    "url,canonical",
    [
        ("https://news.example.org/a.html?utm_source=rss&utm_medium=feed&utm_campaign=daily",
         "https://news.example.org/a.html"),
        ("HTTPS://News.Example.ORG:443/a.html#comments", "https://news.example.org/a.html"),
        ("http://news.example.org:80/a.html?fbclid=IwAR0abc&gclid=xyz", "http://news.example.org/a.html"),
        ("https://news.example.org:8443/a.html?id=7&utm_term=x", "https://news.example.org:8443/a.html?id=7"),
        ("https://news.example.org/story?b=2&a=1", "https://news.example.org/story?a=1&b=2"),
        ("https://news.example.org", "https://news.example.org/"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_meaningful_parameters_are_kept() -> None:
    assert canonical_url("https://e.org/view?id=1") != canonical_url("https://e.org/view?id=2")


BODY = (
    "The regional council approved the budget on Tuesday night after a five-hour debate. "
    "The plan raises spending on schools by 4 percent and delays the new bus depot by a year."
)


def test_fingerprint_ignores_spacing_case_and_punctuation() -> None:
    variant = BODY.upper().replace(". ", ".\n\n  ").replace("-", " \u2013 ")
    assert body_fingerprint(BODY) == body_fingerprint(variant)


def test_fingerprint_differs_for_other_words_and_skips_short_text() -> None:
    assert body_fingerprint(BODY) != body_fingerprint(BODY.replace("4 percent", "5 percent"))
    assert body_fingerprint("Read more on our site.") is None
