"""A small, safe cache for trained artifacts under ``data/cache/``.

Files are keyed by their configuration: ``<name>-<12 hex digits of sha256(config)>.pt``, so a changed
setting never loads a stale model. Each file holds a checksum line and a ``torch.save`` payload of
tensors and plain data (state dicts, metric dicts, lists): no pickled model objects.

* **Atomic writes**: written to a temporary file in the same folder, flushed to disk, then renamed
  over the target, so a crash never leaves a half-written cache file under the real name.
* **Safe loads**: the checksum is verified first, then ``torch.load(weights_only=True)`` reads the
  payload; arbitrary pickled code is refused.
* **Corrupt files are rebuilt**: a file that is truncated, altered or unreadable raises
  :class:`CorruptCacheError` from :func:`load`; :func:`load_or_build` warns, deletes it and rebuilds.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable

from .data import DATA_ROOT

#: bump when the file layout changes, so old files are never misread
FORMAT = "collapselab-cache-v1"
_MAGIC = FORMAT.encode() + b"\n"


class CorruptCacheError(RuntimeError):
    """A cache file failed its checksum or could not be read safely."""


def cache_dir(root: str | Path | None = None) -> Path:
    """The cache folder, ``<data root>/cache`` (created on demand)."""
    return Path(root or DATA_ROOT) / "cache"


def config_key(config: dict) -> str:
    """12 hex digits identifying ``config`` (a JSON-serialisable dict; key order does not matter)."""
    try:
        text = json.dumps(config, sort_keys=True)
    except TypeError as exc:
        raise ValueError(f"a cache configuration must be JSON-serialisable: {exc}") from None
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def path_for(name: str, config: dict, root: str | Path | None = None) -> Path:
    """Where the artifact ``name`` with configuration ``config`` lives."""
    return cache_dir(root) / f"{name}-{config_key(config)}.pt"


def save(path: str | Path, payload: Any) -> Path:
    """Write ``payload`` (tensors, numbers, strings, lists, dicts) to ``path`` atomically, with a checksum."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    body = buffer.getvalue()
    digest = hashlib.sha256(body).hexdigest().encode() + b"\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + digest + body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(path: str | Path) -> Any:
    """Read a cache file written by :func:`save`.

    Raises:
        FileNotFoundError: no such file.
        CorruptCacheError: wrong header, checksum mismatch, or a payload that ``weights_only`` refuses.
    """
    import torch

    raw = Path(path).read_bytes()
    if not raw.startswith(_MAGIC):
        raise CorruptCacheError(f"{Path(path).name}: not a {FORMAT} file")
    rest = raw[len(_MAGIC):]
    digest, _, body = rest.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        raise CorruptCacheError(f"{Path(path).name}: checksum mismatch (truncated or altered)")
    try:
        return torch.load(io.BytesIO(body), weights_only=True, map_location="cpu")
    except Exception as exc:  # an unsafe or unreadable payload
        raise CorruptCacheError(f"{Path(path).name}: cannot be loaded safely ({exc})") from None


def load_or_build(name: str, config: dict, build: Callable[[], Any], *, root: str | Path | None = None) -> Any:
    """Return the cached artifact for ``(name, config)``, building and saving it when it is missing
    or corrupt. ``build()`` must return a payload :func:`save` can write."""
    path = path_for(name, config, root)
    if path.exists():
        try:
            return load(path)
        except CorruptCacheError as exc:
            warnings.warn(f"cache: {exc}; rebuilding it", stacklevel=2)
            path.unlink(missing_ok=True)
    payload = build()
    save(path, payload)
    return payload
