"""A response body read in bounded steps: each Content-Encoding undone a piece of at most STEP bytes at
a time, and both the bytes received and the bytes they decode to held under the fetch's cap, so a gzip
or brotli bomb stops at the cap without ever inflating in memory."""

from __future__ import annotations

import zlib
from typing import Iterator

from watcher.errors import FetchError

STEP = 1 << 20  # decode at most this many bytes at a time
GZIP_MAGIC = b"\x1f\x8b"  # how a gzip member starts


def _brotli_bounded() -> bool:
    """Whether the installed brotli can decode in bounded steps (brotli >= 1.2)."""
    try:
        import brotli

        brotli.Decompressor().process(b"", output_buffer_limit=1)
        return True
    except (ImportError, TypeError, AttributeError):
        return False
    except Exception:  # brotli.error on empty input is fine: the keyword is understood
        return True


BROTLI = _brotli_bounded()
ACCEPT_ENCODING = "gzip, deflate, br" if BROTLI else "gzip, deflate"


class Decoder:
    """Undoes one Content-Encoding, yielding pieces of at most STEP bytes (never a whole bomb at once)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._brotli = None
        self._raw_deflate_tried = False
        self._ended = False  # the gzip stream ended before the body did: the rest is ignored
        if encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        elif encoding == "br" and BROTLI:
            import brotli

            self._brotli = brotli.Decompressor()
        else:
            raise ValueError(f"unsupported content encoding '{encoding}'")

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._ended:
            return
        if self._brotli is not None:
            out = self._brotli.process(data, output_buffer_limit=STEP)
            while True:
                if out:
                    yield out
                if self._brotli.can_accept_more_data():
                    return
                out = self._brotli.process(b"", output_buffer_limit=STEP)
        while True:
            try:
                out = self._z.decompress(data, STEP)
            except zlib.error:
                if self.encoding == "deflate" and not self._raw_deflate_tried:
                    # some servers send raw deflate without the zlib header
                    self._raw_deflate_tried = True
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise
            self._raw_deflate_tried = True
            if out:
                yield out
            if self._z.eof and self._z.unused_data and self.encoding != "deflate":
                data = self._z.unused_data  # a gzip file of several members, or bytes after its end
                if not GZIP_MAGIC.startswith(data[:2]):  # zero padding, a stray CRLF: ignored, as curl and
                    self._ended = True  # browsers ignore them (it failed the whole response)
                    return
                self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
                continue
            data = self._z.unconsumed_tail
            if not data and len(out) < STEP:
                return

    def flush(self) -> bytes:
        return b"" if self._brotli is not None else self._z.flush()


class Body:
    """The decoded body of one response, capped on received and on decoded bytes."""

    def __init__(self, url: str, content_encoding: str, cap: int) -> None:
        self.url = url
        self.cap = cap
        self.received = 0
        self.size = 0
        self.chunks: list[bytes] = []
        names = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
        names = [n for n in names if n != "identity"]
        try:
            self._decoders = [Decoder(n) for n in reversed(names)]  # the last applied is undone first
        except ValueError as e:
            raise FetchError(url, "decode", str(e)) from None

    def add(self, raw: bytes) -> None:
        self.received += len(raw)
        if self.received > self.cap:
            raise FetchError(self.url, "too_large", f"response exceeds the {self.cap}-byte cap")
        self._push(0, raw)

    def finish(self) -> bytes:
        for i, d in enumerate(self._decoders):
            tail = d.flush()
            if tail:
                self._push(i + 1, tail)
        return b"".join(self.chunks)

    def _push(self, level: int, data: bytes) -> None:
        if level == len(self._decoders):
            self.size += len(data)
            if self.size > self.cap:
                raise FetchError(self.url, "too_large", f"response exceeds the {self.cap}-byte cap (decoded)")
            self.chunks.append(data)
            return
        try:
            for piece in self._decoders[level].feed(data):
                self._push(level + 1, piece)
        except FetchError:
            raise
        except Exception as e:  # zlib.error, brotli.error
            raise FetchError(self.url, "decode", f"bad content encoding: {e}") from None
