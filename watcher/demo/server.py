"""A small local web server for bundled sample outlets (the demo and the tests).

Serves a folder over HTTP on 127.0.0.1, replacing `{{BASE}}` in text files
with the server's own address, so sample feeds can hold absolute links.
"""

from __future__ import annotations

import mimetypes
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args: object, root: Path, server_ref: "OutletServer", **kw: object) -> None:
        self.root = root
        self.server_ref = server_ref
        super().__init__(*args, **kw)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # keep test and demo output clean
        pass

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        self.server_ref.requests.append(self.path)
        target = (self.root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not str(target).startswith(str(self.root)) or not target.is_file():
            self._send(404, b"not found", "text/plain")
            return
        body = target.read_bytes()
        ctype = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith(("text/", "application/")) and b"{{BASE}}" in body:
            body = body.replace(b"{{BASE}}", self.server_ref.base.encode())
        self._send(200, body, ctype)

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class OutletServer:
    """`with OutletServer(folder) as s:` serves `folder` at `s.base` until the block ends."""

    def __init__(self, root: Path, port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.requests: list[str] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, root=self.root, server_ref=self))
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> "OutletServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
