from __future__ import annotations

import asyncio
import gzip
import time
from pathlib import Path

import pytest

from tests.webserver import Route, WebServer
from watcher import USER_AGENT
from watcher.errors import FetchError
from watcher.fetch import Fetcher, FetchLimits
from watcher.fetch.guard import is_public_address
from watcher.fetch.http import DRAIN_WAIT


async def test_gzip_body_user_agent_and_conditional_headers(web: WebServer) -> None:
    body = b"<rss>" + b"x" * 5000 + b"</rss>"
    url = web.route("/f", Route(gzip.compress(body), headers={"Content-Encoding": "gzip", "ETag": '"v1"'}))
    async with Fetcher(allow_private=True) as f:
        resp = await f.get(url, etag='"v0"', last_modified="Wed, 18 Nov 2026 10:00:00 GMT")
    assert resp.content == body and resp.headers["etag"] == '"v1"'
    sent = web.request_headers[-1]
    assert sent["user-agent"] == USER_AGENT
    assert sent["if-none-match"] == '"v0"'
    assert sent["if-modified-since"] == "Wed, 18 Nov 2026 10:00:00 GMT"
    assert "br" in sent["accept-encoding"] and "gzip" in sent["accept-encoding"]


async def test_304_has_no_body(web: WebServer) -> None:
    url = web.route("/f", Route(b"", status=304))
    async with Fetcher() as f:
        resp = await f.get(url, etag='"v1"')
    assert resp.not_modified and resp.content == b""


async def test_304s_redirects_and_errors_keep_the_connection_for_the_next_request(web: WebServer) -> None:
    feed = web.route("/f", Route(b"<rss></rss>", etag='"v1"'))
    moved = web.route("/old", Route(b"moved", status=302, headers={"Location": "{{BASE}}/f"}))
    async with Fetcher(allow_private=True) as f:
        await f.get(feed)
        for _ in range(3):
            assert (await f.get(feed, etag='"v1"')).not_modified
        assert (await f.get(moved, etag='"v1"')).not_modified
        with pytest.raises(FetchError):
            await f.get(web.url("/missing"))  # a 404 with a short body
        assert (await f.get(feed, etag='"v1"')).not_modified
    assert web.connections == 1, f"{web.connections} connections for {len(web.hits)} requests to one server"


async def test_size_cap_declared_and_streamed(web: WebServer) -> None:
    big = web.route("/big", Route(b"a" * 3_000_000))
    streamed = web.route("/stream", Route(chunks=lambda: (b"b" * 65536 for _ in range(100))))
    async with Fetcher(FetchLimits(max_bytes=1_000_000)) as f:
        with pytest.raises(FetchError) as info:
            await f.get(big)
        assert info.value.kind == "too_large"
        with pytest.raises(FetchError) as info:
            await f.get(streamed)
        assert info.value.kind == "too_large"


async def test_gzip_bomb_stops_at_the_cap(web: WebServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB of zeros in about 50 KB
    url = web.route("/bomb", Route(bomb, headers={"Content-Encoding": "gzip"}))
    async with Fetcher(FetchLimits(max_bytes=2_000_000)) as f:
        with pytest.raises(FetchError) as info:
            await f.get(url)
    assert info.value.kind == "too_large"


async def test_server_that_never_answers_times_out(web: WebServer) -> None:
    url = web.route("/slow", Route(b"late", hang=5))
    async with Fetcher(FetchLimits(timeout=0.5, total=1.0)) as f:
        with pytest.raises(FetchError) as info:
            await f.get(url)
    assert info.value.kind == "timeout"


async def test_redirects_followed_loops_and_errors(web: WebServer) -> None:
    web.route("/old", Route(status=301, headers={"Location": "/new"}))
    web.route("/new", Route(b"here"))
    web.route("/loop-a", Route(status=302, headers={"Location": "/loop-b"}))
    web.route("/loop-b", Route(status=302, headers={"Location": "/loop-a"}))
    web.route("/gone", Route(b"gone", status=410))
    async with Fetcher(allow_private=True) as f:
        resp = await f.get(web.url("/old"))
        assert resp.content == b"here" and resp.url == web.url("/new")
        assert resp.redirects == ((301, web.url("/new")),)
        with pytest.raises(FetchError, match="redirect loop"):
            await f.get(web.url("/loop-a"))
        with pytest.raises(FetchError) as info:
            await f.get(web.url("/gone"))
        assert info.value.status == 410 and info.value.kind == "http"


async def test_untrusted_links_to_private_addresses_are_refused(web: WebServer) -> None:
    url = web.route("/article", Route(b"secret admin page"))
    async with Fetcher() as f:
        with pytest.raises(FetchError) as info:
            await f.get(url, trusted=False)
        assert info.value.kind == "private"
        assert (await f.get(url, trusted=True)).content == b"secret admin page"  # a configured source
    assert web.hits == ["/article"]  # the refused request never reached the server


async def test_connection_refused() -> None:
    async with Fetcher() as f:
        with pytest.raises(FetchError) as info:
            await f.get("http://127.0.0.1:9/feed")
    assert info.value.kind == "connect"


@pytest.mark.parametrize(
    "ip,public",
    [("93.184.216.34", True), ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.0.1", False),
     ("169.254.169.254", False), ("::1", False), ("::ffff:127.0.0.1", False), ("fe80::1", False),
     ("224.0.0.1", False), ("2606:4700::1111", True)],
)
def test_public_address(ip: str, public: bool) -> None:
    assert is_public_address(ip) is public


async def _raw_server(answer: bytes, then: str) -> tuple[asyncio.AbstractServer, str]:
    """A server that sends `answer` to any request, then closes the connection ("close") or stalls ("stall")."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        if then == "stall":
            await asyncio.sleep(30)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/feed"


@pytest.mark.parametrize("then", ["close", "stall"])
async def test_an_error_whose_body_breaks_off_or_stalls_keeps_its_status(then: str) -> None:
    answer = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\nContent-Length: 1000\r\n\r\nbusy."
    server, url = await _raw_server(answer, then)
    started = time.monotonic()
    async with server, Fetcher(FetchLimits(timeout=20), allow_private=True) as f:
        with pytest.raises(FetchError) as info:
            await f.get(url)
    assert (info.value.kind, info.value.status) == ("http", 503), str(info.value)
    assert info.value.retry_after is not None and "pause" in str(info.value)
    assert time.monotonic() - started < DRAIN_WAIT + 5, "the stalled body was waited for past its own limit"


def test_page_fetches_trust_the_certificates_the_environment_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import certifi

    first = certifi.contents().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    (tmp_path / "one.pem").write_text(first)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "one.pem"))
    f = Fetcher()  # (not private: page links go through the guarded client)
    stores = [c._transport._pool._ssl_context.cert_store_stats()["x509_ca"] for c in (f._client, f._guarded)]
    assert stores == [1, 1], f"CA certificates of the feed and page clients: {stores}"


def test_a_url_checked_once_is_not_parsed_again_and_a_bad_one_always_is() -> None:
    from watcher.fetch import http

    good = "http://checked-once.example/feed.xml"
    assert http.checked_url(good) == good and good in http._CHECKED
    for _ in range(2):  # refused every time, never remembered
        with pytest.raises(FetchError) as info:
            http.checked_url("ftp://checked-once.example/feed")
        assert info.value.kind == "bad_url"
    assert "ftp://checked-once.example/feed" not in http._CHECKED


def _one_port_tls_and_plain(tmp_path: Path) -> tuple[str, list[tuple[str, dict[str, str]]]]:
    """A server on 127.0.0.1 speaking TLS (a certificate made here for `localhost`) and plain HTTP on one
    port, as a site on ports 443 and 80 does: over TLS it redirects to itself over plain HTTP. Its requests
    are kept as (protocol, headers)."""
    import shutil
    import socket
    import ssl
    import subprocess
    import threading

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate for the TLS server")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen: list[tuple[str, dict[str, str]]] = []

    def answer(conn: socket.socket) -> None:
        with conn:
            tls = conn.recv(1, socket.MSG_PEEK) == b"\x16"  # a TLS handshake starts with 0x16
            if tls:
                conn = context.wrap_socket(conn, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head and (more := conn.recv(4096)):
                head += more
            lines = head.decode().split("\r\n\r\n")[0].split("\r\n")[1:]
            seen.append(("https" if tls else "http", {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines)}))
            status = f"302 Found\r\nLocation: http://localhost:{port}/feed" if tls else "404 Not Found"
            conn.sendall(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())

    def serve() -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    (tmp_path / "ca.pem").write_bytes(cert.read_bytes())
    return f"https://localhost:{port}/feed", seen


async def test_credentials_are_not_sent_in_the_clear_after_a_redirect_from_https_to_http(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source's own headers went to its host over plain HTTP when its HTTPS URL redirected there."""
    url, seen = _one_port_tls_and_plain(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    secret = {"X-Api-Key": "k-93f1c2d8e7", "Authorization": "Basic YW5hbHlzdDpodW50ZXIy"}
    async with Fetcher(FetchLimits(timeout=10), allow_private=True) as f:
        with pytest.raises(FetchError) as info:
            await f.get(url, extra=secret)
    assert info.value.status == 404, str(info.value)
    assert [proto for proto, _ in seen] == ["https", "http"], seen
    assert seen[0][1]["x-api-key"] == "k-93f1c2d8e7", "over TLS the source's headers are sent"
    assert "x-api-key" not in seen[1][1] and "authorization" not in seen[1][1], seen[1][1]


@pytest.mark.parametrize("etag", ['"caf\xe9-1"', '"caf\xc3\xa9-1"'], ids=["latin-1", "utf-8"])
async def test_validators_outside_ascii_are_sent_back_byte_for_byte(web: WebServer, etag: str) -> None:
    """A server's ETag or Last-Modified with bytes outside ASCII (here as the test server's Latin-1 text shows
    them): sending it back raised UnicodeEncodeError, and every later poll of the source failed."""
    stamp = "Mi\xe9, 02 Dez 2026 10:00:00 GMT"
    url = web.route("/f", Route(b"<rss/>", etag=etag, headers={"Last-Modified": stamp}))
    async with Fetcher(allow_private=True) as f:
        first = await f.get(url)
        again = await f.get(url, etag=first.headers["etag"], last_modified=first.headers["last-modified"])
    assert again.not_modified, f"status {again.status}"
    sent = web.request_headers[-1]
    assert (sent["if-none-match"], sent["if-modified-since"]) == (etag, stamp)


@pytest.mark.parametrize("tail", [b"\x00" * 8, b"\r\n\r\n"], ids=["zero padding", "stray CRLF"])
async def test_bytes_after_the_end_of_a_gzip_body_are_ignored(web: WebServer, tail: bytes) -> None:
    """Bytes after a gzip body's last member (zero padding, a stray newline a script printed) failed the whole
    response as 'bad content encoding'; curl and browsers ignore them. A second member is still read."""
    body = b"<rss>" + b"x" * 5000 + b"</rss>"
    plain = web.route("/f", Route(gzip.compress(body) + tail, headers={"Content-Encoding": "gzip"}))
    two = web.route("/g", Route(gzip.compress(body) + gzip.compress(b"<!-- two -->") + tail,
                                headers={"Content-Encoding": "gzip"}))
    async with Fetcher(allow_private=True) as f:
        assert (await f.get(plain)).content == body
        assert (await f.get(two)).content == body + b"<!-- two -->"
