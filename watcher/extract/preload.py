"""Imported once by the extraction fork server: load trafilatura (and the story sketch) and warm them up.

trafilatura, htmldate and lxml compile patterns and load word lists on their
first document (about 0.2 s); doing it here means every forked worker starts
warm instead of paying it again.
"""

from watcher.dedupe.sketch import sketch
from watcher.extract.body import extract_article

_SAMPLE = (
    b"<html><head><title>Warm-up</title><meta property='og:site_name' content='Sample'></head><body>"
    b"<nav><a href='/'>Home</a></nav><article><h1>Warm-up</h1>"
    b"<p class='byline'>By Ann Example, 2024-01-02</p>"
    + b"<p>This paragraph only exists to exercise the extractor once before real pages arrive.</p>" * 6
    + b"</article><footer>Footer</footer></body></html>"
)

extract_article(_SAMPLE, "https://example.org/2024/01/warm-up.html")
sketch("Warm-up", "Workers sketch each article for its story, numpy loaded before the first one.", 0.0)
