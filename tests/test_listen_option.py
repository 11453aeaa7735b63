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


def test_check_reports_a_console_off_loopback_without_credentials_at_its_line(tmp_path: Path) -> None:
    """`server.listen: 0.0.0.0:PORT` with no token passed `watcher check`, then `watcher run` refused it."""
    import os

    from tests.conftest import run_watcher

    config = write_config(tmp_path, [], server={"console": True, "listen": "0.0.0.0:18931"})
    line = config.read_text().splitlines().index("  listen: 0.0.0.0:18931") + 1
    bare = {k: v for k, v in os.environ.items() if not k.startswith("WATCHER_CONSOLE_")}
    refusal = ("server.listen 0.0.0.0:18931: the web console on a non-loopback address needs credentials: set "
               "WATCHER_CONSOLE_TOKEN (or WATCHER_CONSOLE_TOKEN_FILE), listen on 127.0.0.1, or set `console: false`")
    result = run_cli("check", "--config", str(config), env=bare)
    assert (result.returncode, result.stderr.strip(), result.stdout) == (1, f"{config}:{line}: {refusal}", "")
    run = run_watcher("run", "--config", str(config), env=bare, timeout=60)
    assert (run.returncode, run.stderr.strip()) == (1, refusal), run.stderr  # what run says, without the place
    assert run_cli("check", "--config", str(config), env={**bare, "WATCHER_CONSOLE_TOKEN": "s3cret"}).returncode == 0
    write_config(tmp_path, [], server={"console": False, "listen": "0.0.0.0:18931"})
    assert run_cli("check", "--config", str(config), env=bare).returncode == 0


def test_check_with_rules_still_fails_on_the_console_address(tmp_path: Path) -> None:
    """With a rules file that is fine, the console mistake alone still makes `watcher check` exit 1."""
    import os

    rule = "rules:\n  - id: quake\n    title: Quake\n    match:\n      keywords: [earthquake]\n"
    (tmp_path / "rules.yaml").write_text(rule, encoding="utf-8")
    config = write_config(tmp_path, [], rules="rules.yaml", server={"console": True, "listen": "0.0.0.0:18932"})
    bare = {k: v for k, v in os.environ.items() if not k.startswith("WATCHER_CONSOLE_")}
    result = run_cli("check", "--config", str(config), env=bare)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "needs credentials" in result.stderr and "ok" not in result.stdout, result.stdout + result.stderr
    ok = run_cli("check", "--config", str(config), env={**bare, "WATCHER_CONSOLE_TOKEN": "s3cret"})
    assert (ok.returncode, "1 rules" in ok.stdout) == (0, True), ok.stdout + ok.stderr
