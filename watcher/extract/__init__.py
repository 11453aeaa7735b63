"""Extract stage: article body and metadata from a fetched page.

`body.extract_article` is pure (bytes in, value out); `pool.Extractor` runs it
in worker processes with a per-document time limit. Nothing is imported here,
so `watcher.extract.warmup` can start the workers before trafilatura loads.
"""
