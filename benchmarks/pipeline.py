"""End-to-end pipeline time against a plain trafilatura loop, in one run.

Serves the 181 pages of the article-extraction benchmark behind one local RSS
feed, then times `watcher run --once` (fetch, parse, extract, store; a fresh
database each time) against a single-process loop calling
`trafilatura.extract` on the same raw bytes. watcher takes every entry of the
feed in its one poll (`max_new_per_poll` above the page count; the run stops
if it read fewer), so both sides do the same pages. Runs alternate; medians
are compared. Target: pipeline / plain <= 0.75 on a 2-core machine.

The wall clock of a shared machine mostly measures the other processes, so
the CPU seconds of both sides are printed too: the loop's, and those of
every process of the watcher run (its extraction workers included, sampled
from /proc). Their ratio over the number of cores is what the wall-clock
ratio would be with perfect use of every core.

    python benchmarks/pipeline.py [--data DIR] [--runs 3]
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "article-extraction-benchmark"


def load_pages(data: Path) -> dict[str, bytes]:
    return {p.name.removesuffix(".html.gz"): gzip.decompress(p.read_bytes()) for p in sorted((data / "html").glob("*.html.gz"))}


def write_site(pages: dict[str, bytes], folder: Path, base: str) -> None:
    """Write the pages and a feed listing them (absolute links to `base`) into `folder`."""
    (folder / "p").mkdir(parents=True)
    items = []
    for i, (name, html) in enumerate(pages.items()):
        (folder / "p" / f"{name}.html").write_bytes(html)
        items.append(
            f"<item><title>Page {i}</title><link>{base}/p/{name}.html</link>"
            f"<guid isPermaLink=\"false\">{name}</guid><pubDate>Mon, 16 Nov 2026 08:00:00 GMT</pubDate></item>"
        )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>{"".join(items)}</channel></rss>'
    (folder / "feed.xml").write_text(feed, encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def static_server(folder: Path, port: int, kind: str) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1:port with nginx (fast, like a real outlet) or Python's http.server."""
    base = f"http://127.0.0.1:{port}"
    if kind == "nginx":
        conf = folder.parent / "nginx.conf"
        conf.write_text(
            "worker_processes 1; pid nginx.pid; error_log nginx-error.log;\n"
            "events { worker_connections 256; }\n"
            "http { access_log off; types { text/html html; application/rss+xml xml; }\n"
            f"  server {{ listen 127.0.0.1:{port}; root {folder}; keepalive_requests 10000; }} }}\n"
        )
        proc = subprocess.Popen(["nginx", "-p", str(folder.parent), "-c", str(conf), "-g", "daemon off;"])
        try:
            _wait_for(port)
            yield base
        finally:
            proc.terminate()
            proc.wait()
    else:
        from watcher.demo.server import OutletServer

        with OutletServer(folder, port=port):
            yield base


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("static server did not start")


def plain_loop(pages: dict[str, bytes]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the loop."""
    import trafilatura

    start, cpu = time.perf_counter(), time.process_time()
    for html in pages.values():
        trafilatura.extract(html)
    return time.perf_counter() - start, time.process_time() - cpu


def tree_cpu(root: int, seen: dict[int, float]) -> None:
    """Record in `seen` the CPU seconds so far of `root` and every process under it (Linux /proc).

    The extraction workers are children of multiprocessing's fork server, which nobody waits for, so
    getrusage(RUSAGE_CHILDREN) never sees them: the process tree is sampled instead.
    """
    parents: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry))
            ticks[int(entry)] = int(fields[11]) + int(fields[12])
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in ticks:
            seen[pid] = ticks[pid] / os.sysconf("SC_CLK_TCK")
        todo.extend(parents.get(pid, []))


def pipeline_once(base: str, work: Path, run: int, pages: int) -> tuple[float, float, int]:
    """Wall-clock seconds, CPU seconds of every watcher process (extraction workers included), articles stored."""
    folder = work / f"run{run}"
    folder.mkdir()
    (folder / "watcher.yaml").write_text(
        "database: watcher.db\nrules: null\n"
        "defaults: {interval: 15m, timeout: 60s, max_new_per_poll: 100000}\n"  # every page in one poll, as plain reads them
        "http: {allow_private: true, max_bytes: 20MB}\n"
        "extract: {timeout: 60s}\n"
        f"sources:\n  - id: bench\n    url: {base}/feed.xml\n    type: feed\n",
        encoding="utf-8",
    )
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "watcher", "--log-level", "warning", "run", "--once", "--config", str(folder / "watcher.yaml")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    cpu: dict[int, float] = {}
    sampled = Path("/proc/self/stat").exists()
    while proc.poll() is None and sampled:
        tree_cpu(proc.pid, cpu)  # every 50 ms: a process's last 50 ms before it ends may be missed
        time.sleep(0.05)
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"watcher failed:\n{stdout}\n{stderr}")
    used = sum(cpu.values()) if sampled else float("nan")
    conn = sqlite3.connect(folder / "watcher.db")
    stored = conn.execute("SELECT COUNT(*) FROM articles WHERE summary_only = 0").fetchone()[0]
    entries = conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    conn.close()
    if entries != pages:
        sys.exit(f"watcher read {entries} of the feed's {pages} entries: the two sides would not do the same work")
    return elapsed, used, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", choices=["nginx", "python"], default="nginx" if shutil.which("nginx") else "python",
                        help="static server for the pages (default: nginx when installed)")
    args = parser.parse_args()
    if not (args.data / "html").is_dir():
        print(f"skipped: benchmark data not found at {args.data}")
        return

    pages = load_pages(args.data)
    plain_times: list[float] = []
    pipe_times: list[float] = []
    plain_cpu: list[float] = []
    pipe_cpu: list[float] = []
    stored = 0
    with tempfile.TemporaryDirectory(prefix="watcher-bench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx workers run unprivileged
        site = work / "site"
        site.mkdir()
        port = free_port()
        write_site(pages, site, f"http://127.0.0.1:{port}")
        plain_loop(dict(list(pages.items())[:5]))  # warm imports so the first timed run is fair
        with static_server(site, port, args.server) as base:
            for run in range(args.runs):
                t, cpu = plain_loop(pages)
                plain_times.append(t)
                plain_cpu.append(cpu)
                t, cpu, stored = pipeline_once(base, work, run, len(pages))
                pipe_times.append(t)
                pipe_cpu.append(cpu)
    plain, pipe = statistics.median(plain_times), statistics.median(pipe_times)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"pages: {len(pages)}, cores: {os.cpu_count()}, runs: {args.runs} (medians), server: {args.server}")
    print(f"plain trafilatura.extract loop: {plain:6.2f}s  ({len(pages) / plain:5.1f} docs/s)  runs {['%.2f' % t for t in plain_times]}")
    print(f"watcher run --once end to end:  {pipe:6.2f}s  ({len(pages) / pipe:5.1f} docs/s)  runs {['%.2f' % t for t in pipe_times]}")
    print(f"articles stored with a full body: {stored}/{len(pages)}")
    # On a shared machine the wall clock mostly measures the other processes: CPU seconds are steadier. Over
    # the machine's cores, the pipeline's CPU is the wall-clock ratio it would reach with every core its own.
    cpu_ratio = statistics.median(pipe_cpu) / statistics.median(plain_cpu)
    print(f"CPU seconds, plain {statistics.median(plain_cpu):.2f} / watcher (all its processes) "
          f"{statistics.median(pipe_cpu):.2f}: {cpu_ratio:.2f}x, over {os.cpu_count()} cores {cpu_ratio / (os.cpu_count() or 1):.2f}"
          f"  runs {['%.2f' % t for t in pipe_cpu]}  load {os.getloadavg()[0]:.1f}")
    paired = statistics.median(p / q for p, q in zip(pipe_times, plain_times))
    print(f"ratio pipeline/plain: {pipe / plain:.2f} (ratio of medians), {paired:.2f} (median of per-run ratios)  (target <= 0.75)")
    print(f"peak memory of the largest watcher process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
