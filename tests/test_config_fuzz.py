"""No traceback for any config or rule file: generated wrong-type variants (fixed seed) through `watcher check`.

Each variant is a valid config, include file or rule file with one thing made wrong: a value of the
wrong type anywhere (strings for lists, lists for strings, numbers for maps, timestamps, NaN, 5,000
characters, control characters...), a YAML tag (`!!python/object`...), 1,000-deep nesting, bytes that
are not UTF-8, a raw control character, an undefined alias, a duplicate key. `check` must answer each
with exit 1 (or 0 when the value happens to be valid there) and one `file:line: message` line per
problem, never a traceback. They run through `watcher.cli.main`, the command's own entry point, on real
files; a sample also runs as a real subprocess and must print the same.
"""

from __future__ import annotations

import copy
import functools
import io
import logging
import random
import re
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tests.conftest import run_watcher

SEED = 20261201

CONFIG: dict[str, Any] = {
    "database": "data/watcher.db",
    "rules": "rules/",
    "include": ["more.yaml"],
    "defaults": {"interval": "15m", "timeout": "20s", "adaptive": False, "min_interval": "5m", "max_interval": "6h"},
    "sources": [
        {"id": "harbour", "url": "https://news.example/harbour/feed.xml", "type": "feed", "name": "Harbour Gazette",
         "interval": "10m", "timeout": "20s", "tags": ["ports"], "baseline": True, "adaptive": False},
        {"id": "council", "url": "https://council.example/press/", "type": "page", "tags": ["local", "ports"]},
    ],
    "http": {"allow_private": False, "user_agent": "watcher-test", "max_bytes": "10MB", "max_redirects": 10,
             "concurrency": 16, "per_host": 2, "host_gap": "0s", "moved_after": 3},
    "extract": {"workers": 2, "timeout": "30s"},
    "channels": {
        "desk": {"urls": ["json://127.0.0.1:9/desk"], "pace": "1s", "template": "{{ title }}", "format": "markdown"},
        "morning": {"urls": ["json://127.0.0.1:9/morning"], "digest": "daily 08:00"},
    },
    "delivery": {"retry": "30s", "max_retry": "1h", "max_age": "1d", "admin": "desk", "source_failing_after": "6h"},
    "server": {"listen": "127.0.0.1:8080"},
    "retention": {"bodies": "90d", "vacuum": "weekly"},
    "stories": {"window": "3d", "updates_digest": "hourly"},
}

INCLUDED: dict[str, Any] = {"sources": [{"id": "ferry", "url": "https://ferry.example/rss", "tags": ["ports"]}]}

RULES: dict[str, Any] = {"rules": [
    {"id": "harbour-cranes", "title": "Harbour cranes", "sources": {"tags": ["ports"]}, "notify": ["desk"],
     "once_per": "story", "updates": "silent", "enabled": True, "template": "{{ title }}",
     "match": {"all": [
         {"keywords": ["harbour", "port"], "in": ["title", "body"]},
         {"any": [{"regex": ["cranes?"]}, {"speaker": {"name": "Ingrid Solberg", "aliases": ["Solberg"]}}]},
         {"not": [{"keywords": ["football"]}]},
     ]},
     "examples": [{"title": "Harbour crane", "text": "A new crane arrived at the harbour.", "fires": True},
                  {"text": "The football club won at the harbour.", "fires": False}]},
    {"id": "big-money", "title": "Big money", "sources": ["harbour", "ferry"], "notify": "morning",
     "match": {"number": {"gte": 1000000, "near": ["euros"], "window": 25, "same_sentence": True, "unit": "money"},
               "language": ["en"]}},
]}

WRONG: list[Any] = [
    "a string", "", 12, -7, 0, 3.5, float("nan"), float("inf"), True, None, [], ["x", 2], [[1, [2]]], {},
    {"k": "v"}, {"k": {"k": [1]}}, date(2024, 1, 1), datetime(2024, 1, 1, 10, 0, tzinfo=timezone.utc), 10**30,
    "x" * 5000, "line one\nline two", "tab\there", "ctl\x01\x1b\x7f", "${NOT_SET_ANYWHERE}", "?", "~", "🙂" * 8,
    "../../../etc/passwd", "nul\x00byte", 10**400,
]
TAGS = ["!!python/object:os.system {}", "!!python/name:os.system", "!!python/object/apply:os.system ['true']",
        "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!!timestamp not-a-date", "!!int twelve",
        "!!float x", "!ruby/object {}", "!custom value", "!!str", "!!map [1, 2]", "!!seq {a: 1}"]
CONTROL = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x80", "\x9f", "\ufffe"]
NOT_UTF8 = [b"\xff", b"\xc3\x28", b"caf\xe9", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]


@dataclass
class Variant:
    name: str
    target: str  # config | include | rules
    data: bytes
    must_fail: bool  # certain to be a mistake (else it may happen to be valid)
    line: int | None = None  # the line the error must name, when known


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, prefix + (i,))


def replaced(doc: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    doc = copy.deepcopy(doc)
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    parent[path[-1]] = new
    return doc


def renamed(doc: Any, path: tuple[Any, ...], key: Any) -> Any:
    doc = copy.deepcopy(doc)
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    parent[key] = parent.pop(path[-1])
    return doc


def dump(doc: Any) -> bytes:
    # libyaml writes the same text 5x faster (every xdist worker builds the variants), but escapes characters
    # beyond the BMP: those documents go through the pure-Python emitter
    astral = any(ord(c) > 0xFFFF for c in repr(doc))
    dumper = yaml.SafeDumper if astral else getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True, width=4096).encode("utf-8")


def _wrong_for(base: Any, new: Any) -> bool:
    """True when `new` cannot be valid where `base` stood (some others happen to be: `server: null`, `notify: x`)."""
    if isinstance(base, (dict, list)):
        return isinstance(new, (int, float, date))  # numbers and timestamps for maps and lists
    return isinstance(new, (dict, list)) and bool(new)  # a map or a list for a plain value


def variants() -> list[Variant]:
    rnd = random.Random(SEED)
    docs = {"config": CONFIG, "include": INCLUDED, "rules": RULES}
    out: list[Variant] = []
    for target, doc in docs.items():
        all_paths = [p for p in paths(doc) if p]
        base = {p: _get(doc, p) for p in all_paths}
        combos = [(p, w) for p in all_paths for w in range(len(WRONG))]
        for p, w in rnd.sample(combos, min(len(combos), {"config": 300, "include": 40, "rules": 230}[target])):
            new = WRONG[w]
            out.append(Variant(f"{target}:{'.'.join(map(str, p))}={_label(new)}", target, dump(replaced(doc, p, new)),
                               must_fail=_wrong_for(base[p], new)))
        keyed = [p for p in all_paths if isinstance(p[-1], str)]
        for p in rnd.sample(keyed, min(len(keyed), 12)):
            out.append(Variant(f"{target}:{'.'.join(map(str, p))} renamed", target,
                               dump(renamed(doc, p, rnd.choice(["unknown_key", "Interval", "sorces", 5, True]))),
                               must_fail=True))
        text = dump(doc).decode()
        lines = text.splitlines(keepends=True)
        scalar_lines = [i for i, line in enumerate(lines) if re.search(r": \S", line) and not line.lstrip().startswith("-")]
        for n in range({"config": 10, "include": 3, "rules": 8}[target]):
            i = rnd.choice(scalar_lines)
            key = lines[i].split(": ", 1)[0]
            tagged = lines[:i] + [f"{key}: {TAGS[n % len(TAGS)]}\n"] + lines[i + 1:]
            sure = TAGS[n % len(TAGS)] != "!!str"
            out.append(Variant(f"{target}: tag {TAGS[n % len(TAGS)]} at line {i + 1}", target,
                               "".join(tagged).encode(), sure, i + 1 if sure else None))
        for deep in ("[" * 1000 + "]" * 1000, "{a: " * 1000 + "1" + "}" * 1000, "- " * 1000 + "x"):
            i = rnd.choice(scalar_lines)
            key = lines[i].split(": ", 1)[0]
            nested = lines[:i] + [f"{key}: {deep}\n"] + lines[i + 1:]
            out.append(Variant(f"{target}: 1,000 deep at line {i + 1}", target, "".join(nested).encode(), True, i + 1))
        for n, char in enumerate(CONTROL):
            i = rnd.randrange(len(lines))
            line = lines[i]
            at = rnd.randrange(len(line.rstrip("\n")) + 1)
            spoiled = lines[:i] + [line[:at] + char + line[at:]] + lines[i + 1:]
            out.append(Variant(f"{target}: control {char!r} at line {i + 1}", target,
                               "".join(spoiled).encode("utf-8", "surrogatepass"), True, i + 1))
        for raw in NOT_UTF8:
            i = rnd.randrange(len(lines))
            data = "".join(lines[:i]).encode() + raw + "".join(lines[i:]).encode()
            out.append(Variant(f"{target}: bytes {raw!r} at line {i + 1}", target, data, True, i + 1))
        for i in rnd.sample(scalar_lines, min(3, len(scalar_lines))):
            key = lines[i].split(": ", 1)[0]
            out.append(Variant(f"{target}: undefined alias at line {i + 1}", target,
                               "".join(lines[:i] + [f"{key}: *nowhere\n"] + lines[i + 1:]).encode(), True, i + 1))
        for i in rnd.sample(scalar_lines, min(3, len(scalar_lines))):
            out.append(Variant(f"{target}: duplicate key at line {i + 2}", target,
                               "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:]).encode(), True, i + 2))
        for n, whole in enumerate(["just some words\n", "- a\n- b\n", "42\n", "---\na: 1\n---\nb: 2\n",
                                   "{" * 3, "key: [unclosed\n", "\t- tab\n", "a: &x 1\nb: *x\nc: [*x, *y]\n"]):
            out.append(Variant(f"{target}: whole file {whole[:12]!r}", target, whole.encode(), True))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def _label(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 30 else text[:27] + "..."


def lay_out(folder: Path, variant: Variant) -> dict[str, Path]:
    files = {"config": folder / "watcher.yaml", "include": folder / "more.yaml", "rules": folder / "rules" / "main.yaml"}
    files["rules"].parent.mkdir(parents=True, exist_ok=True)
    for target, doc in (("config", CONFIG), ("include", INCLUDED), ("rules", RULES)):
        files[target].write_bytes(variant.data if target == variant.target else dump(doc))
    return files


def check_in_process(config: Path) -> tuple[int | str, str, str]:
    """`watcher check --config CONFIG` through the command's entry point: (exit code or 'traceback', stdout, stderr)."""
    from watcher.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str = 0
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # the command sets up logging; the test's own stays
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(["check", "--config", str(config)])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:  # what a user would see as a traceback
            code = "traceback"
            err.write(traceback.format_exc())
        finally:
            root.handlers[:], root.level = handlers, level
    return code, out.getvalue(), err.getvalue()


def problems(variant: Variant, files: dict[str, Path], code: int | str, err: str) -> list[str]:
    """What is wrong with one answer (empty when it is right)."""
    found = []
    if code == "traceback" or "Traceback" in err:
        return [f"traceback:\n{err[-1500:]}"]
    if code not in (0, 1):
        found.append(f"exit {code}")
    if variant.must_fail and code != 1:
        found.append("accepted")
    lines = err.splitlines()
    if code == 1 and not lines:
        found.append("exit 1 without a message")
    where = "|".join(re.escape(str(f)) for f in files.values())
    for line in lines:
        m = re.match(rf"^({where}):(\d+): (\S.*)$", line)
        if not m:
            found.append(f"not file:line: {line[:200]!r}")
            continue
        length = files_lines(Path(m.group(1)))
        if not 1 <= int(m.group(2)) <= max(length, 1):
            found.append(f"line {m.group(2)} outside the file ({length} lines): {line[:200]!r}")
        if len(line) > 400:
            found.append(f"a line of {len(line)} characters")
        if code == 0 and not m.group(3).startswith("warning: "):
            found.append(f"exit 0 but {line[:200]!r}")
    if variant.line is not None and code == 1:
        target_file = str(files[variant.target])
        if not any(line.startswith(f"{target_file}:{variant.line}: ") for line in lines):
            found.append(f"expected an error at {target_file}:{variant.line}, got {lines}")
    return found


def files_lines(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


SAMPLES = 6  # variants also checked by a real `watcher check` process, spread over the list


@functools.cache
def all_variants() -> tuple[Variant, ...]:
    """Made when a test first asks (not at collection, which every test worker does)."""
    return tuple(variants())


def test_the_base_files_are_valid(tmp_path: Path) -> None:
    files = lay_out(tmp_path, Variant("base", "config", dump(CONFIG), False))
    code, out, err = check_in_process(files["config"])
    assert code == 0, err
    assert "2 rules, 2 examples pass" in out, out


def test_hundreds_of_broken_files_each_get_file_line_errors_and_never_a_traceback(tmp_path: Path) -> None:
    every = all_variants()
    assert len(every) >= 600, len(every)
    failed: list[str] = []
    refused = 0
    for n, variant in enumerate(every):
        folder = tmp_path / f"v{n}"
        files = lay_out(folder, variant)
        code, _, err = check_in_process(files["config"])
        refused += code == 1
        failed += [f"{variant.name}: {p}" for p in problems(variant, files, code, err)]
    assert not failed, f"{len(failed)} of {len(every)} variants answered wrongly:\n" + "\n".join(failed[:40])
    assert refused >= 0.8 * len(every), f"only {refused} of {len(every)} variants were refused"


@pytest.mark.parametrize("sample", range(SAMPLES))
def test_a_sample_gives_the_same_answer_as_a_real_process(tmp_path: Path, sample: int) -> None:
    every = all_variants()
    variant = every[sample * len(every) // SAMPLES]
    files = lay_out(tmp_path, variant)
    code, out, err = check_in_process(files["config"])
    result = run_watcher("check", "--config", str(files["config"]))
    assert not problems(variant, files, result.returncode, result.stderr), (variant.name, result.stderr[-1500:])
    assert (result.returncode, result.stderr) == (code, err), variant.name


def test_a_control_character_in_a_rule_file_names_its_own_line(tmp_path: Path) -> None:
    files = lay_out(tmp_path, Variant("base", "config", dump(CONFIG), False))
    text = files["rules"].read_text().splitlines(keepends=True)
    text[6] = text[6].replace(":", ":\x01", 1)  # line 7, well past line 1
    files["rules"].write_text("".join(text))
    result = run_watcher("check", "--config", str(files["config"]))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{files['rules']}:7: invalid YAML: character 0x0001 is not allowed (control characters other than tab "
        "and newline)"]
