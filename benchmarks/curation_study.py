"""Notebook 06's curation study: in "curated synthetic digits", what does what? Curation against
uncurated digits, the curator's confidence filter against class balance, and the dose.

Usage (from the repository root):

    python benchmarks/curation_study.py                 # seeds 35-39, into benchmarks/results/curation-study.json
    python benchmarks/curation_study.py --out /tmp/slice.json --seeds 35   # one seed (what the regeneration test runs)

The arms are :data:`collapselab.course.experiments.CURATION_ARMS` (trained by
:func:`~collapselab.course.experiments.curation_study`); the claims about them,
:func:`collapselab.course.claims.curation_study`, were committed before any of seeds 35-39 ran.
Every VAE is cached under the data folder, so an interrupted run resumes. The result file holds, per
seed, every arm's scalar metrics (and generation 0's, the synthetic digits' source), and per
invocation the provenance (command, commit, machine, threads, date, seconds). About 10 minutes on a
2-core CPU, cold.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from long_run import load, provenance  # noqa: E402  (the same file format and provenance)

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from collapselab.course import experiments

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(experiments.CURATION_SEEDS))
    parser.add_argument("--out", type=Path, default=experiments.CURATION_RESULTS)
    parser.add_argument("--data-root", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.out.parent.is_dir():
        parser.error(f"--out's folder {args.out.parent} does not exist; create it or pick another")

    from collapselab._files import write_atomically
    from collapselab.images import photocopier

    result = load(args.out)
    result["provenance"].append(provenance(argv))
    result["provenance"][-1]["command"] = " ".join(["python benchmarks/curation_study.py", *argv])
    invocation = len(result["provenance"]) - 1
    result["runs"] = [r for r in result["runs"] if r["seed"] not in args.seeds]
    start = time.perf_counter()
    lab = photocopier.Lab(root=args.data_root)
    for seed in args.seeds:
        arms = experiments.curation_study(lab, seed)
        scalars = {arm: {k: round(float(v), 5) for k, v in metrics.items() if k in photocopier.METRICS}
                   for arm, metrics in arms.items()}
        result["runs"].append({"seed": seed, "invocation": invocation, "arms": scalars})
        result["provenance"][invocation]["seconds"] = round(time.perf_counter() - start)
        write_atomically(args.out, (json.dumps(result, indent=1) + "\n").encode())
        print(f"seed {seed}: " + ", ".join(f"{arm} fd {m['fd']:.0f}" for arm, m in scalars.items())
              + f" ({time.perf_counter() - start:.0f} s in all)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
