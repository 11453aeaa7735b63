"""Giving a big document's freed heap back to the system (glibc), a no-op elsewhere."""

import os

from watcher.run.memory import BIG_DOCUMENT, big_blocks_mapped, release_after


def _glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError):
        return False


def test_trim_only_after_a_big_document():
    assert release_after(BIG_DOCUMENT - 1) is False, "a small document must not cost a trim"
    assert release_after(BIG_DOCUMENT) is _glibc(), "malloc_trim runs on glibc after a big document, nowhere else"


def test_big_blocks_get_pages_of_their_own_on_glibc():
    assert big_blocks_mapped() is _glibc()


def test_freed_big_document_leaves_the_heap_after_a_trim():
    if not _glibc():
        return

    def rss_kb() -> int:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    before = rss_kb()
    # many mid-sized strings, as a parsed document leaves behind: heap blocks, not mapped ones
    parts = [bytes([i % 251]) * 4000 + str(i).encode() for i in range(20_000)]
    pin = b"x" * 60_000 + b"pin"  # a live block above them: the heap's top cannot simply shrink
    grown = rss_kb()
    del parts
    release_after(BIG_DOCUMENT)
    after = rss_kb()
    assert grown - before > 40_000, f"the test allocation did not show in RSS ({before} -> {grown} kB)"
    assert after - before < (grown - before) / 2, f"RSS {before} -> {grown} -> {after} kB: the trim gave back too little"
    assert pin.endswith(b"pin")
