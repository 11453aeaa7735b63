"""Extract stage: article body and metadata from a fetched page.

`body.extract_article` is pure (bytes in, value out); `pool.Extractor` runs it
in worker processes with a per-document time limit. Nothing is imported here:
trafilatura loads in the workers' fork server (`watcher.extract.warmup`), started
with the first page to extract.
"""
