"""Extract stage: article body and metadata from a fetched page.

`body.extract_article` is pure (bytes in, value out); `pool.Extractor` runs it
in worker processes with a per-document time limit.
"""

from watcher.extract.body import Extracted, extract_article

__all__ = ["Extracted", "extract_article"]
