"""Small news pages and feeds for tests, built around a few paragraphs of body text."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from html import escape


def news_page(title: str, paragraphs: list[str], *, outlet: str = "Riverside Echo", author: str = "Dana Whitfield",
              date: str = "2026-11-20") -> bytes:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | {outlet}</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="{outlet}"></head>
<body>
<header><a class="logo" href="/">{outlet}</a>
<nav><ul><li><a href="/news/">News</a></li><li><a href="/business/">Business</a></li><li><a href="/sport/">Sport</a></li></ul></nav></header>
<div id="cookie-consent"><p>We use cookies to improve your experience and to show you relevant adverts.</p>
<button>Accept all</button><button>Manage choices</button></div>
<main><article>
<h1>{escape(title)}</h1>
<p class="byline">By <span class="author">{author}</span> &middot; <time datetime="{date}T08:00:00Z">{date}</time></p>
{body}
</article>
<section class="related"><h2>More from {outlet}</h2><ul>
<li><a href="/news/2026/11/tram-depot-fire-investigation.html">Investigators return to the tram depot fire scene</a></li>
<li><a href="/news/2026/11/market-hall-reopening-delayed.html">Market hall reopening slips to the spring</a></li></ul></section>
<section class="comments"><h3>Comments (2)</h3>
<div class="comment"><b>oldtowner</b><p>Typical of this council, always the last to know anything.</p></div>
<div class="comment"><b>Ferryfan88</b><p>My neighbour said the same thing happened in the nineties.</p></div></section>
</main>
<footer><p>&copy; 2026 {outlet}. All rights reserved.</p><a href="/about/">About us</a> <a href="/privacy/">Privacy</a></footer>
</body></html>""".encode()


def rss(items: list[dict], title: str = "Riverside Echo") -> bytes:
    parts = []
    for it in items:
        pub = f"<pubDate>{format_datetime(it['published'])}</pubDate>" if isinstance(it.get("published"), datetime) else ""
        parts.append(
            f"<item><title>{escape(it['title'])}</title><link>{escape(it['link'])}</link>"
            f"<guid isPermaLink=\"false\">{escape(it['guid'])}</guid>{pub}"
            f"<description>{escape(it.get('summary', ''))}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{{{{BASE}}}}/</link><description>News</description>{''.join(parts)}</channel></rss>"
    ).encode()


def paragraphs(topic: str, n: int = 6) -> list[str]:
    """Distinct, article-like paragraphs about `topic`."""
    lines = [
        f"Officials confirmed on Thursday that the {topic} would go ahead despite objections from residents.",
        f"The decision on the {topic} followed three months of consultation and two public meetings in the town hall.",
        f"Critics of the {topic} said the timetable was rushed and that the costs had been underestimated by at least a fifth.",
        f"A spokesperson for the regional authority said the {topic} had been reviewed by independent engineers.",
        f"Local businesses near the {topic} told reporters they expected a busy winter but feared disruption in the spring.",
        f"The next review of the {topic} is due in March, when the first figures on costs and delays will be published.",
        f"Opposition councillors said they would keep asking questions about the {topic} at every monthly meeting.",
        f"Residents who want to comment on the {topic} can write to the planning office until the end of the month.",
    ]
    return lines[:n]
