"""Every field `extract_article` returns on every page of both extraction sets, saved or compared.

A speed change to the extraction must leave its output byte-identical (or
say which pages differ and why): save the outputs before the change, then
compare after it. Each page is read twice, without a URL and with the one
its ground truth gives (the daemon passes the page URL), dates included.

    python benchmarks/extraction_outputs.py save before.json
    python benchmarks/extraction_outputs.py compare before.json
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
SETS = [SHARED_DATA / "article-extraction-benchmark", SHARED_DATA / "extraction-dev"]

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def outputs(sets: list[Path]) -> dict[str, object]:
    from watcher.extract.body import extract_article

    found: dict[str, object] = {}
    for data in sets:
        if not (data / "ground-truth.json").is_file():
            print(f"skipped: data not found at {data}")
            continue
        ground = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
        for key, item in ground.items():
            html = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
            for url in dict.fromkeys((None, item.get("url") or None)):  # once when there is no URL
                doc = extract_article(html, url)
                found[f"{data.name}/{key}/{url or '-'}"] = dataclasses.asdict(doc) if doc else None
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["save", "compare"])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    now = outputs(SETS)
    if args.action == "save":
        args.file.write_text(json.dumps(now, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        print(f"saved {len(now)} outputs to {args.file}")
        return 0
    before = json.loads(args.file.read_text(encoding="utf-8"))
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for key in differ:
        b, n = before.get(key) or {}, now.get(key) or {}
        fields = sorted(f for f in b.keys() | n.keys() if b.get(f) != n.get(f)) or ["None vs value"]
        print(f"  differs: {key}: {', '.join(fields)}")
    print(f"{len(now)} outputs, {len(differ)} differ from {args.file}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
