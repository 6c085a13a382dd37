"""Notebook 07's committed studies of the language photocopier, over five seeds each.

* ``--study protocol`` (the default): does the low-temperature result move when the writing and the
  training come closer to Shumailov et al.'s? (prompted continuations, 5-beam search with a
  no-repeat rule, four times the fine-tuning steps with the best checkpoint on real validation text.)
  Arms: :func:`collapselab.text.photocopier.protocol_study`; claims:
  :func:`collapselab.course.claims.protocol_study`, committed before any of seeds 20-24 ran (seed 0
  was the exploration).
* ``--study controls``: what notebook 07's arms move against: generation 0's data again with a new
  seed, 10 % of the original passages instead of fresh ones, and the control at T = 0.5. Arms:
  :func:`collapselab.text.photocopier.controls_study`; claims:
  :func:`collapselab.course.claims.controls_study`, committed before any of seeds 45-49 ran.

Usage (from the repository root):

    python benchmarks/protocol_study.py                      # seeds 20-24, into benchmarks/results/protocol-study.json
    python benchmarks/protocol_study.py --study controls     # seeds 45-49, into benchmarks/results/text-controls.json
    python benchmarks/protocol_study.py --out /tmp/slice.json --seeds 20 \\
        --arms "prompted, T = 0.5" --generations 1           # a slice (what the regeneration test runs)

Every generation is cached under the data folder, so an interrupted run resumes. The result file holds, per arm and seed, one row per generation (the text CLI's row plus
the percentiles of the written text's log-perplexity under generation 0), the pre-trained model's
perplexity on the same real text, and per invocation the provenance (command, commit, machine,
threads, date, seconds). About 30 minutes per study on a 2-core CPU, cold.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from long_run import load, provenance  # noqa: E402  (the same file format and provenance)

ROOT = Path(__file__).resolve().parents[1]
#: the studies: their arms (a function of the seed), seeds and committed result file
STUDIES = {"protocol": ("protocol_study", "PROTOCOL_SEEDS", ROOT / "benchmarks" / "results" / "protocol-study.json"),
           "controls": ("controls_study", "CONTROL_SEEDS", ROOT / "benchmarks" / "results" / "text-controls.json")}
OUT = STUDIES["protocol"][2]


def rows(run) -> list[dict]:
    """The text CLI's rows of ``run`` plus, per generation, the 10th, 50th, 90th and 95th
    percentiles of its written passages' log-perplexity under generation 0 (and the fine-tuning
    step kept, for an arm that picks its best checkpoint)."""
    out = []
    for row, metrics, info in zip(run.rows(), run.metrics, run.info):
        logs = np.log(metrics["gen0_perplexity"])
        out.append({**row, **{f"gen0_log_ppl_p{q}": round(float(np.percentile(logs, q)), 5) for q in (10, 50, 90, 95)},
                    **({"selected_step": info["selected_step"]} if "selected_step" in info else {})})
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from collapselab.text import lm, photocopier

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", choices=sorted(STUDIES), default="protocol", help="which study (default: protocol)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="default: the study's own five seeds")
    parser.add_argument("--arms", nargs="+", default=None, help="only these arms")
    parser.add_argument("--generations", type=int, default=None, help="override the generations (a slice)")
    parser.add_argument("--out", type=Path, default=None, help="default: the study's committed result file")
    parser.add_argument("--data-root", type=Path, default=None)
    args = parser.parse_args(argv)
    arms_of, seeds_name, committed = STUDIES[args.study]
    arms_of = getattr(photocopier, arms_of)
    args.seeds = list(getattr(photocopier, seeds_name)) if args.seeds is None else args.seeds
    args.out = committed if args.out is None else args.out
    names = list(arms_of(0))
    if args.arms and set(args.arms) - set(names):
        parser.error("unknown arm(s) " + ", ".join(sorted(set(args.arms) - set(names))) + "; the arms are: "
                     + "; ".join(names))
    if not args.out.parent.is_dir():
        parser.error(f"--out's folder {args.out.parent} does not exist; create it or pick another")

    from collapselab._files import write_atomically

    result = load(args.out)
    result["provenance"].append(provenance(argv))
    result["provenance"][-1]["command"] = "python benchmarks/protocol_study.py " + " ".join(argv)
    invocation = len(result["provenance"]) - 1
    plan = [(name, seed, config) for seed in args.seeds for name, config in arms_of(seed).items()
            if not args.arms or name in args.arms]
    planned = {(name, seed) for name, seed, _ in plan}
    result["runs"] = [r for r in result["runs"] if (r["arm"], r["seed"]) not in planned]
    result.setdefault("pretrained", {})
    start = time.perf_counter()
    lab = photocopier.TextLab(args.data_root)
    for i, (name, seed, config) in enumerate(plan, 1):
        if args.generations is not None:
            config = config.changed(generations=args.generations)
        run = photocopier.run(config, lab, progress=False)
        base = lab.base(config)
        result["pretrained"][str(seed)] = {   # the starting point every generation is fine-tuned from
            "heldout_perplexity": round(float(np.exp(lm.nll(base, lab.heldout))), 5),
            "test_half_perplexity": round(float(np.exp(lm.nll(base, lab.validation_and_test()[1]))), 5)}
        result["runs"].append({"group": args.study, "arm": name, "seed": seed, "invocation": invocation,
                               "seconds": round(run.seconds, 1), "rows": rows(run)})
        result["provenance"][invocation]["seconds"] = round(time.perf_counter() - start)
        write_atomically(args.out, (json.dumps(result, indent=1) + "\n").encode())
        last = run.metrics[-1]
        print(f"[{i}/{len(plan)}] {name} seed {seed}: {run.seconds:.0f} s, generation {config.generations}: "
              f"perplexity {last['real_perplexity']:.2f}, distinct-2 {last['distinct_2']:.3f} "
              f"({time.perf_counter() - start:.0f} s in all)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
