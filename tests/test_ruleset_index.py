"""The rule index only skips rules that cannot fire: same results as testing every rule."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from watcher.extract.body import extract_article
from watcher.match.article import ArticleText, Prepared
from watcher.rules.load import load_rules

OUTLETS = [Path(__file__).parent / "fixtures/outlets", Path(__file__).parents[1] / "watcher/demo/outlets"]


def articles() -> list[ArticleText]:
    out = []
    for folder in OUTLETS:
        for page in sorted(folder.rglob("*.html")):
            got = extract_article(page.read_bytes())
            if got:
                out.append(ArticleText(got.title or "", got.text, language=got.language))
    return out


def test_indexed_matching_equals_testing_every_rule(tmp_path: Path) -> None:
    texts = articles()
    assert len(texts) >= 15
    rng = random.Random(3)
    vocab = sorted({w.lower() for a in texts for w in re.findall(r"[A-Za-z]{4,}", a.body)})
    names = sorted({m for a in texts for m in re.findall(r"\b[A-Z][a-z]+ [A-Z][a-z]{3,}\b", a.body)})
    rules = []
    for i in range(300):
        kw = rng.sample(vocab, 3)
        kind = i % 6
        match = [
            {"keywords": kw},
            {"all_keywords": kw[:2]},
            {"all": [{"keywords": kw}, {"speaker": {"name": rng.choice(names)}}]},
            {"all": [{"keywords": kw[:2]}, {"number": {"gte": rng.choice([1, 100, 5000]), "near": kw[2:]}}]},
            {"any": [{"keywords": [" ".join(kw[:2])]}, {"all_keywords": kw[1:]}], "not": [{"keywords": kw[0]}]},
            {"all": [{"keywords": kw[:1]}, {"number": {"gte": 10}}], "language": ["en"]},
        ][kind]
        rules.append({"id": f"r{i}", "title": f"R{i}", "match": match})
    (tmp_path / "rules.json").write_text(json.dumps({"rules": rules}))
    ruleset = load_rules(tmp_path / "rules.json")
    total = 0
    for text in texts:
        indexed = sorted(m.rule.id for m in ruleset.match(text))
        prepared = Prepared(text)
        brute = sorted(r.id for r in ruleset.rules if r.evaluate(prepared).holds)
        assert indexed == brute
        total += len(brute)
    assert total > 20, "the generated rules fire often enough for the comparison to mean something"
