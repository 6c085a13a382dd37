"""A small, safe cache for trained artifacts under ``<data root>/cache/``.

Files are keyed by their configuration: ``<name>-<12 hex digits of sha256(config)>.pt``, so a changed
setting never loads a stale model. A configuration names *everything* that determines the
artifact, including the data it was built from (e.g. :data:`collapselab.data.FINGERPRINT`). Each
file holds a checksum line and a ``torch.save`` payload of tensors and plain data (state dicts,
metric dicts, lists): no pickled model objects.

* **Only storable payloads are written**: :func:`save` refuses anything that
  ``torch.load(weights_only=True)`` would refuse (a numpy scalar, an arbitrary object), naming
  where in the payload it sits, so a checkpoint is never written that can never be read back.
* **Atomic writes**: written to a temporary file in the same folder, flushed to disk, then renamed
  over the target, so a crash never leaves a half-written cache file under the real name.
* **Safe loads**: the checksum is verified first, then ``torch.load(weights_only=True)`` reads the
  payload; arbitrary pickled code is refused. A path that is not a regular file (a FIFO, a
  folder) raises instead of hanging.
* **Corrupt files are rebuilt**: a file that is truncated, altered or unreadable raises
  :class:`CorruptCacheError` from :func:`load`; :func:`load_or_build` warns, deletes it and rebuilds.
* **A read-only cache still works**: when the cache folder cannot be written, or a file in it
  cannot be read (another user's, say), :func:`load_or_build` warns once and keeps what it built in
  memory for the rest of the session.
* **Shareable**: files are created readable by the group and others as the umask allows (like
  any file the user writes), so a data folder warmed by one user serves the others.
* **No leftovers**: a temporary file left by a process killed mid-write is removed by the next
  build of the same artifact once it is :data:`STALE_SECONDS` old (a younger one may be another
  process's write in progress).
"""

from __future__ import annotations

import collections
import hashlib
import io
import json
import stat
import warnings
from pathlib import Path
from typing import Any, Callable

from . import data
from ._files import write_atomically
from .data import data_root

#: bump when the file layout changes, so old files are never misread
FORMAT = "collapselab-cache-v1"
_MAGIC = FORMAT.encode() + b"\n"

#: what a payload may contain: what ``torch.load(weights_only=True)`` reads back
_PLAIN = (str, int, float, bool, type(None))

#: a temporary file of :func:`save` this old was left by a killed process (a write takes seconds)
STALE_SECONDS = 600

#: artifacts built while the cache folder was not writable, by path (this process only)
_IN_MEMORY: dict[Path, Any] = {}
_warned_read_only: set[Path] = set()


class CorruptCacheError(RuntimeError):
    """A cache file failed its checksum or could not be read safely."""


def cache_dir(root: str | Path | None = None) -> Path:
    """The cache folder, ``<data root>/cache`` (created on demand)."""
    return Path(root or data_root()) / "cache"


def config_key(config: dict) -> str:
    """12 hex digits identifying ``config`` (a JSON-serialisable dict; key order does not matter)."""
    try:
        text = json.dumps(config, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a cache configuration must be JSON-serialisable plain data: {exc}") from None
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def path_for(name: str, config: dict, root: str | Path | None = None) -> Path:
    """Where the artifact ``name`` with configuration ``config`` lives."""
    return cache_dir(root) / f"{name}-{config_key(config)}.pt"


def check_payload(payload: Any, where: str = "payload") -> None:
    """Raise ``ValueError`` unless ``payload`` holds only tensors and plain data (str, int, float,
    bool, None, and lists, tuples, sets and dicts of them): what :func:`load` can read back."""
    import torch

    if isinstance(payload, torch.Tensor) or type(payload) in _PLAIN:
        return
    if type(payload) in (list, tuple, set, frozenset):
        for i, item in enumerate(payload):
            check_payload(item, f"{where}[{i}]")
        return
    if type(payload) in (dict, collections.OrderedDict):  # a state_dict is an OrderedDict
        for key, value in payload.items():
            check_payload(key, f"{where} key {key!r}")
            check_payload(value, f"{where}[{key!r}]")
        return
    kind = f"{type(payload).__module__}.{type(payload).__qualname__}"
    raise ValueError(f"{where} is a {kind}, which safe loading (weights_only=True) refuses; store tensors "
                     "and plain Python numbers, strings, lists and dicts (e.g. float(x) for a numpy scalar)")


def save(path: str | Path, payload: Any) -> Path:
    """Write ``payload`` (tensors, numbers, strings, lists, dicts) to ``path`` atomically, with a checksum.

    Raises:
        ValueError: the payload holds something :func:`load` would refuse (see :func:`check_payload`).
    """
    import torch

    check_payload(payload)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    body = buffer.getvalue()
    digest = hashlib.sha256(body).hexdigest().encode() + b"\n"
    write_atomically(path, _MAGIC + digest + body)
    return path


def remove_stale_temporaries(path: str | Path, older_than: float = STALE_SECONDS) -> list[Path]:
    """Delete the temporary files that :func:`save` left for ``path`` when its process was killed
    mid-write (``.<name>.<random>.tmp`` beside it) and that are ``older_than`` seconds old; return them."""
    import time

    path = Path(path)
    removed = []
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if time.time() - tmp.stat().st_mtime >= older_than:
                tmp.unlink()
                removed.append(tmp)
        except OSError:  # gone already, or not ours to delete
            pass
    return removed


def _check_regular(path: Path) -> None:
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise CorruptCacheError(f"{path} is not a regular file (a FIFO, socket or folder?); "
                                "delete it and run again")


def load(path: str | Path) -> Any:
    """Read a cache file written by :func:`save`.

    Raises:
        FileNotFoundError: no such file.
        CorruptCacheError: not a regular file, wrong header, checksum mismatch, or a payload that
            ``weights_only`` refuses.
    """
    import torch

    path = Path(path)
    _check_regular(path)
    raw = path.read_bytes()
    if not raw.startswith(_MAGIC):
        raise CorruptCacheError(f"{path.name}: not a {FORMAT} file")
    rest = raw[len(_MAGIC):]
    digest, _, body = rest.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        raise CorruptCacheError(f"{path.name}: checksum mismatch (truncated or altered)")
    try:
        return torch.load(io.BytesIO(body), weights_only=True, map_location="cpu")
    except Exception as exc:  # an unsafe or unreadable payload
        raise CorruptCacheError(f"{path.name}: cannot be loaded safely ({exc})") from None


def load_or_build(name: str, config: dict, build: Callable[[], Any], *, root: str | Path | None = None) -> Any:
    """Return the cached artifact for ``(name, config)``, building and saving it when it is missing
    or corrupt. ``build()`` must return a payload :func:`save` can write.

    A path that is not a regular file raises :class:`CorruptCacheError` (nothing is overwritten).
    When the cache folder is not writable, a warning is given once and the artifact is kept in
    memory for the rest of this process, so no trained model is thrown away."""
    path = path_for(name, config, root)
    if path in _IN_MEMORY:
        return _IN_MEMORY[path]
    readable = True
    if path.exists():
        _check_regular(path)  # a FIFO would block the read below
        try:
            return load(path)
        except PermissionError as exc:  # another user's file: use it as if the folder were read-only
            readable = False
            _warn_once(path.parent, f"cache: cannot read {path.name} ({exc.strerror or exc}); rebuilding it in memory "
                                    "for this session only. Ask its owner to make it readable (chmod a+r), or point "
                                    "the course at your own data folder with the COLLAPSELAB_DATA environment variable.")
        except (CorruptCacheError, FileNotFoundError) as exc:
            warnings.warn(f"cache: {exc}; rebuilding it", stacklevel=2)
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
    if config.get("data") == data.FINGERPRINT:
        data.verify_unchanged()  # never build (and cache under the official name) from altered digits
    payload = build()
    check_payload(payload)
    if not readable:
        _IN_MEMORY[path] = payload
        return payload
    remove_stale_temporaries(path)
    try:
        save(path, payload)
    except OSError as exc:  # read-only folder, full disk, ...
        _IN_MEMORY[path] = payload
        _warn_once(path.parent, f"cache: cannot write to {path.parent} ({exc.__class__.__name__}: "
                                f"{exc.strerror or exc}); results are kept in memory for this session only. Make "
                                "the folder writable, or point the course at another data folder with the "
                                "COLLAPSELAB_DATA environment variable.")
    return payload


def _warn_once(folder: Path, message: str) -> None:
    if folder not in _warned_read_only:
        _warned_read_only.add(folder)
        warnings.warn(message, stacklevel=3)
