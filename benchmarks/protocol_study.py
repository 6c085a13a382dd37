"""Notebook 07's protocol study: does the low-temperature result move when the writing and the
training come closer to Shumailov et al.'s? (prompted continuations, 5-beam search with a
no-repeat rule, four times the fine-tuning steps with the best checkpoint on real validation text.)

Usage (from the repository root):

    python benchmarks/protocol_study.py                      # seeds 20-24, into benchmarks/results/protocol-study.json
    python benchmarks/protocol_study.py --out /tmp/slice.json --seeds 20 \\
        --arms "prompted, T = 0.5" --generations 1           # a slice (what the regeneration test runs)

The arms are :func:`collapselab.text.photocopier.protocol_study`; the claims about them,
:func:`collapselab.course.claims.protocol_study`, were committed before any of seeds 20-24 ran (seed 0
was the exploration). Every generation is cached under the data folder, so an interrupted run
resumes. The result file holds, per arm and seed, one row per generation (the text CLI's row plus
the percentiles of the written text's log-perplexity under generation 0), the pre-trained model's
perplexity on the same real text, and per invocation the provenance (command, commit, machine,
threads, date, seconds). About 30 minutes on a 2-core CPU, cold.
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
OUT = ROOT / "benchmarks" / "results" / "protocol-study.json"


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
    parser.add_argument("--seeds", type=int, nargs="+", default=list(photocopier.PROTOCOL_SEEDS))
    parser.add_argument("--arms", nargs="+", default=None, help="only these arms")
    parser.add_argument("--generations", type=int, default=None, help="override the generations (a slice)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--data-root", type=Path, default=None)
    args = parser.parse_args(argv)
    names = list(photocopier.protocol_study(0))
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
    plan = [(name, seed, config) for seed in args.seeds for name, config in photocopier.protocol_study(seed).items()
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
        result["runs"].append({"group": "protocol", "arm": name, "seed": seed, "invocation": invocation,
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
