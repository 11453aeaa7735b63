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
        ("HTTP://[2001:DB8::1]:8080/a?utm_source=x", "http://[2001:db8::1]:8080/a"),  # IPv6 keeps its brackets
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_entries_whose_links_name_no_page_are_told_apart_by_their_ids() -> None:
    """Every entry of every feed linking to `javascript:void(0)` had one canonical URL, and was one article."""
    from watcher.parse.feed import parse_feed
    from watcher.parse.items import items_from_feed

    def feed(guid: str) -> bytes:
        return (f'<rss version="2.0"><channel><title>Desk</title><item><title>Harbour report {guid}</title>'
                f'<link>javascript:void(0)</link><guid isPermaLink="false">{guid}</guid></item>'
                '<item><title>No id</title><link>mailto:desk@example.org</link></item></channel></rss>').encode()

    items = [c for g in ("a-1", "b-1") for c in items_from_feed(parse_feed(feed(g), "https://e.org/f.xml"))[0]]
    assert [(c.key, c.url, c.canonical_url) for c in items] == [("a-1", None, None), ("b-1", None, None)]


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
