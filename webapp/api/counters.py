"""Fixed-window request counters shared by every server process on this host.

One small file per counted client under a folder (``settings.CODELISTS_RATE_DIR``),
holding the end of the current window and the requests counted in it.  A request takes
its number under an exclusive ``flock`` on that file, so the read, the check and the
write are one step for every gunicorn worker alike: of M simultaneous requests over a
limit of N, exactly N are allowed.  Nothing is written to the site's database, so a
long write there (a large deposit saving) never holds up API reads.

A window starts at a client's first request and lasts the rate's period; requests
refused over the limit are not counted.  Files of clients unseen for a day are pruned
(under the same lock, at most once an hour).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import struct
import time
from pathlib import Path

#: window end (seconds since the epoch), requests counted in the window
_RECORD = struct.Struct("<dQ")
#: a counter file untouched this long has certainly ended its window (rates are N/day at most)
STALE_SECONDS = 86_400 + 60
PRUNE_EVERY_SECONDS = 3_600
_MARKER = ".pruned"
_ready: set[str] = set()


def take(folder: Path | str, key: str, limit: int, window: float) -> float | None:
    """Count one request of ``key`` against ``limit`` per ``window`` seconds.

    None when the request is allowed (and counted); otherwise the seconds until the
    window ends (the request is not counted)."""
    folder = str(folder)
    if folder not in _ready:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        _ready.add(folder)
    path = os.path.join(folder, hashlib.sha256(key.encode("utf-8", "replace")).hexdigest())
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            info = os.fstat(fd)
            if info.st_nlink == 0:  # pruned between our open and our lock: open anew
                continue
            wait = _count(fd, limit, window)
            fresh = info.st_size == 0
        finally:
            os.close(fd)  # releases the lock
        if fresh:
            _maybe_prune(folder)
        return wait


def _count(fd: int, limit: int, window: float) -> float | None:
    data = os.pread(fd, _RECORD.size, 0)
    ends, count = _RECORD.unpack(data) if len(data) == _RECORD.size else (0.0, 0)
    now = time.time()
    if ends <= now or ends > now + window:  # over, or a clock that went back
        ends, count = now + window, 0
    if count >= limit:
        return ends - now
    os.pwrite(fd, _RECORD.pack(ends, count + 1), 0)
    return None


def _maybe_prune(folder: str) -> None:
    marker = os.path.join(folder, _MARKER)
    try:
        if time.time() - os.stat(marker).st_mtime < PRUNE_EVERY_SECONDS:
            return
    except FileNotFoundError:
        pass
    Path(marker).touch()
    prune(folder)


def prune(folder: Path | str, *, older_than: float = STALE_SECONDS) -> int:
    """Remove counter files untouched for ``older_than`` seconds; how many went."""
    removed = 0
    cutoff = time.time() - older_than
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") or entry.stat().st_mtime >= cutoff:
                continue
            try:
                fd = os.open(entry.path, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if os.fstat(fd).st_nlink and os.fstat(fd).st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
            finally:
                os.close(fd)
    return removed
