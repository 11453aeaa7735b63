"""The `number` condition on real test sentences: accuracy of threshold rules.

Data: ../shared/data/numbers-real (cases.json; see its README for provenance and
scoring). Each case becomes one rule `number: {...}` with the case's sentence as
its only example, loaded through the real rule loader (schema, compile) and
evaluated the way `watcher check` evaluates examples (no article language: the
examples of a rule file have none). A case passes when the rule fires exactly
when the case says it should.

Split: cases of the same input sentence stay together; a stable hash of the
sentence's provenance (file, index) sends even hashes to the tune half, odd ones
to the held-out half. Figures for both halves and the whole set.

    python benchmarks/numbers_real.py [--data DIR] [--show N] [--half tune|held|all] [--libraries]

--libraries scores maintained parsers the same way (each installed one): text2num and
number-parser as a words-to-digits pass before watcher's scanner, quantulum3 on its own
(its quantities' unit entities give the kind), with CPU time per ~1,000 words.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "numbers-real"


def half_of(case: dict) -> str:
    prov = case.get("provenance") or {}
    key = f"{prov.get('file')}#{prov.get('index')}" if prov else case["id"]
    return "tune" if hashlib.sha1(key.encode()).digest()[-1] % 2 == 0 else "held"


def load_cases(data: Path) -> list[dict]:
    return json.loads((data / "cases.json").read_text(encoding="utf-8"))["cases"]


def compile_cases(cases: list[dict]):  # type: ignore[no-untyped-def]
    """One rule per case, with its sentence as the only example, through the real loader."""
    from watcher.rules.load import load_rules

    rules = [
        {"id": c["id"], "title": c["id"], "match": {"number": c["number"]},
         "examples": [{"text": c["text"], "fires": c["fires"]}]}
        for c in cases
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "numbers-real.json"
        path.write_text(json.dumps({"rules": rules}), encoding="utf-8")
        return load_rules(path)


def evaluate(cases: list[dict]) -> tuple[dict[str, bool], dict[str, str], float]:
    """case id -> passed, case id -> what was found, and the seconds spent matching."""
    from watcher.match.article import ArticleText, Prepared

    ruleset = compile_cases(cases)
    passed: dict[str, bool] = {}
    found: dict[str, str] = {}
    start = time.perf_counter()
    for rule in ruleset.rules:
        ex = rule.examples[0]
        outcome = rule.evaluate(Prepared(ArticleText(title=ex.title, body=ex.text)))
        passed[rule.id] = outcome.holds == ex.fires
        if outcome.evidence:
            found[rule.id] = "; ".join(f"'{e.matched}'={e.value:g}" for e in outcome.evidence[:3])
    return passed, found, time.perf_counter() - start


def _rate(ok: int, n: int) -> str:
    return f"{ok / n:.3f} ({ok}/{n})" if n else "-"


def report(name: str, cases: list[dict], passed: dict[str, bool]) -> None:
    fire = [c for c in cases if c["fires"]]
    nofire = [c for c in cases if not c["fires"]]
    ok = sum(passed[c["id"]] for c in cases)
    print(f"\n== {name}: {len(cases)} cases")
    print(f"accuracy {_rate(ok, len(cases))}   should fire {_rate(sum(passed[c['id']] for c in fire), len(fire))}"
          f"   should not {_rate(sum(passed[c['id']] for c in nofire), len(nofire))}")


def by_kind(cases: list[dict], passed: dict[str, bool]) -> None:
    groups: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for c in cases:
        groups[(c["category"], c["check"])].append(passed[c["id"]])
    print("\nfailures by kind (category / check: failed of cases):")
    for (cat, check), res in sorted(groups.items(), key=lambda kv: (-kv[1].count(False), kv[0])):
        if res.count(False):
            print(f"  {res.count(False):4d} of {len(res):4d}  {cat} / {check}")


def show_failures(cases: list[dict], passed: dict[str, bool], found: dict[str, str], n: int) -> None:
    from watcher.match.numbers import find_quantities

    bad = [c for c in cases if not passed[c["id"]]]
    print(f"\nfirst {min(n, len(bad))} failures:")
    for c in bad[:n]:
        rule = json.dumps(c["number"])
        if c["fires"]:
            qs = ", ".join(f"'{q.text}'={q.kind}:{q.low:g}..{q.high:g}" for q in find_quantities(c["text"]))
            got = f"read: {qs or 'nothing'}"
        else:
            got = f"fired on {found.get(c['id'], '?')}"
        print(f"  [{c['check']}] {c['text'][:110]!r}\n      want '{c['expected']}'={c['value']}  rule {rule}  {got}")


# --------------------------------------------------------------------------- libraries side by side


def _hand(text: str) -> str:
    return text


def _library_readers() -> dict[str, object]:
    """What each installed library makes of a sentence: a text for our scanner, or its own quantities."""
    readers: dict[str, object] = {"hand code (watcher)": _hand}
    try:
        from text_to_num import alpha2digit

        readers["text2num words->digits, then watcher"] = lambda t: alpha2digit(t, "en")
    except ImportError:
        pass
    try:
        from number_parser import parse

        readers["number-parser words->digits, then watcher"] = parse
    except ImportError:
        pass
    try:
        import warnings

        warnings.filterwarnings("ignore", module="quantulum3")
        from quantulum3 import parser as q3

        readers["quantulum3 alone"] = q3
    except ImportError:
        pass
    return readers


def _q3_quantities(q3, text: str):  # type: ignore[no-untyped-def]
    """quantulum3's quantities as watcher's, kinds from its unit entities (its values are floats, as it gives them)."""
    from decimal import Decimal

    from watcher.match.numbers import Quantity

    out = []
    for q in q3.parse(text):
        entity, unit = q.unit.entity.name, q.unit.name
        kind = ("money" if entity == "currency" else "percent" if unit == "percentage"
                else "count" if entity == "dimensionless" else "measure")
        v = Decimal(repr(float(q.value)))
        out.append(Quantity(v, v, kind, None, q.span[0], q.span[1], q.surface))
    return out


def compare_libraries(cases: list[dict]) -> None:
    """Accuracy of each reader on both halves, and its time on ~1,000-word texts."""
    from watcher.match.number.compare import _kind_ok, _passes
    from watcher.match.numbers import NumberTest, match_number

    texts = sorted({c["text"] for c in cases})
    chunks, cur = [], []
    for t in texts:
        cur.append(t if t.rstrip().endswith((".", "?", "!")) else t + ".")
        if sum(len(x.split()) for x in cur) >= 1000:
            chunks.append(" ".join(cur))
            cur = []
    print(f"\n== libraries side by side ({len(chunks)} texts of ~1,000 words for speed)")
    for name, reader in _library_readers().items():
        ok = {"tune": [0, 0], "held": [0, 0]}
        for c in cases:
            bounds = {k: v for k, v in c["number"].items() if k in ("gt", "gte", "lt", "lte", "unit")}
            test = NumberTest(**bounds)
            if callable(reader):
                fired = bool(match_number(reader(c["text"]), test))
            else:
                fired = any(_kind_ok(q.kind, test.unit) and _passes(q, test) for q in _q3_quantities(reader, c["text"]))
            h = ok[half_of(c)]
            h[0] += fired == c["fires"]
            h[1] += 1
        from watcher.match.number.scan import _scan

        def read(chunk: str) -> None:
            _scan.__wrapped__(reader(chunk)) if callable(reader) else reader.parse(chunk)

        read(chunks[0] if chunks else "")  # warm up: imports, caches, lazily built tables
        start = time.process_time()
        for chunk in chunks:
            read(chunk)
        ms = (time.process_time() - start) / max(1, len(chunks)) * 1000
        print(f"  {name:45s} tune {ok['tune'][0] / ok['tune'][1]:.3f}  held-out {ok['held'][0] / ok['held'][1]:.3f}"
              f"  {ms:7.1f} ms CPU per 1,000 words")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", type=int, default=0, help="print the first N failures")
    parser.add_argument("--half", choices=("tune", "held", "all"), default="tune",
                        help="which half's failures to print (default: tune)")
    parser.add_argument("--libraries", action="store_true",
                        help="also score text2num, number-parser and quantulum3 (those installed) the same way")
    args = parser.parse_args()
    if not (args.data / "cases.json").exists():
        print(f"skipped: numbers-real data not found at {args.data}")
        return
    cases = load_cases(args.data)
    passed, found, seconds = evaluate(cases)
    halves = {"tune": [c for c in cases if half_of(c) == "tune"], "held": [c for c in cases if half_of(c) == "held"]}
    report("all", cases, passed)
    report("tune half", halves["tune"], passed)
    report("held-out half", halves["held"], passed)
    shown = cases if args.half == "all" else halves[args.half]
    by_kind(shown, passed)
    checks = Counter((c["check"], passed[c["id"]]) for c in cases)
    print("\nby check (all): " + ", ".join(
        f"{k} {_rate(checks[(k, True)], checks[(k, True)] + checks[(k, False)])}"
        for k in sorted({c["check"] for c in cases})))
    print(f"\nmatching time: {seconds * 1000:.0f} ms for {len(cases)} cases")
    if args.show:
        show_failures(shown, passed, found, args.show)
    if args.libraries:
        compare_libraries(cases)


if __name__ == "__main__":
    main()
