"""Handing freed heap memory back to the system after a big document.

Reading a multi-MB page or feed allocates and frees tens of MB (bytes, decoded
text, lxml trees). glibc keeps freed memory in the arena that served it (one per
thread that allocates, parser threads included) and returns it to the system
only from the top of a heap, so the daemon's RSS ratchets up with every big
document although the Python objects are gone (tracemalloc stays flat).
`malloc_trim(0)` walks every arena and releases its whole free pages, and a
fixed mmap threshold keeps the biggest blocks out of the heaps altogether. Off
glibc (musl, macOS) both are no-ops.
"""

from __future__ import annotations

import ctypes
import os
from typing import Callable

BIG_DOCUMENT = 1 << 20  # bytes; a smaller document leaves too little behind to be worth a trim


M_MMAP_THRESHOLD = -3  # mallopt parameter (glibc malloc.h)


def _glibc(name: str, *argtypes: type) -> Callable[..., int] | None:
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
        fn = getattr(ctypes.CDLL(None), name)
    except (AttributeError, OSError, ValueError):
        return None
    fn.argtypes = list(argtypes)
    fn.restype = ctypes.c_int
    return fn


_TRIM = _glibc("malloc_trim", ctypes.c_size_t)
_MALLOPT = _glibc("mallopt", ctypes.c_int, ctypes.c_int)


def big_blocks_mapped() -> bool:
    """Every block of BIG_DOCUMENT bytes or more gets pages of its own, returned to the system when freed.
    glibc's default threshold starts at 128 kB but rises to the size of each mapped block freed (up to 32 MB),
    so after the first big document the next ones' bytes and text land in the heap and fragment it. Call once,
    before threads start (True if set)."""
    return _MALLOPT is not None and _MALLOPT(M_MMAP_THRESHOLD, BIG_DOCUMENT) == 1


def release_after(size: int) -> bool:
    """After a document of `size` bytes has been read and dropped: give the heap's free pages back (True if done)."""
    if _TRIM is None or size < BIG_DOCUMENT:
        return False
    _TRIM(0)
    return True


__all__ = ["BIG_DOCUMENT", "big_blocks_mapped", "release_after"]
