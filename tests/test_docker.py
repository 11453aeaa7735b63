"""The Dockerfile and deploy/: checked as written, and the image's own commands run from this install.

There is no Docker engine here, so the test runs what the image would run:
ENTRYPOINT + CMD with the image's environment (the config from
$WATCHER_CONFIG, the data folder as the working directory), the HEALTHCHECK
command against it, and the STOPSIGNAL to end it. `.ci/run` lints the
Dockerfile with hadolint.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_cli
from tests.ops import get, publish, wait_for
from tests.receivers import free_port
from tests.webserver import WebServer


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def last(name: str) -> str:
    return [args for word, args in instructions() if word == name][-1]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    final_stage = instructions()[max(i for i, (w, _) in enumerate(instructions()) if w == "FROM"):]
    for word, args in final_stage:
        if word == "ENV":
            for pair in shlex.split(args):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def test_the_dockerfile_follows_the_deployment_contract() -> None:
    stages = [args for word, args in instructions() if word == "FROM"]
    assert all(re.match(r"python:3\.1[1-9]-slim", s) for s in stages), stages
    user = last("USER").split(":")[0]
    assert user.isdigit() and int(user) != 0, "runs as a non-root user (numeric, so Kubernetes can check it)"
    assert "/data" in json.loads(last("VOLUME"))
    assert json.loads(last("ENTRYPOINT")) == ["watcher"]  # exec form: watcher is PID 1 and gets the signal
    assert json.loads(last("CMD"))[0] == "run"
    assert last("STOPSIGNAL") == "SIGTERM"
    health = last("HEALTHCHECK")
    assert json.loads(health[health.index("CMD") + 3:])[0] == "python"  # no curl in slim images
    assert image_env()["WATCHER_HEALTHZ"].endswith("/healthz")
    assert image_env()["WATCHER_CONFIG"] == "/config/watcher.yaml"
    installs = [args for word, args in instructions() if word == "RUN" and "pip install" in args]
    assert any(args.endswith(" .") for args in installs), "dependencies come from pyproject.toml"

    ignored = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if not line.startswith("#")]
    assert ignored[0] == "*"  # the context holds only what is let back in:
    assert {"!pyproject.toml", "!README.md", "!watcher/"} <= set(ignored)  # all that COPY needs


def test_the_images_command_starts_answers_healthz_and_stops_on_its_signal(web: WebServer, tmp_path: Path) -> None:
    publish(web, "a", ["harbour-crane-arrives"])
    port = free_port()
    (tmp_path / "config").mkdir()
    (tmp_path / "data").mkdir()
    config = tmp_path / "config/watcher.yaml"  # laid out as in the container: /config and /data
    config.write_text(yaml.safe_dump({
        "database": str(tmp_path / "data/watcher.db"),
        "sources": [{"id": "a", "url": web.url("/a/feed.xml"), "interval": "1h"}],
        "http": {"allow_private": True},
        "server": {"listen": f"127.0.0.1:{port}"},
    }))
    env = {**os.environ, **image_env(), "WATCHER_CONFIG": str(config),
           "WATCHER_HEALTHZ": f"http://127.0.0.1:{port}/healthz"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # /opt/watcher/bin comes first

    command = json.loads(last("ENTRYPOINT")) + json.loads(last("CMD"))
    command[0] = str(Path(sys.executable).with_name(command[0]))  # the console script of this install
    health = last("HEALTHCHECK")
    probe = json.loads(health[health.index("CMD") + 3:])
    probe[0] = sys.executable

    def healthy() -> bool:
        return subprocess.run(probe, env=env, capture_output=True, timeout=30).returncode == 0

    log = tmp_path / "watcher.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(command, cwd=tmp_path / "data", env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        # a plain GET waits for the daemon (each probe below is a Python process of its own), then the image's probe
        deadline = time.monotonic() + 60
        while (answer := get(env["WATCHER_HEALTHZ"]))[0] != 200 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answer[0] == 200, (answer, proc.poll(), log.read_text()[-3000:])
        assert healthy(), "the image's HEALTHCHECK command fails while /healthz answers 200"
        db = tmp_path / "data/watcher.db"
        wait_for(lambda: "source a: ok" in log.read_text(), timeout=60)
        assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
        start = time.monotonic()
        proc.send_signal(getattr(signal, last("STOPSIGNAL")))
        proc.wait(timeout=30)
        took = time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, log.read_text()
    assert took < 10  # within `docker stop`'s default timeout
    assert not healthy()  # nothing answers any more: the probe fails


def test_the_deploy_example_is_valid_and_consistent() -> None:
    deploy = ROOT / "deploy"
    env = {**os.environ, "TG_TOKEN": "123456789:AAFakeTokenForTests", "TG_CHAT": "-1001"}
    env.pop("WATCHER_LISTEN", None)
    result = run_cli("check", "--config", str(deploy / "watcher.yaml"), env=env)
    assert result.returncode == 0, result.stderr
    assert "2 rules" in result.stdout

    config = yaml.safe_load((deploy / "watcher.yaml").read_text())
    assert config["database"].startswith("/data/")  # on the volume
    compose = yaml.safe_load((deploy / "docker-compose.yml").read_text())
    service = compose["services"]["watcher"]
    assert service["build"] == ".."
    assert "./:/config:ro" in service["volumes"]
    assert any(v.endswith(":/data") for v in service["volumes"])
    assert {"TG_TOKEN", "TG_CHAT"} <= set(service["environment"])
    listen_port = config["server"]["listen"].rsplit(":", 1)[1].rstrip("}")
    assert any(p.endswith(f":{listen_port}") for p in service["ports"])
    assert image_env()["WATCHER_HEALTHZ"] == f"http://127.0.0.1:{listen_port}/healthz"
    prometheus = yaml.safe_load((deploy / "prometheus.yml").read_text())
    assert prometheus["scrape_configs"][0]["static_configs"][0]["targets"] == [f"watcher:{listen_port}"]


def test_the_scaled_compose_file_runs_real_commands_with_health_checks() -> None:
    """deploy/compose.scale.yaml (no Docker engine here): PostgreSQL checked by pg_isready, three workers started
    once it is healthy, each checked on its own --listen /healthz, the web console checked on its login page; every
    command parses as the watcher CLI's own, and the config they share is valid."""
    import click

    from watcher.cli.app import cli
    from watcher.run.migrate import database_of

    deploy = ROOT / "deploy"
    services = yaml.safe_load((deploy / "compose.scale.yaml").read_text())["services"]
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    workers = [s for s in services.values() if s.get("command", [None])[0] == "worker"]
    assert len(workers) == 3
    watchers = {name: s for name, s in services.items() if name != "postgres"}
    for name, service in watchers.items():
        assert service["build"] == ".." and ("./:/config:ro" in service["volumes"]) == (name != "migrate"), name
        assert service["depends_on"] == {"postgres": {"condition": "service_healthy"}}, name
        command = service["command"]
        click_command = cli.commands[command[0]]  # a real command, its options real: parsed as the CLI parses them
        params = click_command.make_context(command[0], list(command[1:])).params
        if "listen" in params:
            port = params["listen"].rsplit(":", 1)[1]
            probe = service["healthcheck"]["test"]
            assert probe[:3] == ["CMD", "python", "-c"], name
            path = "/healthz" if command[0] == "worker" else "/login"  # `watcher web` serves the console only
            assert f"http://127.0.0.1:{port}{path}'" in probe[3], (name, probe)
        config = service["environment"]["WATCHER_CONFIG"]
        assert config.startswith("/config/") and (deploy / config.removeprefix("/config/")).is_file(), name
    assert {name for name, s in watchers.items() if s["command"][0] == "web"} == {"web"}
    assert any(p.endswith(":8080") for p in services["web"]["ports"])
    migrate = services["migrate"]
    assert migrate["profiles"] == ["migrate"] and any(v.endswith(":/data") for v in migrate["volumes"])
    assert database_of(migrate["command"][2], "--from") == Path("/data/watcher.db")
    assert database_of(migrate["command"][4].replace("${POSTGRES_PASSWORD}", "pw"), "--to").startswith(
        "postgresql://watcher:pw@postgres:5432/")
    with pytest.raises(click.UsageError):  # the parse above would see a misspelled option
        cli.commands["worker"].make_context("worker", ["--listn", "0.0.0.0:8080"])

    env = {**os.environ, "POSTGRES_PASSWORD": "pw", "TG_TOKEN": "123456789:AAFakeTokenForTests", "TG_CHAT": "-1001"}
    checked = run_cli("check", "--config", str(deploy / "watcher.scale.yaml"), env=env)
    assert checked.returncode == 0, checked.stderr
    assert yaml.safe_load((deploy / "watcher.scale.yaml").read_text())["database"].startswith(
        "postgresql://watcher:${POSTGRES_PASSWORD}@postgres:5432/watcher")
