"""A scriptable HTTP server on 127.0.0.1 for tests: each path answers as told."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import urlsplit

# seconds between a server thread's checks for shutdown (the default 0.5 s is paid again by every test that stops one)
SHUTDOWN_POLL = 0.05


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # a client that was killed is expected here


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0  # seconds to wait before answering (a server that never answers)
    chunks: Callable[[], object] | None = None  # yields bytes for a streamed body
    etag: str | None = None  # answer 304 (no body) when the request's If-None-Match is this


class WebServer:
    """`with WebServer() as s: s.route('/feed', Route(...))`; `s.url('/feed')`. `answer(path)`, when given, makes
    the Route of a path no route names (None: 404), for pages that change while the server runs."""

    def __init__(self, answer: Callable[[str], Route | None] | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        self.sent: list[tuple[str, int, int]] = []  # (path, status, body bytes written) per answer
        self.connections = 0  # TCP connections accepted (HTTP/1.1 keeps one open for the next request)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                server.connections += 1
                super().setup()

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                server.hits.append(self.path)
                server.request_headers.append({k.lower(): v for k, v in self.headers.items()})
                route = server.routes.get(path)
                if route is None and answer is not None:
                    route = answer(path)
                if route is None:
                    self._reply(Route(b"not found", 404, "text/plain"))
                    return
                if route.hang:
                    time.sleep(route.hang)
                if route.etag is not None and self.headers.get("If-None-Match") == route.etag:
                    route = Route(status=304, headers={"ETag": route.etag, **route.headers})
                self._reply(route)

            def _reply(self, route: Route) -> None:
                body = b"" if route.status == 304 else route.body.replace(b"{{BASE}}", server.base.encode())
                path = urlsplit(self.path).path
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    for k, v in route.headers.items():
                        self.send_header(k, v.replace("{{BASE}}", server.base))
                    if route.etag is not None and route.status != 304:
                        self.send_header("ETag", route.etag)
                    if route.chunks is not None:
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        written = 0
                        try:
                            for chunk in route.chunks():  # type: ignore[attr-defined]
                                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                                written += len(chunk)
                            self.wfile.write(b"0\r\n\r\n")
                        finally:
                            server.sent.append((path, route.status, written))
                        return
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    server.sent.append((path, route.status, len(body)))
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(SHUTDOWN_POLL,), daemon=True)

    def route(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.url(path)

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> "WebServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
