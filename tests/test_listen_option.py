"""`--listen` of `watcher worker` and `watcher web`: one check of HOST:PORT for both commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli, write_config


@pytest.mark.parametrize("command", ["worker", "web"])
@pytest.mark.parametrize("address", ["8080", "localhost", "host:port", "::1:8080", "host:123456", "127.0.0.1:99999",
                                     "127.0.0.1:0"])
def test_listen_not_host_port_is_refused_in_one_line(tmp_path: Path, command: str, address: str) -> None:
    config = write_config(tmp_path, [])
    result = run_cli(command, "--config", str(config), "--listen", address, cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode != 0, f"exit {result.returncode}: {out}"
    assert f"--listen {address}: not HOST:PORT" in out, out
    assert "Traceback" not in out, out


def test_host_port_forms_are_accepted() -> None:
    from watcher.cli.app import check_listen

    for good in ("127.0.0.1:8080", "[::1]:8080", ":8080", "0.0.0.0:1"):
        check_listen(good)  # raises click.UsageError when refused
