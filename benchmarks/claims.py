"""Establish the notebooks' claims about trained models across seeds (and CPU code paths).

Usage (from the repository root):

    python benchmarks/claims.py                       # seeds 0-4, notebooks 04-07 (exploratory)
    python benchmarks/claims.py --seeds 10 11 12 13 14 --notebooks 05 --role confirmation \
        --json benchmarks/results/claims-seeds-10-14.json
    python benchmarks/claims.py --seeds 0 --fresh     # one seed, in an empty data folder (cold cache)
    ATEN_CPU_CAPABILITY=default COLLAPSELAB_THREADS=3 python benchmarks/claims.py --seeds 0 --fresh

For every seed it reruns the claim-bearing experiments of each notebook that trains a model, with
the library functions the notebooks call (the evaluation classifier is retrained with the same
seed, so the instrument varies too), evaluates the same claim functions the notebooks print
(:mod:`collapselab.course.claims`), and prints a table: claim x seed -> True/False, with each claim's
measured value as mean [min, max] over seeds and its *margin*: the worst seed's distance to the
claim's threshold in seed spreads (below 1: fragile). Sanity checks (the instruments work) are
listed apart from findings. A claim may stay in a notebook only if it holds for every seed.
Training results are cached under the data folder, so a rerun only evaluates.

``--role`` says what the seeds are for: ``exploratory`` seeds may be looked at while writing
claims; ``confirmation`` seeds are run once, on claims frozen in a commit, and a claim that fails
one is dropped or restated (and a restated claim needs new confirmation seeds). The JSON records the
role, the commit of the claims it ran (the last commit of ``collapselab/course/claims.py``), the
checkout's commit, the machine, torch's threads and CPU code path, and the date.

It is a benchmark, not a test: it takes many minutes (about 6 per seed on a 2-core CPU, cold).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def collect_04(lab, seed):
    from collapselab.course import claims, experiments
    from collapselab.images import photocopier

    config = photocopier.RunConfig(seed=seed)
    gen0 = photocopier.generation_zero(lab, config).model
    scores = {name: lab.score_images(images) for name, images in experiments.calibration_sets(lab, gen0, seed).items()}
    longer = experiments.longer_generation_zero(lab, seed).model
    longer_fd = lab.score_images(longer.sample(config.n_eval, seed=config.seed_for("evaluate", 0)))["fd"]
    return claims.metric_calibration(scores, lab.judge.test_accuracy, longer_fd)


def collect_05(lab, seed):
    from collapselab.course import claims, experiments
    from collapselab.images import photocopier

    runs = {name: photocopier.run(config, lab, progress=False) for name, config in experiments.decomposition(seed).items()}
    return claims.image_photocopier(runs)


def collect_06(lab, seed):
    from collapselab.course import claims, experiments
    from collapselab.images import photocopier

    runs = {name: photocopier.run(config, lab, progress=False) for name, config in experiments.defences(seed).items()}
    return claims.defences(runs, experiments.small_real_set(lab, seed))


def collect_07(lab, seed):
    from collapselab.course import claims
    from collapselab.text import photocopier as language

    text_lab = language.TextLab(lab.root)
    return claims.language(language.language(seed, lab=text_lab), text_lab.real_reference())


COLLECTORS = {"04": collect_04, "05": collect_05, "06": collect_06, "07": collect_07}


def fresh_data_root() -> Path:
    """An empty data folder (cold cache) with the course's MNIST and text linked in."""
    from collapselab import data

    root = Path(tempfile.mkdtemp(prefix="collapselab-claims-"))
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.RAW_FILES:
        (raw / name).symlink_to(data.raw_folder() / name)
    for extra in data.data_root().glob("*.txt"):
        (root / extra.name).symlink_to(extra)
    return root


def table(results: dict[str, dict[int, list]], seeds: list[int], role: str) -> bool:
    """Print the claim x seed table (findings, then sanity checks), with each claim's margin;
    return whether every claim held for every seed."""
    from collapselab.course.claims import FRAGILE, margin

    all_hold = True
    for notebook, by_seed in results.items():
        print(f"\n### notebook {notebook} ({role} seeds {', '.join(map(str, seeds))})\n")
        print("| claim | " + " | ".join(f"seed {s}" for s in seeds)
              + " | value: mean [min, max] | threshold | margin | real-only control: mean [min, max] |")
        print("|---|" + "---|" * len(seeds) + "---|---|---|---|")
        first = by_seed[seeds[0]]
        for sanity in (False, True):
            for i, c in enumerate(first):
                if c.sanity != sanity:
                    continue
                row = [by_seed[s][i] for s in seeds]
                values = [r.value for r in row if r.value is not None]
                held = all(r.holds for r in row)
                all_hold &= held
                spread = (f"{sum(values) / len(values):.3g} [{min(values):.3g}, {max(values):.3g}]" if values else "")
                room = margin(values, c.threshold) if held else None
                room_text = "" if room is None else f"{room:.2g}" + (" **fragile**" if room < FRAGILE else "")
                controls = [r.control for r in row if r.control is not None]
                control = (f"{sum(controls) / len(controls):.3g} [{min(controls):.3g}, {max(controls):.3g}]"
                           if controls else "")
                label = ("sanity: " if sanity else "") + c.text
                print(f"| {label} | " + " | ".join("True" if r.holds else "**False**" for r in row)
                      + f" | {spread} | {'' if c.threshold is None else c.threshold} | {room_text} | {control} |")
    return all_hold


def meta(role: str, seeds: list[int]) -> dict:
    """What ran, where and when, and the commit of the claims it ran."""
    import platform
    import subprocess
    import datetime

    import torch

    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "unknown"

    dirty = git("status", "--porcelain", "--", "lib", "benchmarks", ":!benchmarks/results")
    return {"role": role, "seeds": seeds, "claims_commit": git("log", "-1", "--format=%h", "--", "lib/collapselab/course/claims.py"),
            "commit": git("rev-parse", "--short", "HEAD") + ("+changes" if dirty else ""),
            "machine": f"{os.cpu_count()} CPU cores, {platform.machine()}", "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "cpu_capability": os.environ.get("ATEN_CPU_CAPABILITY", "(best available)"),
            "date": datetime.date.today().isoformat()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--notebooks", nargs="+", default=list(COLLECTORS), choices=list(COLLECTORS))
    parser.add_argument("--fresh", action="store_true", help="run in an empty data folder (a cold cache)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--role", choices=("exploratory", "confirmation"), default="exploratory",
                        help="what these seeds are for (recorded in the JSON) [exploratory]")
    args = parser.parse_args(argv)

    import torch

    from collapselab.images import photocopier
    from collapselab.images.classifier import ClassifierConfig

    root = fresh_data_root() if args.fresh else None
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"ATEN_CPU_CAPABILITY={os.environ.get('ATEN_CPU_CAPABILITY', '(default: best available)')}, "
          f"data folder: {'fresh' if root else 'the course data folder'}", flush=True)
    provenance = meta(args.role, args.seeds)   # the checkout as it was when the run started
    results: dict[str, dict[int, list]] = {nb: {} for nb in args.notebooks}
    for seed in args.seeds:
        start = time.perf_counter()
        lab = photocopier.Lab(root=root, classifier=ClassifierConfig(seed=seed))
        for notebook in args.notebooks:
            results[notebook][seed] = COLLECTORS[notebook](lab, seed)
            print(f"seed {seed}: notebook {notebook} done ({time.perf_counter() - start:.0f} s)", flush=True)
    ok = table(results, args.seeds, args.role)
    print(f"\nevery claim held for every seed: {ok}")
    if args.json:
        from collapselab._files import write_atomically

        claims = {nb: {str(s): [c.__dict__ for c in cs] for s, cs in by.items()} for nb, by in results.items()}
        write_atomically(args.json, json.dumps({"meta": provenance, "claims": claims}, indent=1).encode())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
