"""The suite's own reporting: a failure whose message UTF-8 cannot hold still fails the run, under xdist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

INNER = '''\
def test_reads_half_a_pair():
    print("captured \\ud800 too")
    assert "harbour \\ud800 wall" == "harbour wall"


def test_passes():
    assert True
'''


def test_a_failure_holding_half_a_surrogate_pair_is_reported_and_fails_the_run(tmp_path: Path) -> None:
    """Without the report made safe in the worker, xdist printed INTERNALERROR and the run exited 0."""
    (tmp_path / "test_inner.py").write_text(INNER)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.utf8_reports",
                           "-n", "2", "--rootdir", str(tmp_path), str(tmp_path / "test_inner.py")],
                          cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, errors="backslashreplace", timeout=120)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out[-3000:]
    assert "1 failed, 1 passed" in out and "INTERNALERROR" not in out, out[-3000:]
    assert "harbour \\ud800 wall" in out and "captured \\ud800 too" in out, out[-3000:]
