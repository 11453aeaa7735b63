"""YAML can't exhaust memory or the stack: alias bombs, deep nesting and huge files are refused as file:line."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import write_config
from tests.ops import start_daemon, stop, wait_for
from tests.pages import rss
from tests.webserver import Route, WebServer

GUARD = 1536 * 2**20  # address space a child may take: a runaway load fails fast instead of eating the machine


def bomb(levels: int = 9, width: int = 9) -> str:
    """The 'billion laughs' file: each level lists the previous one `width` times (9**9 strings in all)."""
    lines = ["lol0: &l0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _guard() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GUARD, GUARD))


def run_measured(*args: str, timeout: float = 120) -> tuple[int, str, float]:
    """`watcher ARGS` in a subprocess: (exit code, its stderr, its peak RSS in MB)."""
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-m", "watcher", *args], stdout=subprocess.DEVNULL, stderr=err,
                                text=True, preexec_fn=_guard)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not the largest of all children
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return proc.returncode, err.read(), usage.ru_maxrss / 1024


def _one_line_at(output: str, path: Path, line: int, words: str) -> None:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output[-2000:]
    assert lines[0].startswith(f"{path}:{line}: "), lines[0]
    assert words in lines[0], lines[0]
    assert "Traceback" not in output


def test_alias_bomb_in_the_config_is_refused_quickly_in_little_memory(tmp_path: Path) -> None:
    config = tmp_path / "watcher.yaml"
    config.write_text("sources: []\n" + bomb())
    start = time.monotonic()
    code, out, peak = run_measured("check", "--config", str(config))
    took = time.monotonic() - start
    assert code == 1, out[-2000:]
    _one_line_at(out, config, 7, "aliases expand to more than")
    assert peak < 300, f"peak RSS of a child {peak:.0f} MB"
    assert took < 30, f"took {took:.0f}s"


def test_alias_bomb_in_a_rule_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    rules = tmp_path / "rules" / "bomb.yaml"
    rules.write_text("rules:\n  - id: a\n    title: A\n    match: {keywords: [harbour]}\n" + bomb())
    config = write_config(tmp_path, [], rules="rules")
    code, out, peak = run_measured("check", "--config", str(config))
    assert code == 1, out[-2000:]
    _one_line_at(out, rules, 10, "aliases expand to more than")
    assert peak < 300, f"peak RSS of a child {peak:.0f} MB"


@pytest.mark.parametrize("name,text,line,words", [
    ("deep-flow", "sources: " + "[" * 5000 + "]" * 5000 + "\n", 1, "nest"),
    ("deep-block", "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "x: 1\n", 65, "levels deep"),
    ("alias-chain", "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 200)), 64, "levels deep"),
    ("self-alias", "sources: &s [*s]\n", 1, "names no anchor"),
    ("merge-bomb", "a: &a {x: 1, y: 2, z: 3}\n" + "".join(
        f"m{i}: &m{i}\n  <<: [*{'a' if i == 0 else f'm{i - 1}'}, *{'a' if i == 0 else f'm{i - 1}'}]\n  k{i}: 1\n"
        for i in range(40)), 39, "aliases expand to more than"),
])
def test_nesting_and_alias_tricks_are_file_line_errors(tmp_path: Path, name: str, text: str, line: int,
                                                       words: str) -> None:
    config = tmp_path / f"{name}.yaml"
    config.write_text(text)
    code, out, _ = run_measured("check", "--config", str(config), timeout=60)
    assert code == 1, out[-2000:]
    _one_line_at(out, config, line, words)


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    config = tmp_path / "watcher.yaml"
    with config.open("w") as f:
        f.write("sources: []\n")
        for i in range(120_000):
            f.write(f"# comment line {i} padded to make the file large enough ....\n")
    code, out, _ = run_measured("check", "--config", str(config))
    assert code == 1
    _one_line_at(out, config, 1, "larger than")


def test_hot_reload_of_a_bomb_keeps_the_rules_and_the_daemon_stops_on_sigterm(web: WebServer, tmp_path: Path) -> None:
    web.route("/feed.xml", Route(rss([{"title": "Harbour crane arrives", "link": "{{BASE}}/a.html", "guid": "a"}]),
                                 content_type="application/rss+xml"))
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: harbours\n    title: Harbours\n    match: {keywords: [harbour]}\n")
    config = write_config(tmp_path, [{"id": "a", "url": web.url("/feed.xml"), "interval": "1s"}], rules="rules.yaml")
    log = tmp_path / "daemon.log"
    proc = subprocess.Popen([sys.executable, "-m", "watcher", "run", "--config", str(config)],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, text=True, preexec_fn=_guard)
    try:
        wait_for(lambda: web.hits.count("/feed.xml") >= 1, timeout=90)
        rules.write_text("rules:\n  - id: harbours\n    title: Harbours\n    match: {keywords: [harbour]}\n" + bomb())
        wait_for(lambda: "rules not reloaded" in log.read_text(), timeout=60)
        polls = web.hits.count("/feed.xml")
        wait_for(lambda: web.hits.count("/feed.xml") >= polls + 2, timeout=60)  # it goes on polling
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak = int(next(x for x in status.splitlines() if x.startswith("VmHWM:")).split()[1]) / 1024
        code, took = stop(proc, signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = log.read_text()
    assert code == 0, out[-3000:]
    assert took < 10, f"SIGTERM took {took:.1f}s"
    assert peak < 300, f"daemon peak RSS {peak:.0f} MB"
    refused = [line for line in out.splitlines() if "rules not reloaded" in line]
    assert len(refused) == 1, refused
    assert f"{rules}:10: aliases expand to more than" in refused[0], refused[0]
    assert "Traceback" not in out
    assert os.path.exists(tmp_path / "data" / "watcher.db")
