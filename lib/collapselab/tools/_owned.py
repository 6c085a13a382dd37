"""Output folders the course's commands share with their users: touch only what a command made.

``python -m collapselab student`` and ``site`` write into folders a learner may also use (an edited
student notebook, a blog beside the website). Each command keeps a marker file in its output
folder, :data:`MARKER`, recording what it wrote: for a file its SHA-256, for a folder the files it
held. Before writing again, :func:`check_ours` refuses (naming the paths, and the ``--force`` that
overrides) to overwrite or delete

* a file or folder that exists but was not written by that command, or
* a file whose content changed since the command wrote it (a learner's edit), or a folder it made
  in which somebody has added files since.

Files are written atomically (:func:`write_text`), so an interrupted command never leaves half a
notebook under the real name.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

#: the marker file in an output folder: what a command wrote there
MARKER = ".collapselab-made.json"


class NotOursError(ValueError):
    """An output path exists that the command did not make (or that changed since it made it)."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def read_marker(folder: Path, command: str) -> dict:
    """What ``command`` recorded writing into ``folder`` (``{}`` when it wrote nothing there, or the
    marker is unreadable or another command's)."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(marker, dict) or marker.get("command") != command or not isinstance(marker.get("made"), dict):
        return {}
    return marker["made"]


def check_ours(folder: Path, names: list[str], command: str, flag: str = "--force") -> None:
    """Raise :class:`NotOursError` unless each of ``names`` (paths relative to ``folder``) is missing,
    or was made by ``command`` and is unchanged since (a file: same content; a folder: no files
    added)."""
    made = read_marker(folder, command)
    problems = []
    for name in names:
        path = folder / name
        if not (path.exists() or path.is_symlink()):
            continue
        record = made.get(name)
        if path.is_dir() and not path.is_symlink():
            if not isinstance(record, list):
                problems.append(f"{path}/ (not made by '{command}')")
            else:
                added = sorted(set(_files_under(path)) - set(record))
                if added:
                    problems.append(f"{path}/ (holds {len(added)} file(s) '{command}' did not write, e.g. {added[0]})")
        elif not isinstance(record, str):
            problems.append(f"{path} (not made by '{command}')")
        elif _sha256(path) != record:
            problems.append(f"{path} (changed since '{command}' wrote it)")
    if problems:
        raise NotOursError(f"'{command}' would overwrite or delete what it did not make: {'; '.join(problems)}. "
                           f"Choose another --out, move these away, or pass {flag} to replace them")


def record(folder: Path, command: str, names: list[str]) -> None:
    """Write the marker: ``names`` (relative to ``folder``) were just made by ``command``."""
    made = {}
    for name in names:
        path = folder / name
        made[name] = _files_under(path) if path.is_dir() else _sha256(path)
    write_text(folder / MARKER, json.dumps({"command": command, "made": made}, indent=1) + "\n")


def remove(path: Path) -> None:
    """Delete a file or folder this command made (checked by :func:`check_ours` first)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def check_writable_folder(folder: Path, option: str = "--out", *, keep: bool = False) -> None:
    """Raise ``ValueError`` (one line) unless ``folder`` is, or can be made into, a writable folder.
    A folder made here to check it is removed again, unless ``keep``."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{option} {folder} is a file, not a folder; choose a folder")
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ValueError(f"{option} {folder} cannot be written ({exc.strerror or exc}); choose a writable folder") from None
    if created and not keep:
        folder.rmdir()


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`collapselab._files.write_atomically`)."""
    from .._files import write_atomically

    write_atomically(path, text.encode("utf-8"))


def folder_argument(text: str) -> Path:
    """An argparse ``type`` for the commands' folder options: an empty one (``--out ""``, which
    would silently mean the current folder) is refused at parse time (exit status 2)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; name a folder (use . for the current one)")
    return Path(text)
