"""Fetch the course's data: MNIST and Tiny Shakespeare, each checked by its SHA-256.

    python -m collapselab fetch                  # into the data folder (data/, or $COLLAPSELAB_DATA)
    python -m collapselab fetch --data-root DIR  # into another folder

Downloads only what is missing, from the official mirrors (or ``$COLLAPSELAB_MIRROR`` first, see
:data:`collapselab.data.MIRROR_ENV`), and stores a file only once its checksum is right; files
already there are verified, never overwritten. A damaged or unreachable file stops it with a
message that says how to repair it (exit status 1). It trains nothing (``warm`` does that).

On Google Colab the first cell of every notebook runs it (:mod:`collapselab.course.colab`); a
room can run it on every laptop before a workshop.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ._owned import folder_argument


def fetch(root: str | Path | None = None) -> list[tuple[str, Path, bool]]:
    """Make sure MNIST (both splits) and Tiny Shakespeare are in ``root`` (default: the data
    folder) and verified. Returns ``(what, where, downloaded)`` per data set; raises the data
    modules' not-found and corrupt errors, whose messages say what to do."""
    from .. import data
    from ..text import corpus

    root = Path(root).resolve() if root else data.data_root()
    missing = bool(data.missing_files(root))
    for train in (True, False):
        data.load_mnist(train, root=root)
    text_missing = not corpus.corpus_path(root).is_file()
    corpus.load_corpus(root)
    return [("MNIST (4 files)", data.raw_folder(root), missing),
            ("Tiny Shakespeare", corpus.corpus_path(root), text_missing)]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``fetch`` to ``python -m collapselab``'s subcommands; :func:`run` handles it."""
    parser = subparsers.add_parser("fetch", help="download and verify MNIST and Tiny Shakespeare (no training)",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=folder_argument, default=None,
                        help="data folder (default: $COLLAPSELAB_DATA, else the course's data/)")
    return parser


def run(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    from .. import data
    from ..text import corpus

    start = time.perf_counter()
    try:
        done = fetch(args.data_root)
    except (data.MNISTNotFoundError, data.MNISTCorruptError, corpus.TextNotFoundError, corpus.TextCorruptError) as exc:
        print(f"fetch: {exc}")
        return 1
    for what, where, downloaded in done:
        print(f"{what}: {'downloaded and verified' if downloaded else 'already there, verified'} ({where})")
    print(f"fetch: done in {time.perf_counter() - start:.0f} s")
    return 0
