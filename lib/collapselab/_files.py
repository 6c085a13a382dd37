"""Files written so that they are never half-written, with the permissions the user's umask gives:
the one way the library writes a file it keeps (cache entries, downloads, result sets, markers)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: str | Path, raw: bytes) -> Path:
    """Write ``raw`` to ``path`` so that ``path`` is never half-written: into a temporary file beside
    it (``.<name>.<random>.tmp``), flushed to disk, then renamed over ``path``. The file gets the
    permissions a new file of this user gets (0666 less the umask). On any error the temporary file
    is removed and the error raised; ``path`` is untouched."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes it private (0600); a cache is meant to be shared
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def current_umask() -> int:
    """This process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
