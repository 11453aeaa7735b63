"""Real receivers on 127.0.0.1 for Apprise deliveries: a webhook server and an SMTP server."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.webserver import SHUTDOWN_POLL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # a sender that vanished is expected here


@dataclass
class Received:
    path: str
    content_type: str
    body: bytes
    at: float = 0.0  # time.monotonic() when the request was accepted

    @property
    def message(self) -> str:
        """The `message` of a json:// payload ("" for anything else)."""
        try:
            return str(json.loads(self.body).get("message", ""))
        except ValueError:
            return ""

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class WebhookReceiver:
    """Accepts POSTs and records them; `fail_next` answers with error statuses first."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    fail_next: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (status, headers) per request
    attempts: int = 0
    delay: float = 0.0  # seconds between recording a request and answering it (a slow service)

    def __post_init__(self) -> None:
        self._httpd: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "WebhookReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                declared = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(declared)
                if len(body) < declared:  # the sender died mid-request (kill -9): no server takes half a request
                    self.close_connection = True
                    return
                with receiver.lock:
                    receiver.attempts += 1
                    failure = receiver.fail_next.pop(0) if receiver.fail_next else None
                    if failure is None:
                        receiver.received.append(
                            Received(self.path, self.headers.get("Content-Type", ""), body, time.monotonic()))
                if receiver.delay:
                    time.sleep(receiver.delay)
                status, headers = failure or (200, {})
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender went away while we were slow

        self._httpd = _QuietServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, args=(SHUTDOWN_POLL,), daemon=True).start()
        return self

    def snapshot(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


class SmtpReceiver:
    """An aiosmtpd server that keeps every message it accepts."""

    def __init__(self, delay: float = 0.0) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Message] = []
        self.delay = delay  # seconds between keeping a message and saying so (a slow relay)
        self.port = free_port()
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                receiver.messages.append(message_from_bytes(envelope.original_content or envelope.content))
                await asyncio.sleep(receiver.delay)
                return "250 Message accepted for delivery"

        def accept_any(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
            from aiosmtpd.smtp import AuthResult

            return AuthResult(success=True)

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port,
                                     authenticator=accept_any, auth_require_tls=False)

    def start(self) -> "SmtpReceiver":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @staticmethod
    def text_of(message: Message) -> str:
        if message.is_multipart():
            return "\n".join(SmtpReceiver.text_of(p) for p in message.get_payload())  # type: ignore[union-attr]
        payload = message.get_payload(decode=True)
        return payload.decode(message.get_content_charset() or "utf-8", "replace") if payload else ""
