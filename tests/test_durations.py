"""Durations are sane: 1 s to 1 year (waits may be shorter), finite, each mistake a file:line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from watcher.config.durations import parse_duration

BAD = [".nan", ".inf", "-.inf", "1.0e+400", "999999999d", "0s", "100ms", "9" * 400, "9" * 400 + "s", "0.0001s"]


def test_insane_durations_are_file_line_errors(tmp_path: Path) -> None:
    sources = "".join(f"  - id: s{i}\n    url: https://e.org/{i}\n    interval: {v}\n" for i, v in enumerate(BAD))
    config = tmp_path / "watcher.yaml"
    config.write_text(
        "defaults:\n  timeout: .inf\n  max_interval: 400d\n"          # lines 2, 3
        "delivery:\n  retry: .nan\n  max_age: 1.0e+400\n"             # lines 5, 6
        "retention:\n  bodies: 999999999d\n  vacuum: 0.5s\n"          # lines 8, 9
        "stories:\n  window: 0s\n"                                    # line 11
        "http:\n  host_gap: .inf\n"                                   # line 13
        "sources:\n" + sources                                        # sources from line 15, 3 lines each
    )
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    expected_lines = [2, 3, 5, 6, 8, 9, 11, 13] + [15 + 3 * i + 2 for i in range(len(BAD))]
    assert len(lines) == len(expected_lines), "\n".join(lines)
    assert [int(line.split(":")[1]) for line in lines] == expected_lines, "\n".join(lines)
    assert all(line.startswith(f"{config}:") for line in lines)
    by_line = {int(line.split(":")[1]): line for line in lines}
    assert "shorter than 1s" in by_line[15 + 3 * BAD.index("100ms") + 2]
    assert "longer than 365d" in by_line[15 + 3 * BAD.index("999999999d") + 2]
    assert "longer than 365d" in by_line[3]
    assert all(len(line) < 300 for line in lines), "a 400-digit value is shown whole"


def test_short_intervals_are_allowed_with_a_warning(tmp_path: Path) -> None:
    config = tmp_path / "watcher.yaml"
    config.write_text("sources:\n  - id: a\n    url: https://e.org/a\n    interval: 30s\n"
                      "  - id: b\n    url: https://e.org/b\n    interval: 5m\n"
                      "defaults:\n  min_interval: 10s\n")
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 0, result.stderr
    warnings = result.stderr.strip().splitlines()
    assert warnings == [
        f"{config}:4: warning: sources[0].interval: 30s is shorter than a minute; polling this often may get "
        "watcher blocked",
        f"{config}:9: warning: defaults.min_interval: 10s is shorter than a minute; polling this often may get "
        "watcher blocked",
    ], warnings


def test_host_gap_and_waits_may_be_short_or_zero(tmp_path: Path) -> None:
    config = tmp_path / "watcher.yaml"
    config.write_text("http:\n  host_gap: 0s\nextract:\n  timeout: 50ms\ndelivery:\n  retry: 200ms\n")
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10**400, "9" * 400 + "d", "1e400", "0s", -1])
def test_parse_duration_refuses_what_no_clock_can_wait(value: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)
