"""Benchmark the course: wall time and peak memory of each notebook against its budget.

Usage (from the repository root):

    python benchmarks/run.py                 # every notebook, plus the library budgets
    python benchmarks/run.py 01 04           # only these notebooks

Each notebook runs top to bottom in a fresh kernel, as "Restart Kernel and Run All" does for a
learner (caches as they are; add --cold to delete data/cache first). "total" is the kernel start
plus every cell; peak RSS is that of the kernel process. Budgets come
from COURSE.md via collapselab.course. Prints a Markdown table; never asserts (machines are
noisy): read it, and quote it when you change something heavy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from collapselab import course  # noqa: E402

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


def run_notebook(path: Path) -> dict | None:
    """Execute ``path`` in a fresh kernel. Returns seconds to start the kernel, seconds for all cells
    and the kernel's peak RSS in MiB, or None if the notebook failed."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(path.parent)],
                          capture_output=True, text=True)
    if done.returncode:
        print(done.stderr[-3000:], file=sys.stderr)
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["rss_mib"] = result.pop("rss_kib") / 1024
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="notebook numbers to run (default: all)")
    parser.add_argument("--cold", action="store_true", help="delete data/cache before each notebook")
    parser.add_argument("--no-library", action="store_true", help="skip the library budgets")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} CPU cores, Python {sys.version.split()[0]}\n")
    print("| notebook | budget (s) | kernel start (s) | cells (s) | total (s) | peak RSS (MiB) | within budget |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for lesson in course.LESSONS:
        path = ROOT / "notebooks" / lesson.filename
        if (args.only and lesson.number not in args.only) or not path.exists():
            continue
        if args.cold:
            shutil.rmtree(ROOT / "data" / "cache", ignore_errors=True)
        r = run_notebook(path)
        if r is None:
            print(f"| {lesson.filename} | {lesson.budget_s} | | | | | FAILED |", flush=True)
            continue
        total = r["kernel_start"] + r["cells"]
        verdict = "yes" if total <= lesson.budget_s and r["rss_mib"] < 1536 else "NO"
        print(f"| {lesson.filename} | {lesson.budget_s} | {r['kernel_start']:.1f} | {r['cells']:.1f} | {total:.1f} "
              f"| {r['rss_mib']:.0f} | {verdict} |", flush=True)
    if not args.no_library:
        print("\n| library | value | target | met |")
        print("|---|---:|---:|---|")
        for what, value, target, verdict in library_budgets():
            print(f"| {what} | {value} | {target} | {verdict} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
