"""OPML import: real-world exports in, `sources:` YAML out, hostile XML refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from watcher.source.opml import ImportedSource, OpmlError, read_opml, slugify, sources_yaml

# Shaped like a Feedly / Inoreader export, with the quirks other readers add:
# nested folders, a folder named only by `title`, lowercase `xmlurl`, a
# wrapped title, duplicate names and URLs, non-http URLs, a top-level feed.
EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>Subscriptions in Feedly</title>
    <dateCreated>Mon, 06 May 2024 08:12:00 GMT</dateCreated>
  </head>
  <body>
    <outline text="Économie &amp; Société" title="Économie &amp; Société">
      <outline type="rss" text="Le Monde — Économie" title="Le Monde — Économie"
               xmlUrl="https://www.lemonde.fr/economie/rss_full.xml" htmlUrl="https://www.lemonde.fr/economie/"/>
      <outline type="rss" text="Blog" xmlUrl="https://a.example.com/feed"/>
    </outline>
    <outline title="Tech">
      <outline text="Programming">
        <outline type="rss" text="Blog" xmlurl="https://b.example.com/rss.xml"/>
        <outline type="rss" text="  Julia   Evans
                 " xmlUrl="https://jvns.ca/atom.xml"/>
      </outline>
      <outline text="Blog" type="rss" xmlUrl="https://a.example.com/feed"/>
    </outline>
    <outline text="Новости">
      <outline type="rss" text="Лента.ру" xmlUrl="https://lenta.ru/rss/news"/>
      <outline type="rss" text="新浪新闻" xmlUrl="https://www.sina.com.cn/rss.xml"/>
    </outline>
    <outline text="Podcasts">
      <outline type="rss" text="Gopher" xmlUrl="gopher://old.example.net/feed"/>
      <outline type="rss" text="Apple scheme" xmlUrl="feed://c.example.com/rss"/>
      <outline type="rss" text="Empty" xmlUrl="  "/>
    </outline>
    <outline type="rss" text="Hacker News" title="Hacker News" xmlUrl="https://news.ycombinator.com/rss"/>
  </body>
</opml>
""".encode()


def _by_url(sources: list[ImportedSource]) -> dict[str, ImportedSource]:
    return {s.url: s for s in sources}


def test_reads_feeds_in_document_order() -> None:
    urls = [s.url for s in read_opml(EXPORT)]
    assert urls == [
        "https://www.lemonde.fr/economie/rss_full.xml",
        "https://a.example.com/feed",
        "https://b.example.com/rss.xml",
        "https://jvns.ca/atom.xml",
        "https://lenta.ru/rss/news",
        "https://www.sina.com.cn/rss.xml",
        "https://news.ycombinator.com/rss",
    ]  # duplicate a.example.com, gopher:, feed: and blank URLs are dropped


def test_ids_tags_and_titles() -> None:
    got = _by_url(read_opml(EXPORT))
    lemonde = got["https://www.lemonde.fr/economie/rss_full.xml"]
    assert lemonde.id == "le-monde-economie"
    assert lemonde.title == "Le Monde — Économie"
    assert lemonde.tags == ("economie-societe",)
    # lowercase xmlurl, nested folders outermost first, folder named by `title`
    assert got["https://b.example.com/rss.xml"].tags == ("tech", "programming")
    assert got["https://jvns.ca/atom.xml"].title == "Julia Evans"
    assert got["https://jvns.ca/atom.xml"].id == "julia-evans"
    # Cyrillic is transliterated; a title with no Latin reading falls back to the host
    assert got["https://lenta.ru/rss/news"].id == "lenta-ru"
    assert got["https://lenta.ru/rss/news"].tags == ("novosti",)
    assert got["https://www.sina.com.cn/rss.xml"].id == "sina-com-cn"
    # top-level feed: no folder, no tags
    assert got["https://news.ycombinator.com/rss"].tags == ()
    assert got["https://news.ycombinator.com/rss"].id == "hacker-news"


def test_duplicate_titles_get_numbered_ids_and_first_url_wins() -> None:
    got = _by_url(read_opml(EXPORT))
    assert got["https://a.example.com/feed"].id == "blog"
    assert got["https://a.example.com/feed"].tags == ("economie-societe",)  # the first one, not Tech's
    assert got["https://b.example.com/rss.xml"].id == "blog-2"
    ids = [s.id for s in read_opml(EXPORT)]
    assert len(ids) == len(set(ids))


def test_existing_ids_are_avoided() -> None:
    got = _by_url(read_opml(EXPORT, existing_ids=frozenset({"blog", "blog-2", "hacker-news"})))
    assert got["https://a.example.com/feed"].id == "blog-3"
    assert got["https://b.example.com/rss.xml"].id == "blog-4"
    assert got["https://news.ycombinator.com/rss"].id == "hacker-news-2"


def test_title_only_feed_and_uppercase_attribute() -> None:
    data = b"""<?xml version="1.0"?>
<opml version="1.0"><head/><body>
  <outline title="Only A Title" XMLURL="http://t.example/rss"/>
  <outline xmlUrl="https://www.untitled.example/feed"/>
</body></opml>"""
    first, second = read_opml(data)
    assert (first.id, first.title, first.url) == ("only-a-title", "Only A Title", "http://t.example/rss")
    assert (second.id, second.title) == ("untitled-example", None)


def test_a_reference_to_no_character_is_read_as_the_replacement_character() -> None:
    """`&#xD800;` (half a surrogate pair) or `&#0;` in a title refused the whole file; each is U+FFFD, as in feeds."""
    data = b"""<?xml version="1.0"?>
<opml version="2.0"><body>
  <outline text="Harbour &#xD800; news" xmlUrl="https://harbour.example/feed"/>
  <outline text="Quay&#0; notices" xmlUrl="https://quay.example/rss"/>
</body></opml>"""
    assert [(s.id, s.title) for s in read_opml(data)] == [("harbour-news", "Harbour \ufffd news"),
                                                          ("quay-notices", "Quay\ufffd notices")]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Économie & Société", "economie-societe"),
        ("Bob's Blog", "bobs-blog"),
        ("Straße · Łódź · Ærø", "strasse-lodz-aero"),
        ("Москва Сегодня", "moskva-segodnya"),  # Russian romanization
        ("東京", ""),
        ("--Hello,   World!--", "hello-world"),
        ("word " * 30, "-".join(["word"] * 12)),  # cut at a word boundary, <= 60 chars
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


# --- hostile and wrong input ---


def _bomb() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE opml [{entities}]>'
        '<opml version="2.0"><body><outline text="&lol9;" xmlUrl="https://e.example/&lol9;"/></body></opml>'
    ).encode()


def test_billion_laughs_is_refused_fast() -> None:
    start = time.process_time()  # CPU seconds: other processes on a busy machine do not count
    with pytest.raises(OpmlError, match=r"^invalid XML at line 1: .*amplification"):
        read_opml(_bomb())
    assert time.process_time() - start < 2


def test_external_dtd_is_never_read(tmp_path: Path) -> None:
    # Were the DTD loaded, &name; would become "PWNED" and the title would leak it.
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY name "PWNED">\n')
    data = (
        f'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "{dtd.as_uri()}">'
        '<opml><body><outline text="&name;" xmlUrl="https://e.example/feed"/></body></opml>'
    ).encode()
    (source,) = read_opml(data)
    assert source.title is None
    assert source.id == "e-example"


def test_external_entity_in_attribute_is_an_error() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline text="&x;" xmlUrl="https://e.example/f"/></body></opml>'
    )
    with pytest.raises(OpmlError, match="invalid XML"):
        read_opml(data)


def test_html_named_characters_in_titles_are_read_as_the_characters_they_name() -> None:
    data = ('<?xml version="1.0"?><opml version="2.0"><body><outline text="Tech&nbsp;&amp;&nbsp;Science">'
            '<outline text="Le Monde &eacute;dition &mdash; Europe" xmlUrl="https://lemonde.example/rss"/>'
            '<outline text="Caf&eacute; &lt;Daily&gt;" xmlUrl="https://cafe.example/feed"/></outline></body></opml>')
    first, second = read_opml(data.encode())
    assert (first.title, first.id) == ("Le Monde \u00e9dition \u2014 Europe", "le-monde-edition-europe")
    assert second.title == "Caf\u00e9 <Daily>" and first.tags == ("tech-science",)
    with pytest.raises(OpmlError, match=r"^invalid XML at line 1: .*bogus"):  # a name HTML has not either
        read_opml(data.replace("&eacute;dition", "&bogus;dition").encode())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
            "not an OPML file: the root element is <rss>, not <opml>",
        ),
        (b"<opml version='2.0'><head><title>x</title></head></opml>", "not an OPML file: <opml> has no <body>"),
        (b"<html><body><p>Sign in</body></html>", "invalid XML at line 1: Opening and ending tag mismatch"),
        (b"", "invalid XML at line 1: Document is empty"),
        (b'<?xml version="1.0"?>\n<opml>\n<body>\n<outline text="R&D" xmlUrl="https://x.example/"/>\n</body></opml>',
         "invalid XML at line 4: "),
    ],
)
def test_errors_are_one_clear_line(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError) as info:
        read_opml(data)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


# --- YAML output ---


def test_yaml_round_trips() -> None:
    sources = read_opml(EXPORT)
    loaded = yaml.safe_load(sources_yaml(sources))
    assert loaded == {
        "sources": [
            {"id": s.id, "url": s.url, **({"tags": list(s.tags)} if s.tags else {})} for s in sources
        ]
    }
    hn = loaded["sources"][-1]
    assert hn == {"id": "hacker-news", "url": "https://news.ycombinator.com/rss"}  # no empty tags


def test_yaml_has_title_comments() -> None:
    text = sources_yaml(read_opml(EXPORT))
    assert "  # Le Monde — Économie\n  - id: le-monde-economie\n" in text


def test_yaml_survives_hostile_values() -> None:
    # Values YAML 1.1 would read as bool/int/null, and titles that try to end the comment.
    sources = [
        ImportedSource(id="yes", url="https://x.example/a?b=1#c: d", title="Evil\nsources: []", tags=("null", "2024")),
        ImportedSource(id="0123", url="https://x.example/b", title="line\u2028break\x85and\x00nul", tags=()),
        ImportedSource(id="on", url="https://x.example/ü", title=None, tags=("true",)),
    ]
    loaded = yaml.safe_load(sources_yaml(sources))
    assert loaded == {
        "sources": [
            {"id": "yes", "url": "https://x.example/a?b=1#c: d", "tags": ["null", "2024"]},
            {"id": "0123", "url": "https://x.example/b"},
            {"id": "on", "url": "https://x.example/ü", "tags": ["true"]},
        ]
    }


def test_yaml_for_no_sources() -> None:
    assert yaml.safe_load(sources_yaml([])) == {"sources": []}


def test_yaml_is_accepted_by_the_config_schema() -> None:
    schema = pytest.importorskip("watcher.config.schema")
    included = schema.IncludedFile.model_validate(yaml.safe_load(sources_yaml(read_opml(EXPORT))))
    assert [s.id for s in included.sources] == [s.id for s in read_opml(EXPORT)]
    assert included.sources[0].tags == ("economie-societe",)


def test_import_command_writes_an_includable_file(tmp_path: Path) -> None:
    from tests.conftest import run_cli
    from watcher.config import load_config

    (tmp_path / "export.opml").write_bytes(EXPORT if isinstance(EXPORT, bytes) else EXPORT.encode())
    config = tmp_path / "watcher.yaml"
    config.write_text("sources:\n  - {id: blog, url: 'https://elsewhere.example/feed'}\n")
    printed = run_cli("sources", "--config", str(config), "import", str(tmp_path / "export.opml"), cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    listed = yaml.safe_load(printed.stdout)["sources"]
    assert "blog" not in {s["id"] for s in listed}, "ids already in the config are not reused"
    written = run_cli("sources", "--config", str(config), "import", "export.opml", "-o", "imported.yaml", cwd=tmp_path)
    assert written.returncode == 0 and "include: [imported.yaml]" in written.stderr
    config.write_text(config.read_text() + "include: [imported.yaml]\n")
    cfg = load_config(config)
    assert len(cfg.sources) == 1 + len(listed)
    lenta = next(s for s in cfg.sources if s.url == "https://lenta.ru/rss/news")
    assert lenta.tags == ("novosti",)
    again = run_cli("sources", "import", "export.opml", "-o", "imported.yaml", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_import_command_rejects_bad_opml(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (tmp_path / "bad.opml").write_text("<html><body>not opml</body></html>")
    result = run_cli("sources", "import", str(tmp_path / "bad.opml"), cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_export_never_writes_over_the_config_or_the_database_and_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    """`-o watcher.yaml` replaced the config with OPML (and `-o data/watcher.db` would the database); a folder that
    does not exist was a FileNotFoundError traceback."""
    from tests.conftest import run_cli
    from watcher.store import Store

    config = tmp_path / "watcher.yaml"
    text = "database: data/watcher.db\nsources:\n  - {id: blog, url: 'https://elsewhere.example/feed'}\n"
    config.write_text(text)
    Store(tmp_path / "data" / "watcher.db").close()
    database = (tmp_path / "data" / "watcher.db").read_bytes()
    for output in ("watcher.yaml", "data/watcher.db"):
        refused = run_cli("sources", "--config", str(config), "export", "-o", output, cwd=tmp_path)
        assert refused.returncode == 1 and "already exists and is not an OPML file" in refused.stderr, refused.stderr
    assert config.read_text() == text and (tmp_path / "data" / "watcher.db").read_bytes() == database
    for _ in range(2):  # a new file, then the same export again over it
        done = run_cli("sources", "--config", str(config), "export", "-o", "feeds.opml", cwd=tmp_path)
        assert done.returncode == 0 and "elsewhere.example/feed" in (tmp_path / "feeds.opml").read_text(), done.stderr
    nowhere = run_cli("sources", "--config", str(config), "export", "-o", "no/such/folder/feeds.opml", cwd=tmp_path)
    assert nowhere.returncode == 1 and "Traceback" not in nowhere.stderr, nowhere.stderr
    assert nowhere.stderr.strip() == "no/such/folder/feeds.opml: cannot write: No such file or directory"
