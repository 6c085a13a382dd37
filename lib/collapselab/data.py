"""MNIST for the course: real digits as in-memory tensors, verified, loaded once, offline when possible.

Images come back as ``float32`` tensors of shape ``(n, 784)`` with pixel intensities in [0, 1]
(row-major 28 x 28), labels as ``int64`` tensors of shape ``(n,)``. Everything stays in memory (the
60k training images are 188 MB as float32), so training loops slice tensors instead of paying
for a per-image PIL transform.

**Verified on load.** The four IDX files are read by this module (not by torchvision's loader,
which would prefer stale ``MNIST/processed/*.pt`` files) and checked against the sizes and
SHA-256 checksums of the official release. A truncated, altered or swapped file raises
:class:`MNISTCorruptError` naming the file, what is wrong and how to repair it, instead of
training on the wrong digits. Because only the official bytes load, every cached artifact built
from MNIST can name its data by :data:`FINGERPRINT`.

**Shared, and guarded.** The tensors are loaded once per process and shared by every caller.
Changing them in place (``x[x < 0.5] = 0``, ``x.clamp_(...)``) would make every model trained
afterwards, and every artifact cached under :data:`FINGERPRINT`, silently wrong, so the cache
calls :func:`verify_unchanged` before it builds anything from MNIST: it compares a BLAKE2 digest
of the tensors with the one taken at load time and raises :class:`MNISTModifiedError` (work on a
copy: ``x = x.clone()``).

**Where the data lives.** :func:`data_root`: the ``COLLAPSELAB_DATA`` environment variable if set
(an absolute path, so a notebook in ``notebooks/`` and a command in the repository root see the
same folder), else ``data/`` in the course checkout, else ``~/.collapselab/data`` (the library
installed outside a checkout).
"""

from __future__ import annotations

import functools
import hashlib
import os
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._checks import MAX_TORCH_SEED, check_int, check_seed

#: the environment variable that points the course at another data folder
DATA_ENV = "COLLAPSELAB_DATA"


def data_root() -> Path:
    """The data folder: ``$COLLAPSELAB_DATA`` if set, else the checkout's ``data/``, else
    ``~/.collapselab/data``. Read at call time, so setting the variable in a session takes effect."""
    configured = os.environ.get(DATA_ENV, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.is_absolute():
            raise ValueError(f"{DATA_ENV} must be an absolute path (a relative one would mean another folder in "
                             f"notebooks/ than in the repository root), got {configured!r}; for example "
                             f"{DATA_ENV}={Path(configured).resolve()}")
        return path
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "lib" / "collapselab").is_dir():
        return checkout / "data"
    return Path.home() / ".collapselab" / "data"


@dataclass(frozen=True)
class IDXFile:
    """One official MNIST file: its name, what it holds, its size in bytes and its SHA-256."""

    name: str
    kind: str  # "images" or "labels"
    count: int
    size: int
    sha256: str


FILES = {
    (True, "images"): IDXFile("train-images-idx3-ubyte", "images", 60_000, 47_040_016,
                              "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    (True, "labels"): IDXFile("train-labels-idx1-ubyte", "labels", 60_000, 60_008,
                              "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    (False, "images"): IDXFile("t10k-images-idx3-ubyte", "images", 10_000, 7_840_016,
                               "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    (False, "labels"): IDXFile("t10k-labels-idx1-ubyte", "labels", 10_000, 10_008,
                               "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
RAW_FILES = tuple(f.name for f in FILES.values())

#: names the data every MNIST artifact is built from: only files with these checksums load
FINGERPRINT = "mnist-" + hashlib.sha256("".join(f.sha256 for f in FILES.values()).encode()).hexdigest()[:12]


class MNISTNotFoundError(FileNotFoundError):
    """MNIST is not on disk and could not be downloaded."""


class MNISTCorruptError(ValueError):
    """An MNIST file is on disk but is not the official file (truncated, altered or swapped)."""


class MNISTModifiedError(RuntimeError):
    """The shared in-memory MNIST tensors were changed in place after they were loaded."""


def raw_folder(root: str | Path | None = None) -> Path:
    """Where the four IDX files live: ``<root>/MNIST/raw``."""
    return Path(root or data_root()) / "MNIST" / "raw"


def missing_files(root: str | Path | None = None) -> list[str]:
    """The names of the four MNIST files that are not in :func:`raw_folder` (empty when all are)."""
    folder = raw_folder(root)
    return [name for name in RAW_FILES if not (folder / name).is_file()]


def how_to_get_mnist(root: str | Path | None = None) -> str:
    """A message that says both ways to get MNIST onto this machine."""
    return (
        f"MNIST is not in {raw_folder(root)} yet. Two ways to get it:\n"
        "  1. with internet: call collapselab.data.load_mnist(download=True) (or run any MNIST\n"
        "     notebook), which downloads the four files (about 12 MB) and checks their SHA-256;\n"
        "  2. without internet: put the four uncompressed files\n"
        f"     {', '.join(RAW_FILES)}\n"
        f"     into {raw_folder(root)} (from ../shared/mnist, gunzip each .gz file; see the README,\n"
        "     'Data without internet')."
    )


def _how_to_repair(path: Path) -> str:
    return (f"Repair it: delete {path} and either run collapselab.data.load_mnist(download=True) with "
            "internet, or copy the file again from ../shared/mnist (gunzip -c "
            f"../shared/mnist/{path.name}.gz > {path}).")


@functools.lru_cache(maxsize=16)
def _verified_bytes(path: Path, size: int, mtime_ns: int, expected: IDXFile) -> bytes:
    """The file's bytes after checking its size and SHA-256 (memoised per file version)."""
    return _check_bytes(path.read_bytes(), path, expected)


def _check_bytes(raw: bytes, path: Path, expected: IDXFile) -> bytes:
    """``raw`` if it is byte-for-byte the official ``expected`` file, else :class:`MNISTCorruptError`."""
    if len(raw) != expected.size:
        raise MNISTCorruptError(
            f"{path.name} has {len(raw):,} bytes, expected {expected.size:,} ({expected.count:,} "
            f"{expected.kind}): it is truncated or not the official file. {_how_to_repair(path)}")
    if hashlib.sha256(raw).hexdigest() != expected.sha256:
        raise MNISTCorruptError(
            f"{path.name} has the right size but not the official SHA-256 checksum: its contents "
            f"were altered. {_how_to_repair(path)}")
    return raw


def read_idx(path: str | Path, expected: IDXFile) -> np.ndarray:
    """Read one official IDX file: ``uint8`` images ``(count, 28, 28)`` or labels ``(count,)``.

    Raises :class:`MNISTCorruptError` when the file is not byte-for-byte the official one."""
    path = Path(path)
    if not path.is_file():
        raise MNISTNotFoundError(how_to_get_mnist(path.parent.parent.parent))
    stat = path.stat()
    raw = _verified_bytes(path, stat.st_size, stat.st_mtime_ns, expected)
    header = 16 if expected.kind == "images" else 8
    array = np.frombuffer(raw, dtype=np.uint8, offset=header)
    return array.reshape(expected.count, 28, 28) if expected.kind == "images" else array


def verified_download(urls: list[str], path: Path, verify, *, gunzip: bool = False, timeout: float = 30) -> None:
    """Download a file into ``path``, but only one that ``verify(raw_bytes)`` accepts: the one way
    the course fetches data (MNIST and Tiny Shakespeare).

    The ``urls`` are mirrors, tried in order. ``verify`` raises on a wrong file, and nothing is
    written then; ``gunzip`` decompresses first. The file is written atomically, and its folder is
    made only once a verified file is in hand, so a failed download leaves nothing behind.
    Raises ``OSError`` (the last mirror's) when no mirror answers."""
    import gzip
    import urllib.request

    from ._files import write_atomically

    error: OSError | None = None
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                raw = response.read()
            raw = gzip.decompress(raw) if gunzip else raw
        except (OSError, EOFError) as exc:  # no internet, a dead mirror, a truncated archive
            error = exc if isinstance(exc, OSError) else OSError(str(exc))
            continue
        verify(raw)  # never store a wrong file
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, raw)
        return
    raise error or OSError("no download address given")


#: where the official MNIST files are served (torchvision's mirrors), gzipped
MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
#: the environment variable that names one more mirror, tried first: a folder URL that serves the
#: four MNIST files gzipped (``train-images-idx3-ubyte.gz``, ...) and ``tinyshakespeare.txt`` (a
#: room's own server, or a local folder in the tests); every file is still checked by its SHA-256
MIRROR_ENV = "COLLAPSELAB_MIRROR"


def mirrors(official: tuple[str, ...] | list[str], name: str) -> list[str]:
    """The addresses to download ``name`` from: ``$COLLAPSELAB_MIRROR``'s first, if set, then the
    ``official`` folder URLs, each joined with ``name``."""
    own = os.environ.get(MIRROR_ENV, "").strip()
    folders = ([own if own.endswith("/") else own + "/"] if own else []) + list(official)
    return [folder + name for folder in folders]


def _download(root: Path) -> None:
    folder = raw_folder(root)
    for expected in FILES.values():
        path = folder / expected.name
        if path.is_file():
            continue
        try:
            verified_download(mirrors(MNIST_MIRRORS, expected.name + ".gz"), path,
                              lambda raw, e=expected, p=path: _check_bytes(raw, p, e), gunzip=True)
        except OSError as exc:
            raise MNISTNotFoundError(how_to_get_mnist(root) + f"\n(the download failed: {exc})") from None


def load_mnist(train: bool = True, *, root: str | Path | None = None, download: bool = True):
    """Load the MNIST training (60,000) or test (10,000) set into memory.

    Loaded once per process: later calls return the *same* tensors (so notebooks and library
    functions share one copy, 188 MB for the training set). Do not modify them in place: work on
    a copy (``x.clone()``); anything built from MNIST afterwards raises :class:`MNISTModifiedError`
    otherwise (see :func:`verify_unchanged`).

    Args:
        train: the training set if True, else the test set.
        root: the data folder (default: :func:`data_root`).
        download: download *missing* files (needs internet), verified before they are stored. Files that are
            present but damaged are never overwritten: the error says how to repair them.

    Returns:
        ``(images, labels)``: ``float32`` tensor ``(n, 784)`` in [0, 1] and ``int64`` tensor ``(n,)``.

    Raises:
        MNISTNotFoundError: the files are missing and could not be downloaded; the message says how
            to get them.
        MNISTCorruptError: a file is present but is not the official one (or not a regular file);
            the message says how to repair it.
    """
    root = Path(root or data_root()).resolve()
    for name in RAW_FILES:  # a FIFO would block the read (or torchvision's download into it) forever
        path = raw_folder(root) / name
        if path.exists() and not path.is_file():
            raise MNISTCorruptError(f"{path} is not a regular file (a FIFO, socket or folder?). {_how_to_repair(path)}")
    if missing_files(root):
        if not download:
            raise MNISTNotFoundError(how_to_get_mnist(root))
        _download(root)
    return _load(bool(train), root)


@functools.lru_cache(maxsize=4)
def _load(train: bool, root: Path):
    import torch

    folder = raw_folder(root)
    images = read_idx(folder / FILES[train, "images"].name, FILES[train, "images"])
    labels = read_idx(folder / FILES[train, "labels"].name, FILES[train, "labels"])
    images = torch.from_numpy(images.reshape(len(images), -1).copy()).to(torch.float32).div_(255.0)
    labels = torch.from_numpy(labels.astype(np.int64))
    _LOADED.append((train, weakref.ref(images), weakref.ref(labels), _digest(images, labels)))
    return images, labels


#: every MNIST set handed out in this process and still alive: (train, images, labels as weak
#: references, digest at load time)
_LOADED: list = []


def _digest(images, labels) -> str:
    """A BLAKE2 digest of the tensors' bytes (about 0.15 s for the 60,000 training images)."""
    digest = hashlib.blake2b(digest_size=16)
    for tensor in (images, labels):
        digest.update(memoryview(tensor.contiguous().numpy()).cast("B"))
    return digest.hexdigest()


def verify_unchanged() -> None:
    """Check that no MNIST tensor handed out by :func:`load_mnist` was changed in place.

    Raises:
        MNISTModifiedError: one was; the message says which set and how to work without harm.
    """
    _LOADED[:] = [entry for entry in _LOADED if entry[1]() is not None and entry[2]() is not None]
    for train, images, labels, expected in _LOADED:
        if _digest(images(), labels()) != expected:
            which = "training" if train else "test"
            raise MNISTModifiedError(
                f"the MNIST {which} set that load_mnist() returned was changed in place in this process "
                "(e.g. x[x < 0.5] = 0 or x.clamp_()), so models and metrics built from it would be wrong and "
                "would be cached under the official data's name. Work on a copy (x = x.clone()) and restart "
                "the kernel (or the process) to get the official digits back.")


def balanced_subset(labels, n: int, seed: int = 0) -> np.ndarray:
    """Indices of a deterministic class-balanced subset of ``n`` samples.

    Each of the ``k`` classes gets ``n // k`` samples (the first ``n % k`` classes one more), chosen
    at random under ``seed``; the indices come back sorted. Same ``(labels, n, seed)`` -> same subset.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"labels must be a non-empty 1-D array of class labels, got shape {labels.shape}")
    n = check_int("n", n, minimum=1)
    seed = check_seed("seed", seed, maximum=MAX_TORCH_SEED)
    classes, counts = np.unique(labels, return_counts=True)
    k = len(classes)
    quota = np.full(k, n // k) + (np.arange(k) < n % k)
    short = quota > counts
    if short.any():
        c = classes[np.argmax(short)]
        raise ValueError(f"n={n} asks for {quota[np.argmax(short)]} samples of class {c}, which has only "
                         f"{counts[np.argmax(short)]}; ask for a smaller n")
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(labels == c), size=q, replace=False) for c, q in zip(classes, quota)]
    return np.sort(np.concatenate(picks))


def load_subset(n: int, train: bool = True, *, seed: int = 0, root: str | Path | None = None):
    """A class-balanced subset of ``n`` MNIST images: ``(images (n, 784), labels (n,))``."""
    images, labels = load_mnist(train, root=root)
    index = balanced_subset(labels.numpy(), n, seed)
    return images[index], labels[index]
