"""`watcher worker` processes on a PostgreSQL cluster of their own, for the benchmarks of several workers
(benchmarks/kill_workers.py, benchmarks/scale.py).

The cluster is the tests' (tests/postgres.py): Debian's PostgreSQL binaries, an unprivileged cluster in a
temporary folder, reached over a unix socket only. Each worker is a real `python -m watcher worker` process in
a session of its own (its reader process goes with it), its output in a log file.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.postgres import PostgresServer, binaries  # noqa: E402  (after the path: run as a script)

TICKS = os.sysconf("SC_CLK_TCK")


@contextmanager
def cluster() -> Iterator[PostgresServer]:
    """A running PostgreSQL server in a temporary folder, stopped (and its folder removed) at the end."""
    found = binaries()
    if found is None:
        sys.exit("skipped: PostgreSQL is not installed (no initdb/pg_ctl; Debian: apt-get install postgresql)")
    server = PostgresServer(found).start()
    try:
        yield server
    finally:
        server.stop()


def write_config(folder: Path, database: str | Path, sources: list[dict], **extra: object) -> Path:
    config = {"database": str(database), "rules": None, "defaults": {"interval": "15m", "timeout": "10s"},
              "http": {"allow_private": True, "concurrency": 32, "per_host": 16},
              "extract": {"workers": 1, "timeout": "30s"}, "sources": sources}
    config.update(extra)
    path = folder / "watcher.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def cpu_seconds(pid: int, children: bool = True) -> float:
    """User + system CPU of a live process (with its waited-for children's, when `children`); 0 once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / TICKS


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its ended children and its live descendants (a worker's reader process)."""
    total = cpu_seconds(pid)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if ppid == pid:
                total += tree_cpu(int(entry.name))
    return total


def server_cpu(server: PostgresServer) -> float:
    """CPU seconds of the whole PostgreSQL server so far: the postmaster, its live backends, and the backends
    that ended (counted into the postmaster's children's time)."""
    return tree_cpu(int((server.data / "postmaster.pid").read_text().split()[0]))


class Worker:
    """One `watcher worker` process; `start()` again after a kill runs a new one under the same number."""

    def __init__(self, number: int, config: Path, folder: Path, concurrency: int | None = None) -> None:
        self.number = number
        self.config = config
        self.folder = folder
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None
        self.runs = 0
        self.cpu = 0.0  # CPU seconds of its ended runs
        self.offset = 0  # where the log of its current run starts

    @property
    def log(self) -> Path:
        return self.folder / f"worker-{self.number}.log"

    def start(self) -> Worker:
        self.runs += 1
        self.offset = self.log.stat().st_size if self.log.exists() else 0
        extra = ["--concurrency", str(self.concurrency)] if self.concurrency else []
        with self.log.open("ab") as out:
            out.write(f"--- run {self.runs}\n".encode())
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "watcher", "worker", "--config", str(self.config), *extra],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL, and whatever is left of its process group (the reader process)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self._reap(10.0)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; its exit code (a worker that did not end is killed: -9)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self._reap(timeout)

    def _reap(self, timeout: float) -> int:
        """Wait for the process (SIGKILL after `timeout`), adding its CPU (its children's too) to `cpu`; its
        exit code. os.wait4 rather than Popen.wait: it gives the process's resource use."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while self.proc.returncode is None:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.cpu += usage.ru_utime + usage.ru_stime
                self.proc.returncode = os.waitstatus_to_exitcode(status)
            elif time.monotonic() > deadline:
                os.kill(self.proc.pid, signal.SIGKILL)
                deadline = float("inf")
            else:
                time.sleep(0.05)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return self.proc.returncode

    def said(self, pattern: str) -> bool:
        """Whether this run of the worker logged a line matching `pattern` (a regex)."""
        with self.log.open("rb") as f:
            f.seek(self.offset)
            return re.search(pattern.encode(), f.read()) is not None

    def tail(self, chars: int = 2000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def wait_until(what: str, ok: Callable[[], bool], timeout: float, workers: Sequence[Worker] = (),
               every: float = 0.2) -> float:
    """Wait until `ok()`; the seconds it took. Exits, with the workers' logs, when it does not come in time or a
    worker that should run has ended."""
    start = time.monotonic()
    while not ok():
        for w in workers:
            if w.proc is not None and w.proc.returncode is None and w.proc.poll() is not None:
                sys.exit(f"worker {w.number} ended ({w.proc.returncode}) while waiting for {what}:\n{w.tail()}")
        if time.monotonic() - start > timeout:
            logs = "\n".join(f"--- worker {w.number}\n{w.tail(1500)}" for w in workers)
            sys.exit(f"no {what} within {timeout:.0f}s\n{logs}")
        time.sleep(every)
    return time.monotonic() - start
