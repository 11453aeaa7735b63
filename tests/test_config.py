from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli, run_watcher
from watcher.config import load_config
from watcher.config.durations import parse_duration
from watcher.errors import ConfigError, ConfigErrors

GOOD = """\
database: data/watcher.db
rules: rules/
defaults: {interval: 15m, timeout: 20s}
sources:
  - id: kyiv-independent
    url: https://kyivindependent.com/feed/
    interval: 10m
    tags: [ukraine]
  - id: press-office
    url: https://example.org/press/
    type: page
    baseline: false
http:
  allow_private: false
channels:
  analysts:
    urls: ["tgram://${TG_TOKEN}/${TG_CHAT}"]
  console:
    urls: ["console://"]
server:
  listen: 127.0.0.1:8080
"""


TG = {"TG_TOKEN": "123456789:AAFakeTokenForTests_abcdefghijkl", "TG_CHAT": "-1001234567890"}


def write(tmp_path: Path, text: str, name: str = "watcher.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises((ConfigError, ConfigErrors)) as info:
        load_config(path, env=env or {})
    err = info.value
    return [str(e) for e in err.errors] if isinstance(err, ConfigErrors) else [str(err)]


def test_spec_example_loads_with_env_and_relative_paths(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD), env=TG)
    assert cfg.database == tmp_path / "data/watcher.db"
    assert cfg.rules == tmp_path / "rules"
    assert [s.id for s in cfg.sources] == ["kyiv-independent", "press-office"]
    assert cfg.interval(cfg.sources[0]) == 600
    assert cfg.interval(cfg.sources[1]) == 900
    assert cfg.timeout(cfg.sources[0]) == 20
    assert cfg.sources[1].baseline is False and cfg.sources[1].type == "page"
    assert cfg.channels["analysts"].urls == [f"tgram://{TG['TG_TOKEN']}/{TG['TG_CHAT']}"]
    assert cfg.sources[0].tags == ("ukraine",)


def test_json_config_loads_too(tmp_path: Path) -> None:
    doc = {"database": "x.db", "sources": [{"id": "a", "url": "https://example.org/feed"}]}
    cfg = load_config(write(tmp_path, json.dumps(doc, indent=2), "watcher.json"), env={})
    assert cfg.sources[0].url == "https://example.org/feed"


def test_unknown_key_names_its_line_and_suggests(tmp_path: Path) -> None:
    text = GOOD.replace("    interval: 10m\n", "    intervall: 10m\n")
    [line] = errors_of(write(tmp_path, text), TG)
    assert line.startswith(f"{tmp_path / 'watcher.yaml'}:7: ")
    assert "unknown key 'intervall'" in line and "did you mean 'interval'" in line



def test_a_source_written_as_text_says_it_should_be_a_mapping(tmp_path: Path) -> None:
    text = GOOD.replace("  - id: press-office\n", "  - just a line of text\n  - id: press-office\n")
    [line] = errors_of(write(tmp_path, text), TG)
    assert line == (f"{tmp_path / 'watcher.yaml'}:9: sources[1]: should be a mapping of keys and values, "
                    "one `key: value` a line (it is the text 'just a line of text')")


def test_sources_are_validated_frozen_and_hold_no_dict_each(tmp_path: Path) -> None:
    """10,000 sources are kept as slotted objects (about 150 bytes each), not a model and a dict each."""
    import dataclasses

    cfg = load_config(write(tmp_path, GOOD), env=TG)
    source = cfg.sources[0]
    assert not hasattr(source, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        source.url = "https://example.org/other"  # type: ignore[misc]
    assert source == load_config(write(tmp_path, GOOD), env=TG).sources[0]
    assert dataclasses.replace(source, interval=60.0).interval == 60.0

def test_bad_interval(tmp_path: Path) -> None:
    text = GOOD.replace("interval: 10m", "interval: ten minutes")
    [line] = errors_of(write(tmp_path, text), TG)
    assert line.startswith(f"{tmp_path / 'watcher.yaml'}:7: ")
    assert "not a duration" in line


def test_missing_env_var(tmp_path: Path) -> None:
    [line] = errors_of(write(tmp_path, GOOD), {"TG_TOKEN": TG["TG_TOKEN"]})
    assert line == f"{tmp_path / 'watcher.yaml'}:17: environment variable TG_CHAT is not set (used as ${{TG_CHAT}})"


def test_env_default(tmp_path: Path) -> None:
    text = GOOD.replace("${TG_CHAT}", "${TG_CHAT:--42}")
    cfg = load_config(write(tmp_path, text), env={"TG_TOKEN": TG["TG_TOKEN"]})
    assert cfg.channels["analysts"].urls == [f"tgram://{TG['TG_TOKEN']}/-42"]


def test_invalid_yaml(tmp_path: Path) -> None:
    text = GOOD.replace("    tags: [ukraine]\n", "    tags: [ukraine\n")
    [line] = errors_of(write(tmp_path, text))
    assert line.startswith(f"{tmp_path / 'watcher.yaml'}:")
    assert "invalid YAML" in line
    assert 8 <= int(line.split(":")[1]) <= 10


def test_tabs_are_explained(tmp_path: Path) -> None:
    [line] = errors_of(write(tmp_path, "sources:\n\t- id: a\n"))
    assert ":2: invalid YAML" in line and "tabs" in line


def test_every_mistake_reported_with_its_line(tmp_path: Path) -> None:
    text = """\
sources:
  - id: a
    url: https://example.org/a
    interval: -5
  - id: b
    url: ftp://example.org/b
  - url: https://example.org/c
  - id: d
    url: https://example.org/d
    type: rss
channels:
  empty: {urls: []}
"""
    lines = errors_of(write(tmp_path, text))
    by_line = {int(l.split(":")[1]): l for l in lines}
    assert set(by_line) == {4, 6, 7, 10, 12}
    assert "positive" in by_line[4]
    assert "not an http(s) URL" in by_line[6]
    assert "sources[2].id: required key is missing" in by_line[7]
    assert "'feed', 'page', 'sitemap' or 'watch'" in by_line[10]


def test_request_headers_are_checked_where_they_are_written(tmp_path: Path) -> None:
    """A header httpx cannot send failed every poll of its source; now `check` names its line (a secret not shown)."""
    import httpx

    source = ("sources:\n  - id: a\n    url: https://e.org/a\n    request:\n"
              "      headers: {X-Token: '${TOKEN}', 'X Team': desk}\n      cookies: {sid: 'a;b'}\n"
              "      user_agent: 'Wächter/1.0'\nhttp: {user_agent: \"bot\\nX-Evil: 1\"}\n")
    lines = errors_of(write(tmp_path, source), {"TOKEN": "s3cret-value\n"})
    where = f"{tmp_path / 'watcher.yaml'}"
    assert [line.split(": ", 1)[0] for line in lines] == [f"{where}:{n}" for n in (5, 5, 6, 7, 8)], lines
    assert "headers.X-Token: the value holds a line break at character 13" in lines[0]
    assert "'X Team' is not a header or cookie name" in lines[1]
    assert "may not hold ';'" in lines[2] and "holds 'ä' at character 2" in lines[3] and "line break" in lines[4]
    assert not any("s3cret" in line for line in lines)
    good = source.replace("'X Team'", "X-Team").replace("a;b", "ab").replace("Wächter", "Waechter").replace("\\n", " ")
    cfg = load_config(write(tmp_path, good), env={"TOKEN": "s3cret-value"})
    assert cfg.sources[0].request is not None and cfg.http.user_agent == "bot X-Evil: 1"
    request = httpx.Request("GET", "https://e.org/a", headers=cfg.sources[0].request.as_headers())  # sendable
    assert request.headers["x-token"] == "s3cret-value" and request.headers["cookie"] == "sid=ab"


@pytest.mark.parametrize("url,why", [("https://e.org:99999/feed", "Port out of range"),
                                     ("https://e.org:rss/feed", "Port could not be cast to integer"),
                                     ("http://[::1/feed", "Invalid IPv6 URL"), ("https://:8080/feed", "no host"),
                                     ("https://" + "a" * 64 + ".example/feed", "the host name is not a valid DNS name"),
                                     ("https://xn--.example/feed", "Malformed A-label")])
def test_a_source_url_no_request_can_be_made_to_is_a_mistake_at_its_line(tmp_path: Path, url: str, why: str) -> None:
    """These passed `check` and then failed every poll as bad_url."""
    [line] = errors_of(write(tmp_path, f"sources:\n  - id: a\n    url: '{url}'\n"))
    assert line.startswith(f"{tmp_path / 'watcher.yaml'}:3: sources[0].url: '{url}' ") and why in line, line
    for fine in ("http://[::1]:8080/feed", "https://e.org:443/feed", "https://user:secret@e.org/feed?a=1#top"):
        assert load_config(write(tmp_path, f"sources:\n  - id: a\n    url: '{fine}'\n"), env={}).sources[0].url == fine


def test_a_source_url_with_a_control_character_is_a_mistake_at_its_line(tmp_path: Path) -> None:
    """A YAML escape can put a NUL or a line break in a URL: `check` said ok, and every poll failed (on
    PostgreSQL storing the source failed the run)."""
    for escape in ("\\u0000", "\\n", "\\t"):
        [line] = errors_of(write(tmp_path, f'sources:\n  - id: a\n    url: "https://e.org/feed{escape}.xml"\n'))
        assert line.startswith(f"{tmp_path / 'watcher.yaml'}:3: sources[0].url: 'https://e.org/feed") \
            and "holds a control character" in line and "\x00" not in line and "\n" not in line, line


def test_an_admin_channel_written_out_must_exist(tmp_path: Path) -> None:
    """A typo in `delivery.admin` sent every failing-channel and dead-alert notice nowhere, and `check` said ok."""
    text = "channels:\n  ops: {urls: ['json://127.0.0.1:9/ops']}\ndelivery:\n  retry: 5s\n  admin: opz\n"
    [line] = errors_of(write(tmp_path, text))
    assert line == f"{tmp_path / 'watcher.yaml'}:5: delivery.admin: no channel is named 'opz' (did you mean 'ops'?)"
    assert load_config(write(tmp_path, text.replace("opz", "ops")), env={}).delivery.admin == "ops"
    for unset in ("  admin: null\n", ""):  # turned off, or the default (a channel named admin, if there is one)
        assert load_config(write(tmp_path, text.replace("  admin: opz\n", unset)), env={}).channels.keys() == {"ops"}


def test_duplicate_source_ids(tmp_path: Path) -> None:
    text = "sources:\n  - {id: a, url: 'https://e.org/1'}\n  - {id: a, url: 'https://e.org/2'}\n"
    [line] = errors_of(write(tmp_path, text))
    assert line.startswith(f"{tmp_path / 'watcher.yaml'}:3: duplicate source id 'a' (first at ")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    [line] = errors_of(write(tmp_path, "database: a.db\ndatabase: b.db\n"))
    assert ":2: duplicate key 'database'" in line


def test_include_adds_sources_and_reports_their_own_lines(tmp_path: Path) -> None:
    write(tmp_path, "sources:\n  - id: x\n    url: https://e.org/x\n    tags: [news]\n", "imported.yaml")
    cfg = load_config(write(tmp_path, "include: [imported.yaml]\nsources:\n  - {id: a, url: 'https://e.org/a'}\n"), env={})
    assert [s.id for s in cfg.sources] == ["a", "x"]
    write(tmp_path, "sources:\n  - id: x\n    url: https://e.org/x\n    colour: red\n", "imported.yaml")
    [line] = errors_of(tmp_path / "watcher.yaml")
    assert line.startswith(f"{tmp_path / 'imported.yaml'}:4: unknown key 'colour'")


def test_missing_include(tmp_path: Path) -> None:
    [line] = errors_of(write(tmp_path, "sources: []\ninclude:\n  - nowhere.yaml\n"))
    assert line.startswith(f"{tmp_path / 'watcher.yaml'}:3: included file nowhere.yaml")


@pytest.mark.parametrize(
    "text,seconds",
    [("90s", 90), ("15m", 900), ("1h30m", 5400), ("2d", 172800), (45, 45), ("1.5h", 5400), ("500ms", 0.5)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "15", "m", "15 minutes", "-5m", "0s", True, "1h foo"])
def test_bad_durations(text: object) -> None:
    # a quoted bare number ("15") is ambiguous (seconds? minutes?), so it is refused
    with pytest.raises(ValueError):
        parse_duration(text)


def test_check_command_prints_one_line_per_error_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - id: a\n    url: https://e.org/a\n    interval: soon\n")
    result = run_cli("check", "--config", str(path))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{path}:4: sources[0].interval: 'soon' is not a duration (write e.g. 90s, 15m, 1h30m, 2d)"
    ]
    assert "Traceback" not in result.stderr + result.stdout


def test_check_ok_and_missing_file(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - id: a\n    url: https://e.org/a\n")
    ok = run_cli("check", "--config", str(path))
    assert ok.returncode == 0 and "ok (1 sources" in ok.stdout
    missing = run_cli("check", "--config", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 1
    assert len(missing.stderr.strip().splitlines()) == 1 and "not found" in missing.stderr


def test_usage_error_is_one_line_exit_1() -> None:
    result = run_watcher("run", "--no-such-flag")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
