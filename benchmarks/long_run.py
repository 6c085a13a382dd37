"""Committed long runs: notebook 06 over ten generations (dose-response and compute-matched arms too) and notebook 05's sampler x fit 2 x 2.

Usage (from the repository root):

    python benchmarks/long_run.py                              # notebook 06's, into benchmarks/results/long-run.json
    python benchmarks/long_run.py --groups fit-and-sampler     # notebook 05's, into .../fit-and-sampler.json
    python benchmarks/long_run.py --groups defences --seeds 0  # one group, one seed
    python benchmarks/long_run.py --out /tmp/slice.json --groups defences --seeds 0 \\
        --arms replace accumulate --generations 2             # a slice (what the regeneration test runs)

The arms are defined once in :mod:`collapselab.course.experiments`:

* ``defences`` (:func:`~collapselab.course.experiments.long_runs`): replace, real-only, accumulate,
  accumulate with a growing budget and mix:0.5, :data:`LONG_GENERATIONS` generations, seeds
  :data:`LONG_SEEDS`;
* ``dose`` (:func:`~collapselab.course.experiments.dose_response`): mix:0.1, 0.25 and 0.75 (0.5 is a
  defence), seeds :data:`DOSE_SEEDS`;
* ``matched`` (:func:`~collapselab.course.experiments.compute_matched`): replace and real-only with
  the steps accumulate gets with a growing budget, seeds :data:`DOSE_SEEDS`.

and, into ``benchmarks/results/fit-and-sampler.json`` (run it by name: ``--groups fit-and-sampler``),
notebook 05's 2 x 2:

* ``fit-and-sampler`` (:func:`~collapselab.course.experiments.fit_and_sampler`): decoder means or
  Bernoulli samples, crossed with 800 or 1,600 steps per later generation, each with its real-only
  control, 3 generations, seeds :data:`FIT_AND_SAMPLER_SEEDS` (about 20 minutes on 2 cores);

and, into ``benchmarks/results/detector-controls.json`` (``--groups detector-controls``), notebook
06's detector controls:

* ``detector-controls`` (:func:`~collapselab.course.experiments.detector_controls`): the detector
  filter against a perfect provenance filter and the real-only control, at the same steps and at
  matched epochs, 2 generations, seeds :data:`DETECTOR_CONTROL_SEEDS` (about 20 minutes on 2 cores).

Every generation is cached under the data folder (the same entries notebook 06 and the warm cache
use), so an interrupted run resumes. The result file holds, for every arm and seed, one row per
generation (the CLI's row format plus the gradient steps) and the invocation that made it; and,
per invocation, the provenance: the command, the commit, the machine, torch's threads and CPU code
path, the date and the seconds it took. An invocation replaces the runs it makes and keeps the
others; the file is rewritten atomically after every finished run.

A benchmark, not a test: about 1.6 h on a 2-core CPU for everything, cold.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
#: the groups run when none is named (notebook 06's)
DEFAULT_GROUPS = ("defences", "dose", "matched")


def groups():
    """``{group: (arms of a seed, default seeds, result file)}``."""
    from collapselab.course import experiments as ex

    long_run = RESULTS / "long-run.json"
    return {"defences": (ex.long_runs, ex.LONG_SEEDS, long_run), "dose": (ex.dose_response, ex.DOSE_SEEDS, long_run),
            "matched": (ex.compute_matched, ex.DOSE_SEEDS, long_run),
            "fit-and-sampler": (ex.fit_and_sampler, ex.FIT_AND_SAMPLER_SEEDS, RESULTS / "fit-and-sampler.json"),
            "detector-controls": (ex.detector_controls, ex.DETECTOR_CONTROL_SEEDS, ex.DETECTOR_CONTROL_RESULTS)}


def provenance(argv: list[str]) -> dict:
    """What ran, where and when."""
    import numpy
    import torch

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "lib", "benchmarks", ":!benchmarks/results"], cwd=ROOT,
                                    capture_output=True, text=True, check=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", False
    return {"command": "python benchmarks/long_run.py " + " ".join(argv), "commit": commit + ("+changes" if dirty else ""),
            "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}, {platform.processor() or platform.platform()}",
            "torch": torch.__version__, "numpy": numpy.__version__, "threads": torch.get_num_threads(),
            "cpu_capability": os.environ.get("ATEN_CPU_CAPABILITY", "(best available)"),
            "date": datetime.date.today().isoformat()}


def load(path: Path) -> dict:
    """The result file at ``path`` (its runs are kept unless this invocation reruns them), or an empty one."""
    if not path.exists():
        return {"provenance": [], "runs": []}
    try:
        result = json.loads(path.read_text())
        assert isinstance(result["provenance"], list) and isinstance(result["runs"], list)
    except (ValueError, KeyError, TypeError, AssertionError):
        sys.exit(f"long_run.py: {path} is not a result file of this script; pass another --out")
    return result


#: what a generation's callbacks recorded that a result row keeps (the detector filter's runs)
RECORDED = ("detector_accuracy", "real_discarded")


def rows(run) -> list[dict]:
    """The CLI's rows of ``run`` plus each generation's gradient steps and, for a detector-filter
    run, the detector's held-out accuracy and which real digits it discarded (by typicality)."""
    config = run.config
    return [{**row, "steps": config.gradient_steps(row["generation"], row["train_size"]),
             **{k: info[k] for k in RECORDED if k in info}} for row, info in zip(run.rows(), run.info)]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    known = groups()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", nargs="+", default=list(DEFAULT_GROUPS), choices=list(known))
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="override every group's seeds")
    parser.add_argument("--arms", nargs="+", default=None, help="only these arms (names as in the result file)")
    parser.add_argument("--generations", type=int, default=None, help="override the generations (a slice)")
    parser.add_argument("--out", type=Path, default=None, help="result file (default: the groups' own)")
    parser.add_argument("--data-root", type=Path, default=None, help="data folder (default: the course's)")
    args = parser.parse_args(argv)
    if args.out is None:
        files = {known[group][2] for group in args.groups}
        if len(files) > 1:
            parser.error("these groups are written to different files (" + ", ".join(sorted(f.name for f in files))
                         + "); run them separately or pass --out")
        args.out = files.pop()
    if not args.out.parent.is_dir():
        parser.error(f"--out's folder {args.out.parent} does not exist; create it or pick another")

    from collapselab._files import write_atomically
    from collapselab.images import photocopier

    plan = []
    for group in args.groups:
        make, default_seeds, _ = known[group]
        for seed in (args.seeds or default_seeds):
            for name, config in make(seed).items():
                if args.arms and name not in args.arms:
                    continue
                if args.generations is not None:
                    config = config.changed(generations=args.generations)
                plan.append((group, name, seed, config))
    if not plan:
        parser.error("no arm matches --arms; the arm names are: "
                     + ", ".join(sorted({n for make, _, _ in known.values() for n in make(0)})))

    result = load(args.out)
    result["provenance"].append(provenance(argv))
    invocation = len(result["provenance"]) - 1
    planned = {(group, name, seed) for group, name, seed, _ in plan}
    result["runs"] = [r for r in result["runs"] if (r["group"], r["arm"], r["seed"]) not in planned]
    start = time.perf_counter()
    lab = photocopier.Lab(root=args.data_root)
    for i, (group, name, seed, config) in enumerate(plan, 1):
        run = photocopier.run(config, lab, progress=False)
        result["runs"].append({"group": group, "arm": name, "seed": seed, "invocation": invocation,
                               "seconds": round(run.seconds, 1), "rows": rows(run)})
        result["provenance"][invocation]["seconds"] = round(time.perf_counter() - start)
        write_atomically(args.out, (json.dumps(result, indent=1) + "\n").encode())
        last = run.metrics[-1]
        print(f"[{i}/{len(plan)}] {group} {name} seed {seed}: {run.seconds:.0f} s, generation {config.generations}: "
              f"fd {last['fd']:.1f}, coverage {last['coverage']:.3f} ({time.perf_counter() - start:.0f} s in all)",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
