"""extract_article on small, made-up news pages (fictional outlets and people)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from watcher.extract.body import Extracted, extract_article

HEADLINE = "Harbour town votes to rebuild its old wooden pier"

ARTICLE_PARAGRAPHS = [
    "The council of Marrowby voted seven to two on Tuesday evening to rebuild the wooden pier "
    "that has stood at the mouth of the harbour since the town was founded.",
    "Engineers hired by the council found last spring that most of the timber piles had rotted "
    "below the waterline, and the structure has been closed to walkers since the autumn storms.",
    "Councillor Petra Lindqvist, who proposed the motion, said the pier was the reason many "
    "visitors came to the town at all, and that closing it for good was never a real option.",
    "Opponents argued that the money would be better spent on the flood wall along the river, "
    "which they said protects far more homes than the pier could ever attract tourists.",
    "Work is expected to begin in March and to last about eighteen months, during which the "
    "fishing boats will moor at the temporary pontoon beside the lifeboat station.",
]

NAV_TEXT = ["Home", "Local news", "Sport", "Weather", "Obituaries", "Subscribe"]
TEASERS = [
    "Lighthouse keeper retires after forty winters on the rock",
    "School choir wins regional contest with sea shanty medley",
    "New ferry timetable angers island commuters",
]
COOKIE_TEXT = "We use cookies to improve your experience on the Marrowby Mariner website"
COMMENT_TEXT = [
    "About time, my grandfather fished off that pier every Sunday of his life",
    "What a waste of money when the potholes on Quay Street are still not fixed",
]


def _page(
    *,
    head_extra: str = "",
    body_html: str | None = None,
    charset: str = "utf-8",
) -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS)
    nav = "".join(f'<li><a href="/{t.lower().replace(" ", "-")}">{t}</a></li>' for t in NAV_TEXT)
    teasers = "".join(
        f'<li class="teaser"><a href="/news/{i}">{t}</a></li>' for i, t in enumerate(TEASERS)
    )
    comments = "".join(
        f'<li class="comment"><div class="comment-author">reader{i}</div>'
        f'<div class="comment-body"><p>{c}</p></div></li>'
        for i, c in enumerate(COMMENT_TEXT)
    )
    article = body_html or f"""
      <article class="story">
        <h1 class="headline">{HEADLINE}</h1>
        <p class="byline">By <span class="author" rel="author">Tomas Okafor</span>,
           <time datetime="2024-03-05T18:30:00Z">5 March 2024</time></p>
        <div class="article-body">{paragraphs}</div>
      </article>
      <section class="comments" id="comments">
        <h3>2 comments</h3>
        <ol class="comment-list">{comments}</ol>
      </section>"""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="{charset}">
  <title>{HEADLINE} | The Marrowby Mariner</title>
  <meta property="og:title" content="{HEADLINE}">
  <meta property="og:site_name" content="The Marrowby Mariner">
  <meta name="author" content="Tomas Okafor">
  <meta property="article:published_time" content="2024-03-05T18:30:00Z">
  {head_extra}
</head>
<body>
  <div id="cookie-banner" class="cookie-consent">
    <p>{COOKIE_TEXT}. <button>Accept all</button> <a href="/privacy">Privacy policy</a></p>
  </div>
  <header><nav class="main-nav"><ul>{nav}</ul></nav></header>
  <main>
    {article}
    <aside class="more-stories"><h2>More stories</h2><ul>{teasers}</ul></aside>
  </main>
  <footer><p>Copyright The Marrowby Mariner. All rights reserved.</p></footer>
</body>
</html>"""


def _extract(page: str, encoding: str = "utf-8") -> Extracted:
    result = extract_article(page.encode(encoding), url="https://mariner.example/news/pier")
    assert result is not None
    return result


def test_news_page_body_has_the_article_and_nothing_else() -> None:
    text = _extract(_page()).text

    for paragraph in ARTICLE_PARAGRAPHS:
        assert paragraph in text
    for boilerplate in [*TEASERS, COOKIE_TEXT, *COMMENT_TEXT, "All rights reserved"]:
        assert boilerplate not in text
    lines = text.splitlines()
    assert not set(NAV_TEXT) & set(lines)
    # The headline has its own field and is not repeated as the body's first line.
    assert lines[0] == ARTICLE_PARAGRAPHS[0]


def test_news_page_metadata() -> None:
    result = _extract(_page())

    assert result.title == HEADLINE
    assert result.author == "Tomas Okafor"
    assert result.date == "2024-03-05T18:30:00+0000"  # the time of day the page states, not only its day
    assert result.sitename == "The Marrowby Mariner"


def test_headline_inside_the_body_container_is_not_repeated_in_the_text() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS)
    body = f'<article class="article-body"><h1>{HEADLINE}</h1>{paragraphs}</article>'
    result = _extract(_page(body_html=body))

    assert result.title == HEADLINE
    assert result.text.splitlines()[0] == ARTICLE_PARAGRAPHS[0]
    assert HEADLINE not in result.text


def test_related_link_paragraphs_inside_the_body_are_dropped() -> None:
    paragraphs = [f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS]
    paragraphs.insert(
        2, '<p><strong>Related:</strong> <a href="/news/9">Pier fund reaches its target</a></p>'
    )
    paragraphs.insert(
        4,
        '<ul><li><a href="/news/10">Storm damage in pictures</a></li>'
        '<li><a href="/news/11">Who owns the harbour?</a></li></ul>',
    )
    body = f'<article><h1>{HEADLINE}</h1><div class="article-body">{"".join(paragraphs)}</div></article>'
    text = _extract(_page(body_html=body)).text

    assert "Pier fund reaches its target" not in text
    assert "Storm damage in pictures" not in text
    assert "Who owns the harbour" not in text
    for paragraph in ARTICLE_PARAGRAPHS:
        assert paragraph in text


def test_body_split_into_chunks_is_read_whole() -> None:
    first, second = ARTICLE_PARAGRAPHS[:3], ARTICLE_PARAGRAPHS[3:]
    chunk = '<div class="article-body">{}</div>'
    body = f"""<article><h1>{HEADLINE}</h1>
      {chunk.format("".join(f"<p>{p}</p>" for p in first))}
      <div class="ad-slot">Advertisement</div>
      {chunk.format("".join(f"<p>{p}</p>" for p in second))}
    </article>"""
    text = _extract(_page(body_html=body)).text

    for paragraph in ARTICLE_PARAGRAPHS:
        assert paragraph in text
    assert "Advertisement" not in text


def _json_ld(article_body: str, *, graph: bool) -> str:
    article = {
        "@type": "NewsArticle",
        "headline": HEADLINE,
        "author": {"@type": "Person", "name": "Tomas Okafor"},
        "datePublished": "2024-03-05T18:30:00Z",
        "articleBody": article_body,
    }
    data: dict[str, object]
    if graph:
        data = {
            "@context": "https://schema.org",
            "@graph": [{"@type": "WebSite", "name": "The Marrowby Mariner"}, article],
        }
    else:
        data = {"@context": "https://schema.org", **article}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize("graph", [False, True])
def test_json_ld_article_body_stands_in_for_a_script_rendered_page(graph: bool) -> None:
    # The visible page only shows a teaser (the rest is rendered by script).
    teaser = ARTICLE_PARAGRAPHS[0][:80] + "..."
    body = f'<article><h1>{HEADLINE}</h1><div id="app"><p>{teaser}</p></div></article>'
    ld = _json_ld("\n\n".join(ARTICLE_PARAGRAPHS), graph=graph)
    text = _extract(_page(head_extra=ld, body_html=body)).text

    # Whole article, with the publisher's paragraph breaks kept.
    assert text.splitlines() == ARTICLE_PARAGRAPHS


def test_json_ld_article_body_with_html_and_entities_becomes_plain_text() -> None:
    marked_up = "".join(f"<p>{p.replace(' and ', ' &amp; ')}</p>" for p in ARTICLE_PARAGRAPHS)
    body = f'<article><h1>{HEADLINE}</h1><div id="app"><p>Loading&hellip;</p></div></article>'
    text = _extract(_page(head_extra=_json_ld(marked_up, graph=False), body_html=body)).text

    assert "<p>" not in text and "&amp;" not in text
    assert text.splitlines() == [p.replace(" and ", " & ") for p in ARTICLE_PARAGRAPHS]


def test_json_ld_article_body_with_html_and_a_form_feed_is_read() -> None:
    """A form feed between the articleBody's paragraphs (JSON allows one) failed the page's whole extraction:
    lxml refuses to set text holding a control character."""
    from watcher.extract.jsonld import json_ld_bodies
    from watcher.extract.tree import load_html

    marked_up = "\f".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS)
    page = _page(head_extra=_json_ld(marked_up, graph=False))

    assert json_ld_bodies(load_html(page.encode())) == ["\n".join(ARTICLE_PARAGRAPHS)]
    assert _extract(page).text.splitlines() == ARTICLE_PARAGRAPHS


def test_a_teaser_page_whose_json_ld_body_has_a_form_feed_gives_its_text_without_markup() -> None:
    """On a page that is only a teaser, trafilatura reads the articleBody itself, fails on the form feed between
    its paragraphs, and returns the body raw: the article's text held its `<p>` tags."""
    paragraphs = ARTICLE_PARAGRAPHS
    marked_up = "\f".join(f"<p>{p}</p>" for p in paragraphs)
    body = f'<article><h1>{HEADLINE}</h1><div id="app"><p>Subscribe to read the whole story.</p></div></article>'
    text = _extract(_page(head_extra=_json_ld(marked_up, graph=False), body_html=body)).text

    assert "<p>" not in text and "</p>" not in text, text
    assert text.splitlines() == paragraphs


def test_a_json_ld_article_body_with_half_a_surrogate_pair_is_storable() -> None:
    """JSON's "\ud800" decodes to a character no store can keep; the publisher's articleBody, standing in for a
    script-rendered page, carried one into the article's text and failed its poll."""
    paragraphs = [ARTICLE_PARAGRAPHS[0].replace("seven", "seven \ud800"), *ARTICLE_PARAGRAPHS[1:]]
    teaser = ARTICLE_PARAGRAPHS[0][:80] + "..."
    body = f'<article><h1>{HEADLINE}</h1><div id="app"><p>{teaser}</p></div></article>'
    text = _extract(_page(head_extra=_json_ld("\n\n".join(paragraphs), graph=False), body_html=body)).text

    assert text.splitlines() == [p.replace("\ud800", "\ufffd") for p in paragraphs]


def test_a_json_ld_article_body_of_unclosed_tags_is_read_in_one_pass(tmp_path: Path) -> None:
    """The test for HTML in an articleBody searched the rest of the body again from each `<a` without a `>`:
    a 400 KB body took minutes, past the extraction's time limit, and the article was kept as a summary. (Read
    in a child process, killed past a bound a thousand times what one pass takes.)"""
    body = "\n\n".join(ARTICLE_PARAGRAPHS) + "\n\n" + "<a" * 200_000
    page = tmp_path / "page.html"
    page.write_text(_page(head_extra=_json_ld(body, graph=False)), encoding="utf-8")
    script = ("import sys\n"
              "from watcher.extract.jsonld import json_ld_bodies\nfrom watcher.extract.tree import load_html\n"
              "print(json_ld_bodies(load_html(open(sys.argv[1], 'rb').read()))[0][:300])\n")
    try:
        done = subprocess.run([sys.executable, "-c", script, str(page)], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError("reading the articleBody took longer than 30 s") from None
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(ARTICLE_PARAGRAPHS[0]), done.stdout


def test_short_json_ld_teaser_does_not_replace_the_full_text() -> None:
    teaser = ARTICLE_PARAGRAPHS[0]  # a summary-length articleBody, as some sites ship
    text = _extract(_page(head_extra=_json_ld(teaser, graph=False))).text

    for paragraph in ARTICLE_PARAGRAPHS:
        assert paragraph in text


def test_page_without_an_article_gives_nothing() -> None:
    page = """<!DOCTYPE html><html><head><title>Log in</title></head><body>
      <nav><a href="/">Home</a> <a href="/help">Help</a></nav>
      <form><label>E-mail <input name="email"></label><button>Log in</button></form>
    </body></html>"""
    result = extract_article(page.encode())

    assert result is None or not result.text.strip()


def test_empty_and_garbage_input_gives_none() -> None:
    assert extract_article(b"") is None
    assert extract_article(b"\x00\x01\x02 not html at all") is None


def test_windows_1251_page_is_decoded() -> None:
    paragraphs = [
        "Городской совет Верхнеречинска во вторник одобрил строительство нового моста через "
        "реку Тихую, которого жители ждали почти двадцать лет.",
        "По словам председателя совета Анны Кравец, работы начнутся весной и продлятся около "
        "двух лет, а старый паром будет работать до открытия моста.",
        "Противники проекта считают, что деньги лучше потратить на ремонт школ, однако "
        "большинство депутатов поддержало решение после долгих споров.",
    ]
    body = "<article><div class=\"article-body\">{}</div></article>".format(
        "".join(f"<p>{p}</p>" for p in paragraphs)
    )
    page = _page(body_html=body, charset="windows-1251").replace(HEADLINE, "Новый мост")
    raw = page.encode("windows-1251")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really not UTF-8

    text = _extract(page, encoding="windows-1251").text

    for paragraph in paragraphs:
        assert paragraph in text


def test_page_language_from_html_lang_or_meta() -> None:
    from watcher.extract.body import extract_article

    body = "".join(f"<p>Paragraph {i} of a report on the harbour dredging contract and what it costs.</p>" for i in range(8))
    page = f'<html lang="ru-RU"><head><title>T</title></head><body><article><h1>T</h1>{body}</article></body></html>'
    assert extract_article(page.encode()).language == "ru"
    page = page.replace('lang="ru-RU"', "").replace("<title>", '<meta property="og:locale" content="en_GB"><title>')
    assert extract_article(page.encode()).language == "en"


def _body(*blocks: str) -> str:
    return f'<article><h1>{HEADLINE}</h1><div class="article-body">{"".join(blocks)}</div></article>'


def _paragraphs(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def test_article_that_precision_mode_cuts_to_a_fragment_is_read_whole() -> None:
    # trafilatura's precision mode discards boxes styled with a border, here
    # all but the first paragraph; its default output has the whole article.
    boxed = f'<div style="border-top: 1px solid #ccc">{_paragraphs(ARTICLE_PARAGRAPHS[1:])}</div>'
    text = _extract(_page(body_html=_body(f"<p>{ARTICLE_PARAGRAPHS[0]}</p>", boxed))).text

    for paragraph in ARTICLE_PARAGRAPHS:
        assert paragraph in text


def test_section_headings_with_anchor_links_are_kept_in_place() -> None:
    # Precision mode deletes headings that are links (a permalink anchor).
    body = _body(
        _paragraphs(ARTICLE_PARAGRAPHS[:2]),
        '<h2 id="found"><a href="#found">What the engineers found</a></h2>',
        _paragraphs(ARTICLE_PARAGRAPHS[2:4]),
        '<h2 id="when"><a href="#when">When work begins</a></h2>',
        _paragraphs(ARTICLE_PARAGRAPHS[4:]),
    )
    lines = _extract(_page(body_html=body)).text.splitlines()

    assert lines == [
        *ARTICLE_PARAGRAPHS[:2],
        "What the engineers found",
        *ARTICLE_PARAGRAPHS[2:4],
        "When work begins",
        *ARTICLE_PARAGRAPHS[4:],
    ]


def test_chinese_paragraphs_with_one_linked_name_are_not_taken_for_link_teasers() -> None:
    # No spaces between words: counted by whitespace, each paragraph would be
    # one or two "words", nearly all of them linked.
    paragraphs = [
        '港口镇议会周二晚间以七票对两票通过决议，决定重建<a href="/tag/pier">木制码头</a>，这座码头自小镇建立以来一直矗立在港口入口处。',
        '议会聘请的<a href="/tag/engineers">工程师</a>去年春天发现，大部分木桩在水线以下已经腐烂，码头自秋季风暴以来一直禁止行人通行。',
        '提出动议的议员<a href="/people/lin">林佩特</a>表示，码头是许多游客来到小镇的原因，永久关闭它从来不是一个真正的选项。',
        '反对者认为，这笔钱最好用于修建沿河的<a href="/tag/flood">防洪墙</a>，因为防洪墙保护的家庭远比码头能吸引的游客多。',
    ]
    page = _page(body_html=_body(_paragraphs(paragraphs))).replace('lang="en"', 'lang="zh"')
    text = _extract(page).text

    for paragraph in paragraphs:
        assert re.sub(r"<[^>]+>", "", paragraph) in text


def test_page_of_menus_only_gives_no_article_even_from_the_fallbacks() -> None:
    page = """<!DOCTYPE html><html><head><title>Our shops</title></head><body>
      <div class="menu"><a href="/">Home</a> <a href="/shops">Shops</a> <a href="/contact">Contact</a></div>
      <div>Opening hours vary.</div>
    </body></html>"""
    result = extract_article(page.encode())

    assert result is None or not result.text.strip(), f"got an article: {result!r}"


def test_page_that_is_one_short_note_gives_that_note() -> None:
    page = """<!DOCTYPE html><html><head><title>Notice</title></head><body>
      <p>Ferry cancelled today.</p>
    </body></html>"""
    result = extract_article(page.encode())

    assert result is not None and result.text == "Ferry cancelled today.", f"got {result!r}"


def test_boxed_paragraph_inside_the_body_is_kept_in_order() -> None:
    # trafilatura's precision mode drops blocks drawn with a border; inside
    # the article such a box is part of the story.
    boxed = (
        "The vote followed a three-hour public meeting in the old school hall, "
        "where more than two hundred residents spoke."
    )
    blocks = [f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS]
    blocks.insert(2, f'<div style="border-left: 3px solid #ccc"><p>{boxed}</p></div>')
    text = _extract(_page(body_html=_body(*blocks))).text

    assert boxed in text, f"boxed paragraph missing: {text!r}"
    assert text.index(ARTICLE_PARAGRAPHS[1]) < text.index(boxed) < text.index(ARTICLE_PARAGRAPHS[2])


def test_paragraph_with_a_spacer_element_inside_is_kept_whole() -> None:
    # Precision mode drops the text that follows an empty element inside a
    # block: here the story's text sits in the body <div> itself, sentences
    # split by the empty spacer <div>s some CMSs use instead of <br>.
    first = "The harbour master closed the slipway on Friday after a crack opened along its seaward edge."
    second = "Divers who inspected the stonework said the damage reached well below the low-tide mark."
    third = "Boat owners have been asked to use the beach ramp at Saltcote until the repairs are done."
    spacer = '<div class="fake-break"></div>'
    rest = "".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS[1:3])
    body = (
        f'<article><h1>{HEADLINE}</h1><div class="article-body">'
        f"{first}{spacer}{second} {third}<br>{spacer}{rest}</div></article>"
    )
    text = _extract(_page(body_html=body)).text

    for sentence in (first, second, third, *ARTICLE_PARAGRAPHS[1:3]):
        assert sentence in text, f"missing {sentence[:40]!r} from {text!r}"
    assert text.index(third) < text.index(ARTICLE_PARAGRAPHS[1])


@pytest.mark.parametrize(
    ("head_title", "dropped"),
    [
        (f"{HEADLINE} | The Marrowby Mariner", True),  # the <title> states the headline
        ("Marrowby Mariner: local news", False),  # the headline is stated only by the <h1>
    ],
)
def test_first_line_is_dropped_only_when_it_repeats_a_title_the_page_declares(head_title: str, dropped: bool) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS)
    page = (
        f"<html><head><title>{head_title}</title></head><body>"
        f'<article class="article-body"><h1>{HEADLINE}</h1>{paragraphs}</article></body></html>'
    )
    result = _extract(page)

    assert result.title == HEADLINE
    first = result.text.splitlines()[0]
    assert first == (ARTICLE_PARAGRAPHS[0] if dropped else HEADLINE), result.text[:200]


def test_prose_written_in_a_div_after_a_heading_is_kept() -> None:
    # Precision mode reads <div> text only when the page's <p> text is short;
    # here it is just long enough, so the closing section, a heading and a
    # plain <div> of prose, would be lost (and the heading, left last, too).
    closing = (
        "The ferry company said it would add two extra crossings on Saturdays during the works, "
        "and that season tickets bought before March would be honoured at the pontoon."
    )
    body = _body(
        _paragraphs(ARTICLE_PARAGRAPHS[:2]),
        '<iframe src="https://video.example/embed/pier-vote" width="560" height="315"></iframe>',
        "<h2>Ferries during the works</h2>",
        f"<div>{closing}</div>",
    )
    lines = _extract(_page(body_html=body)).text.splitlines()

    assert lines[-2:] == ["Ferries during the works", closing], lines


def test_paragraph_the_page_repeats_is_repeated_in_the_text() -> None:
    # trafilatura keeps one copy of identical blocks; a copy hidden by CSS is
    # not shown on the page and does not count.
    repeated = ARTICLE_PARAGRAPHS[1]
    body = _body(
        _paragraphs([ARTICLE_PARAGRAPHS[0], repeated, repeated, ARTICLE_PARAGRAPHS[2], repeated]),
        f'<p style="display: none">{repeated}</p>',
        _paragraphs(ARTICLE_PARAGRAPHS[3:]),
    )
    text = _extract(_page(body_html=body)).text

    assert text.count(repeated) == 3, text
    assert text.count(ARTICLE_PARAGRAPHS[0]) == 1



@pytest.mark.parametrize("gallery_class", ["story-gallery", "photo-carousel"])
def test_photo_gallery_inside_the_story_is_left_out(gallery_class: str) -> None:
    # A slideshow of captioned photos inside the body container reads as
    # list text to trafilatura, and can outweigh the story itself.
    captions = [
        "Piles of the old pier stacked on the quay after the winter storms, waiting for the barge to the yard upriver.",
        "The lifeboat station seen from the temporary pontoon at low tide, where the fishing fleet will tie up.",
        "Councillors walk the length of the closed pier with the engineers who surveyed the rotten piles last spring.",
        "Fishing boats moored three deep along the harbour wall in February, when the storms closed the harbour mouth.",
    ]
    slides = "".join(
        f'<li><h2><span class="counter">{i + 1}/{len(captions)}</span> The pier</h2>'
        f'<p>{caption}</p><p class="credits">Harbour Photo Agency</p></li>'
        for i, caption in enumerate(captions)
    )
    gallery = f'<div class="{gallery_class}"><ul>{slides}</ul></div>'
    body = _body(_paragraphs(ARTICLE_PARAGRAPHS[:2]), gallery, _paragraphs(ARTICLE_PARAGRAPHS[2:]))
    text = _extract(_page(body_html=body)).text

    for paragraph in ARTICLE_PARAGRAPHS:
        assert paragraph in text
    assert not [caption for caption in captions if caption in text], text


def test_page_that_is_a_gallery_keeps_its_captions() -> None:
    # The gallery holds most of the page's text: it is the article.
    captions = [
        "The pier on the morning of its reopening, with the mayor cutting a ribbon at the landward end.",
        "Children fishing for crabs from the new railings on the first warm afternoon of the summer.",
        "The pleasure steamer tied up at the end of the pier for the first time in nine years.",
        "Fireworks over the harbour at the end of the reopening day, seen from the lifeboat slipway.",
    ]
    slides = "".join(f'<li><img src="/photos/{i}.jpg" alt=""><p>{c}</p></li>' for i, c in enumerate(captions))
    body = f'<div class="article-body"><div class="photo-gallery"><ul>{slides}</ul></div></div>'
    text = _extract(_page(body_html=body)).text

    assert [caption for caption in captions if caption in text] == captions, text


def test_gallery_named_by_class_and_id_in_any_case_is_found_once() -> None:
    from lxml import html as lxml_html

    from watcher.extract.galleries import find_galleries

    slides = "".join(f"<li><img src='/p/{i}.jpg'>Photo {i}</li>" for i in range(4))
    page = lxml_html.fromstring(
        "<html><body><article>"
        f"<div class='Harbour-SlideShow' id='main-GALLERY'><ul>{slides}</ul></div>"
        f"<div class='sidebar'><p>{' '.join(ARTICLE_PARAGRAPHS)}</p></div>"
        "<div id='news-carousel'><ul><li>one</li></ul></div>"  # too few items: not a gallery
        "</article></body></html>"
    )

    found = find_galleries(page)

    assert [(g.get("class"), g.get("id")) for g in found] == [("Harbour-SlideShow", "main-GALLERY")]


def test_pages_parse_as_trafilatura_parses_them_into_plain_html_elements() -> None:
    import trafilatura
    import trafilatura.utils
    from lxml import etree
    from lxml.html import HtmlElement

    from watcher.extract.tree import load_html

    raw = _page(body_html=_body(_paragraphs(ARTICLE_PARAGRAPHS))).replace(
        "</body>", "<form action='/s'><label>Search</label><input name='q'><select><option>a</option></select>"
        "<textarea>note</textarea></form></body>"
    ).encode("utf-8")
    parser = trafilatura.utils.HTML_PARSER

    ours, theirs = load_html(raw), trafilatura.load_html(raw)

    assert etree.tostring(ours) == etree.tostring(theirs)
    assert {type(el) for el in ours.iter()} == {HtmlElement}
    assert trafilatura.utils.HTML_PARSER is parser  # trafilatura's own parser is back for everyone else
    assert load_html(b"") is None


def test_an_empty_article_element_is_no_body_not_an_error() -> None:
    assert extract_article(b"<html><body><article></article></body></html>") is None
