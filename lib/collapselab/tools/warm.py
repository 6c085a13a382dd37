"""Warm caches for a room: train and cache everything the notebooks need, before the session.

    python -m collapselab warm            # every trained model of notebooks 04-07 (about 10 min cold)
    python -m collapselab warm 05 06      # only what these notebooks need

Notebooks 04-07 train models: the evaluation classifier, generation 0, every generation of every
run, the language models. All of it is cached under the data folder (``data/cache/``, or
``$COLLAPSELAB_DATA``), keyed by everything that determines it, so a notebook whose models are
cached only loads and scores them and runs in seconds. This command builds that cache with the
very functions the notebooks call (:mod:`collapselab.course.experiments`, :mod:`collapselab.text.photocopier`),
shows a progress bar, and ends with a summary of what it built and what was already there.

Run it once on each machine before a workshop (Binder's ``postBuild`` runs it when the image is
built), or copy a warmed ``data/cache/`` folder to the room's laptops: the cache files do not
depend on the machine.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import cache
from ._owned import folder_argument
from ..course.lessons import LESSONS


@dataclass(frozen=True)
class Task:
    """One step of warming: what it builds, for which notebooks, and how."""

    name: str
    notebooks: tuple[str, ...]
    build: Callable[[dict], None]  # receives a dict of shared resources (the Lab, built once)


def _lab(shared: dict):
    from ..images import photocopier as images

    if "lab" not in shared:
        shared["lab"] = images.Lab(root=shared.get("root"))
    return shared["lab"]


def _generation_zero(shared):
    from ..course import experiments
    from ..images import photocopier as images

    lab = _lab(shared)
    images.generation_zero(lab)
    experiments.longer_generation_zero(lab)


def _runs(arms: Callable[[], dict]):
    def build(shared):
        from ..images import photocopier as images

        lab = _lab(shared)
        for config in arms().values():
            images.run(config, lab, progress=False)

    return build


def _decomposition(shared):
    from ..course import experiments

    _runs(experiments.decomposition)(shared)


def _defences(shared):
    from ..course import experiments

    _runs(experiments.defences)(shared)


def _small_real_set(shared):
    from ..course import experiments

    experiments.small_real_set(_lab(shared))


def _language(shared):
    from ..text import photocopier as language

    language.language(root=shared.get("root"))


TASKS = (
    Task("evaluation classifier", ("04", "05", "06"), lambda shared: _lab(shared)),
    Task("generation 0 (and trained longer)", ("04", "05", "06"), _generation_zero),
    Task("notebook 05: four controlled runs", ("05",), _decomposition),
    Task("notebook 06: the defences", ("06",), _defences),
    Task("notebook 06: curated synthetic data", ("06",), _small_real_set),
    Task("notebook 07: the language photocopier", ("07",), _language),
)


def tasks_for(notebooks: list[str] | None, tasks: tuple[Task, ...] = TASKS) -> list[Task]:
    """The ``tasks`` that the given notebooks (``["05", "07"]``; ``None`` = all) need."""
    if not notebooks:
        return list(tasks)
    known = {lesson.number for lesson in LESSONS}
    unknown = sorted(set(notebooks) - known)
    if unknown:
        raise ValueError(f"unknown notebook number(s) {', '.join(unknown)}; choose from {', '.join(sorted(known))}")
    return [t for t in tasks if set(t.notebooks) & set(notebooks)]


def _cache_files(root) -> set[str]:
    folder = cache.cache_dir(root)
    return {p.name for p in folder.glob("*.pt")} if folder.is_dir() else set()


def warm(notebooks: list[str] | None = None, *, root: str | Path | None = None, progress: bool = True,
         tasks: tuple[Task, ...] = TASKS) -> list[dict]:
    """Build (or find) every cached artifact the given notebooks need (of ``tasks``: the course's
    :data:`TASKS`, or others, as a test gives tiny ones). Returns one summary row per task: its
    name, the cache files it wrote, and its seconds."""
    from tqdm.auto import tqdm

    todo = tasks_for(notebooks, tasks)
    shared: dict = {"root": root}
    rows = []
    bar = tqdm(todo, desc="warming", unit="task", disable=not progress)
    for task in bar:
        bar.set_postfix_str(task.name)
        before, start = _cache_files(root), time.perf_counter()
        task.build(shared)
        rows.append({"task": task.name, "notebooks": ", ".join(task.notebooks),
                     "built": len(_cache_files(root) - before), "seconds": time.perf_counter() - start})
    return rows


def check_data(tasks: list[Task], root: str | Path | None = None) -> None:
    """Verify, before any work, the data the ``tasks`` need: MNIST for notebooks 04-06, Tiny
    Shakespeare for 07 (raises their not-found or corrupt errors, whose messages say what to do)."""
    from .. import data
    from ..text import corpus

    needed = {nb for task in tasks for nb in task.notebooks}
    if needed & {"04", "05", "06"}:
        for train in (True, False):
            data.load_mnist(train, root=root)
    if "07" in needed:
        corpus.load_corpus(root)


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``warm`` to ``python -m collapselab``'s subcommands; :func:`run` handles it."""
    parser = subparsers.add_parser("warm", help="train and cache every model the notebooks need (before a session)",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", metavar="NN", help="only these notebooks (e.g. 05 06); default: all")
    parser.add_argument("--data-root", type=folder_argument, default=None,
                        help="data folder (default: $COLLAPSELAB_DATA, else the course's data/)")
    return parser


def run(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    from .. import data
    from ..text import corpus
    from ..training import thread_setting

    try:
        thread_setting()
        todo = tasks_for(args.notebooks)
        check_data(todo, args.data_root)
    except (ValueError, data.MNISTNotFoundError, data.MNISTCorruptError, corpus.TextNotFoundError,
            corpus.TextCorruptError) as exc:
        if parser is None:
            raise
        parser.error(str(exc))  # one line, exit 2, before any training
    if not todo:
        print(f"warm: notebook(s) {', '.join(args.notebooks)} train no model, so there is nothing to warm "
              "(notebooks 04-07 train models)")
        return 0
    start = time.perf_counter()
    rows = warm(args.notebooks, root=args.data_root)
    print(f"\n{'task':<40} {'notebooks':<12} {'new cache files':>15} {'seconds':>8}")
    for row in rows:
        print(f"{row['task']:<40} {row['notebooks']:<12} {row['built']:>15} {row['seconds']:>8.0f}")
    built = sum(r["built"] for r in rows)
    print(f"\nwarm: {built} new cache files in {time.perf_counter() - start:.0f} s "
          f"({'everything was already cached' if not built else 'the notebooks now load them'}); "
          f"cache folder: {cache.cache_dir(args.data_root)}")
    return 0
