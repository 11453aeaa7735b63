"""Serving the console with uvicorn on the caller's event loop: in the daemon beside /healthz and /metrics, and
alone for `watcher web`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import socket
import sqlite3
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from watcher.config import Config
from watcher.errors import WatcherError
from watcher.run.endpoint import Health, split_listen
from watcher.web.app import HERE, SESSION_HOURS, Console, SecurityHeaders, problem
from watcher.web.auth import Credentials, check_bind
from watcher.web.control import Control, NoDaemon
from watcher.web.pages import alerts, login, overview, rules, sources, stories

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from watcher.store import Store

log = logging.getLogger("watcher.web")

STOP_WAIT = 2.0  # seconds open requests get to finish at a stop


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # the daemon owns SIGTERM/SIGINT
        yield


class ConsoleServer:
    """uvicorn serving `app` on `listen`, on the running loop; start() raises WatcherError if it cannot listen."""

    def __init__(self, app: "ASGIApp", listen: str) -> None:
        self.app = app
        self.listen = listen
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        host, port = split_listen(self.listen)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:  # the reason in one line (uvicorn would log it and exit the process)
            with socket.socket(family) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((host, port))
        except OSError as e:
            raise WatcherError(f"server.listen {self.listen}: cannot listen: {e.strerror or e}") from None
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
        config = uvicorn.Config(self.app, host=host, port=port, http="httptools", loop="none", lifespan="off",
                                log_config=None, access_log=False, server_header=False,
                                timeout_graceful_shutdown=STOP_WAIT)
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result() if not self._task.cancelled() else None
                raise WatcherError(f"server.listen {self.listen}: cannot listen")
            await asyncio.sleep(0.01)
        log.info("web console on http://%s/", self.listen)

    async def close(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        try:
            await self._task
        except SystemExit:
            pass
        self._server = self._task = None


def status_routes(health: Callable[[], Health], metrics: Callable[[], bytes]) -> list[Route]:
    """/healthz and /metrics as they were before the console: plain text, never cached, no login."""
    async def healthz(request: Request) -> Response:
        h = health()
        return PlainTextResponse(f"{h.reason}\n", status_code=200 if h.ok else 503)

    async def metrics_page(request: Request) -> Response:
        return Response(metrics(), media_type=CONTENT_TYPE_LATEST)

    return [Route("/healthz", healthz, methods=["GET", "HEAD"]), Route("/metrics", metrics_page, methods=["GET", "HEAD"])]


def console_app(config: Config, store: "Store", listen: str, control: Control | None = None,
                read_only: bool = False, routes: list[Route] | None = None) -> "ASGIApp":
    """The console for `listen`, refusing a non-loopback address without credentials."""
    credentials = Credentials.from_env()
    host, _ = split_listen(listen)
    check_bind(listen, host, credentials)
    console = Console(config, store, control or NoDaemon(), credentials, read_only)
    return create_app(console, routes or [])


async def serve_web(config: Config, listen: str, read_only: bool) -> None:
    """`watcher web`: the console over the database until SIGTERM/SIGINT; polls nothing."""
    from pathlib import Path

    from watcher.config.database import is_url
    from watcher.store import Store

    if not is_url(config.database) and not Path(config.database).is_file():
        raise WatcherError(f"database {config.database} does not exist yet: nothing has been polled "
                           "(`watcher run --once` or the daemon creates it)")
    store = Store(config.database)
    try:
        server = ConsoleServer(console_app(config, store, listen, read_only=read_only), listen)
        await server.start()
        log.info("looking at %s; not polling (`watcher run` polls)", config.database)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.close()
    finally:
        store.close()


def create_app(console: Console, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The console as an ASGI app; `extra_routes` (the daemon's /healthz and /metrics) are served beside it."""
    routes: list[BaseRoute] = [*extra_routes, Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")]
    for module in (login, overview, sources, alerts, stories, rules):
        routes += module.routes()
    app = Starlette(
        routes=routes,
        exception_handlers={sqlite3.OperationalError: database_refused},
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(SessionMiddleware, secret_key=session_key(console.store), session_cookie="watcher_session",
                       max_age=SESSION_HOURS * 3600, same_site="strict"),
        ],
    )
    app.state.console = console
    return app


async def database_refused(request: Request, exc: Exception) -> Response:
    """A write the database refused (another program holds its lock past the wait, a read-only file, a full
    disk): a page saying so and one log line, not a 500 and a traceback."""
    text = str(exc)
    why = ("another program holds a lock on it (is a `watcher` command or a database tool writing?); "
           "try again when it is done") if "locked" in text or "busy" in text else text
    log.warning("console: %s %s: the database refused it: %s", request.method, request.url.path, text)
    return problem(request, 503, f"the database refused this: {why}")


SESSION_KEY = "console_session_key"


def session_key(store: "Store") -> str:
    """The key that signs login sessions. It is kept in the database (never shown), so a restart of the daemon
    or of `watcher web` logs no one out; a database that cannot be written gets one for this process only."""
    key = store.meta.get(SESSION_KEY)
    if key:
        return key
    key = secrets.token_urlsafe(32)
    try:
        store.meta.set(SESSION_KEY, key)
    except sqlite3.DatabaseError:
        pass
    return key
