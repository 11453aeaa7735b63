"""Matching cost of 1 rule against 1,000 rules, on the same 200 articles, in one run.

Articles: the hand-made bodies of the article-extraction benchmark (181) plus
the bundled demo and test outlets, cycled to 200. Rules: one realistic rule
(keywords + quoted speaker + number threshold) against 1,000 generated rules
mixing keywords, all_keywords, phrases, speakers and numbers drawn from the
articles' own vocabulary, so a realistic share of them fire. Target: 1,000
rules cost at most 5x one rule.

    python benchmarks/rules.py [--data DIR] [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "article-extraction-benchmark"

ONE_RULE = {
    "id": "official-quoted-number",
    "title": "An official quoted with a large number",
    "match": {"all": [
        {"keywords": ["migrants", "new citizens", "naturalized", "refugees"]},
        {"speaker": {"name": "Anton Veretsky", "aliases": ["Veretsky", "Veretskiy"]}},
        {"number": {"gte": 15000, "near": ["front", "sent"], "window": 25}},
    ]},
}


def load_articles(data: Path) -> list[tuple[str, str]]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    texts = [("", v["articleBody"]) for v in truth.values()]
    from watcher.extract.body import extract_article

    for folder in (ROOT / "watcher/demo/outlets", ROOT / "tests/fixtures/outlets"):
        for page in sorted(folder.rglob("*.html")):
            got = extract_article(page.read_bytes())
            if got:
                texts.append((got.title or "", got.text))
    return [texts[i % len(texts)] for i in range(200)]


def generate_rules(articles: list[tuple[str, str]], n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    words = Counter(w.lower() for _, body in articles for w in re.findall(r"[A-Za-z]{4,}", body))
    # topical words, past the 1,500 most frequent ("said", "year", "people"); a
    # rule of bare keywords uses rarer ones, as a watch list of names and places does.
    # Printed below: how many rules fire per article (a usable rule set: a few).
    common = [w for w, _ in words.most_common(12000)[1500:]]
    rare = [w for w, _ in words.most_common(20000)[4000:]]
    names = sorted({m for _, body in articles for m in re.findall(r"\b[A-Z][a-z]+ [A-Z][a-z]{3,}\b", body)})
    rules = []
    for i in range(n):
        kind = i % 5
        kw = rng.sample(common, 4)
        if kind == 0:
            match = {"keywords": rng.sample(rare, 3)}
        elif kind == 1:
            match = {"all_keywords": kw[:2]}
        elif kind == 2:
            match = {"all": [{"keywords": kw}, {"speaker": {"name": rng.choice(names)}}]}
        elif kind == 3:
            match = {"all": [{"keywords": kw[:3]}, {"number": {"gte": rng.choice([10, 100, 1000, 15000]), "near": kw[3:]}}]}
        else:
            match = {"any": [{"keywords": [" ".join(rng.sample(common, 2))]}, {"all_keywords": kw[:2]}],
                     "not": [{"keywords": [rng.choice(common)]}]}
        rules.append({"id": f"r{i}", "title": f"Rule {i}", "match": match})
    return rules


def compile_rules(rules: list[dict], folder: Path):  # type: ignore[no-untyped-def]
    from watcher.rules.load import load_rules

    path = folder / "rules.json"
    path.write_text(json.dumps({"rules": rules}), encoding="utf-8")
    return load_rules(path)


def time_matching(ruleset, articles) -> tuple[float, int, float]:  # type: ignore[no-untyped-def]
    """(wall seconds, rules fired, CPU seconds of this process) for matching every article."""
    from watcher.match.article import ArticleText

    fired = 0
    start, cpu = time.perf_counter(), time.process_time()
    for title, body in articles:
        fired += len(ruleset.match(ArticleText(title=title, body=body)))
    return time.perf_counter() - start, fired, time.process_time() - cpu


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if not (args.data / "ground-truth.json").exists():
        print(f"skipped: benchmark data not found at {args.data}")
        return
    articles = load_articles(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        one = compile_rules([ONE_RULE], Path(tmp))
        many = compile_rules([ONE_RULE] + generate_rules(articles, 999), Path(tmp))
    time_matching(one, articles[:5])  # warm caches and imports
    t1, t1000, c1, c1000 = [], [], [], []
    for _ in range(args.runs):
        t, fired1, c = time_matching(one, articles)
        t1.append(t)
        c1.append(c)
        t, fired1000, c = time_matching(many, articles)
        t1000.append(t)
        c1000.append(c)
    a, b = statistics.median(t1), statistics.median(t1000)
    words = sum(len(body.split()) for _, body in articles)
    print(f"articles: {len(articles)} ({words // len(articles)} words on average), runs: {args.runs} (medians)")
    print(f"1 rule:      {a * 1000:7.1f} ms  ({a / len(articles) * 1000:.2f} ms/article), {fired1} matches")
    print(f"1,000 rules: {b * 1000:7.1f} ms  ({b / len(articles) * 1000:.2f} ms/article), {fired1000} matches "
          f"({fired1000 / len(articles):.1f} rules fire per article, {fired1000 / len(articles) / 10:.2f}% of rules)")
    paired = statistics.median(y / x for x, y in zip(t1, t1000))
    print(f"ratio 1,000 rules / 1 rule: {b / a:.2f} (ratio of medians), {paired:.2f} (median of per-run ratios)  (target <= 5)")
    print(f"throughput with 1,000 rules: {len(articles) / b:.0f} articles/s on one core  (target >= 200)")
    ca, cb = statistics.median(c1), statistics.median(c1000)
    print(f"CPU time (this process): 1 rule {ca * 1000:.1f} ms, 1,000 rules {cb * 1000:.1f} ms, ratio {cb / ca:.2f}, "
          f"{len(articles) / cb:.0f} articles/s of CPU; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(wall-clock figures above slow down on a busy machine)")


if __name__ == "__main__":
    main()
