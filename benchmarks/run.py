"""Benchmark the course: wall time and peak memory of each notebook, cold and warm, against its budget.

Usage (from the repository root):

    python benchmarks/run.py                 # every notebook, cold then warm, plus the library budgets
    python benchmarks/run.py 05 07           # only these notebooks
    python benchmarks/run.py --write         # also store the times (benchmarks/timings.json) and
                                             # update every table that quotes them

Each notebook runs top to bottom in a fresh kernel, as "Restart Kernel and Run All" does for a
learner, twice: **cold**, in an empty data folder (MNIST and the text linked in, no cache: every
model is trained, the evaluation classifier included), then **warm**, again in the same folder
(everything it trained is cached). "total" is the kernel start plus every cell; peak RSS is that of
the kernel process. Budgets (cold, 2-core CPU) come from COURSE.md via collapselab.course.lessons. Prints
Markdown tables; never asserts (machines are noisy): read them, and quote them when you change
something heavy.

With ``--write``, the times of the notebooks run are stored in ``benchmarks/timings.json`` and the
"measured" cells of the README's notebook map and of ``docs/instructor.md`` are rewritten from it
(``tests/test_docs.py`` checks that they agree, so no time is ever typed by hand).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from collapselab.course import lessons as course  # noqa: E402

TIMINGS = ROOT / "benchmarks" / "timings.json"
#: the documents whose "measured" cells quote benchmarks/timings.json
QUOTING = (ROOT / "README.md", ROOT / "docs" / "instructor.md")
#: how a measured time is quoted in a table cell
CELL = re.compile(r"\d+ s cold · \d+ s warm")

# Run in a child process so that getrusage(RUSAGE_CHILDREN) sees only this notebook's kernel.
_CHILD = r"""
import json, resource, sys, time
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
client = NotebookClient(nb, timeout=1200, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}})
start = time.perf_counter()
with client.setup_kernel():
    ready = time.perf_counter()
    for index, cell in enumerate(nb.cells):
        client.execute_cell(cell, index)
    done = time.perf_counter()
    client.km.shutdown_kernel(now=False)
print(json.dumps({"kernel_start": ready - start, "cells": done - ready,
                  "rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def empty_data_root() -> Path:
    """A new data folder with the course's MNIST and text linked in and no cache."""
    from collapselab import data
    from collapselab.text import corpus

    root = Path(tempfile.mkdtemp(prefix="collapselab-bench-"))
    (root / "MNIST").mkdir()
    (root / "MNIST" / "raw").symlink_to(data.raw_folder())
    if corpus.corpus_path().is_file():
        (root / corpus.CORPUS_FILE).symlink_to(corpus.corpus_path())
    return root


def run_notebook(path: Path, data_root: Path) -> dict | None:
    """Execute ``path`` in a fresh kernel with ``data_root`` as the data folder. Returns seconds to
    start the kernel, seconds for all cells and the kernel's peak RSS in MiB, or None if it failed."""
    env = {**os.environ, "COLLAPSELAB_DATA": str(data_root)}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(path.parent)],
                          capture_output=True, text=True, env=env)
    if done.returncode:
        print(done.stderr[-3000:], file=sys.stderr)
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["rss_mib"] = result.pop("rss_kib") / 1024
    result["total"] = result["kernel_start"] + result["cells"]
    return result


def library_budgets() -> list[list]:
    """Rows [what, value, target, verdict] for the library's own speed and quality promises."""
    from collapselab import gaussian

    times = []
    for _ in range(3):  # best of 3
        start = time.perf_counter()
        gaussian.simulate_chains(10_000, 1_000, 100, seed=0)
        times.append(time.perf_counter() - start)
    rows = [["gaussian.simulate_chains: 10,000 chains x 1,000 generations, M = 100 (s)", round(min(times), 2),
             "<= 2", "yes" if min(times) <= 2 else "NO"]]
    # the MNIST models run in a fresh process so their timings do not share memory with the above
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "extra.py")], capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        print(done.stderr[-2000:], file=sys.stderr)
        return rows + [["MNIST model benchmarks", "failed", "", "FAILED"]]
    return rows + json.loads(done.stdout)


# --- the times quoted in the documents ---------------------------------------------------------

def load_timings(path: Path = TIMINGS) -> dict:
    """``{"machine": ..., "notebooks": {"05": {"cold": s, "warm": s, "rss_mib": m}, ...}}``."""
    return json.loads(path.read_text(encoding="utf-8"))


def cell(timings: dict, number: str) -> str:
    """How the documents quote notebook ``number``'s measured times: ``"98 s cold · 12 s warm"``."""
    t = timings["notebooks"][number]
    return f"{t['cold']:.0f} s cold · {t['warm']:.0f} s warm"


def quoted_cells(markdown: str) -> list[tuple[str, str]]:
    """``(notebook number, quoted cell)`` for every table row of ``markdown`` that names a notebook
    (``| 05 |`` or a link to ``05_...ipynb``) and quotes a measured time."""
    found = []
    for line in markdown.splitlines():
        if not line.startswith("|"):
            continue
        times = CELL.findall(line)
        number = row_notebook(line)
        if times and number:
            found += [(number, t) for t in times]
    return found


def row_notebook(line: str) -> str | None:
    """The notebook a table row is about: the one it links to (``05_...ipynb``), else its last cell
    that is a two-digit number (``| 25 | 05 |``: 25 minutes of notebook 05), else None."""
    link = re.search(r"(\d\d)_[a-z_]+\.ipynb", line)
    if link:
        return link.group(1)
    cells = re.findall(r"\|\s*(\d\d)\s*(?=\|)", line)
    return cells[-1] if cells else None


def rewrite_quotes(markdown: str, timings: dict) -> str:
    """``markdown`` with every quoted measured time replaced by the one in ``timings``."""
    out = []
    for line in markdown.splitlines(keepends=True):
        number = row_notebook(line) if line.startswith("|") else None
        if number in timings["notebooks"]:
            line = CELL.sub(cell(timings, number), line)
        out.append(line)
    return "".join(out)


def write(results: dict) -> None:
    """Merge ``results`` (``{number: {cold, warm, rss_mib}}``) into benchmarks/timings.json and
    rewrite the documents that quote it."""
    timings = load_timings() if TIMINGS.is_file() else {"notebooks": {}}
    timings["machine"] = f"{os.cpu_count()} CPU cores, {platform.machine()}, Python {platform.python_version()}"
    timings["measured"] = time.strftime("%Y-%m-%d")
    timings["notebooks"].update(results)
    timings["notebooks"] = dict(sorted(timings["notebooks"].items()))
    TIMINGS.write_text(json.dumps(timings, indent=1) + "\n", encoding="utf-8")
    for path in QUOTING:
        if path.is_file():
            path.write_text(rewrite_quotes(path.read_text(encoding="utf-8"), timings), encoding="utf-8")
    print(f"\nwrote {TIMINGS.relative_to(ROOT)} and updated the times quoted in "
          + ", ".join(str(p.relative_to(ROOT)) for p in QUOTING if p.is_file()))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="notebook numbers to run (default: all)")
    parser.add_argument("--no-library", action="store_true", help="skip the library budgets")
    parser.add_argument("--write", action="store_true",
                        help="store the times in benchmarks/timings.json and update the tables that quote them")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} CPU cores, Python {sys.version.split()[0]}\n")
    print("| notebook | budget, cold (s) | cold: kernel start + cells (s) | cold total (s) | warm total (s) "
          "| peak RSS (MiB) | within budget |")
    print("|---|---:|---:|---:|---:|---:|---|")
    results = {}
    for lesson in course.LESSONS:
        path = ROOT / "notebooks" / lesson.filename
        if (args.only and lesson.number not in args.only) or not path.exists():
            continue
        root = empty_data_root()
        cold = run_notebook(path, root)
        warm = run_notebook(path, root) if cold else None
        if cold is None or warm is None:
            print(f"| {lesson.filename} | {lesson.budget_s} | | | | | FAILED |", flush=True)
            continue
        rss = max(cold["rss_mib"], warm["rss_mib"])
        verdict = "yes" if cold["total"] <= lesson.budget_s and rss < 1536 else "NO"
        print(f"| {lesson.filename} | {lesson.budget_s} | {cold['kernel_start']:.1f} + {cold['cells']:.1f} "
              f"| {cold['total']:.1f} | {warm['total']:.1f} | {rss:.0f} | {verdict} |", flush=True)
        results[lesson.number] = {"cold": round(cold["total"], 1), "warm": round(warm["total"], 1),
                                  "rss_mib": round(rss)}
    if results:
        print(f"\ntotal: {sum(r['cold'] for r in results.values()):.0f} s cold, "
              f"{sum(r['warm'] for r in results.values()):.0f} s warm")
    if args.write and results:
        write(results)
    if not args.no_library:
        print("\n| library | value | target | met |")
        print("|---|---:|---:|---|")
        for what, value, target, verdict in library_budgets():
            print(f"| {what} | {value} | {target} | {verdict} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
