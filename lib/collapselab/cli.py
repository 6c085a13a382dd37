"""``python -m collapselab``: run the image photocopier from the command line.

    python -m collapselab run --generations 8 --images 10000 --policy replace --seeds 0 1 --out results/

For instructors who want bigger runs or several seeds than a notebook should hold. Writes, under
``--out``: ``metrics.csv`` and ``metrics.json`` (one row per policy, seed and generation) and
``metrics.png`` (each metric across generations). Checkpoints and metrics are cached under
``data/cache``, so a repeated or extended run only computes what is new.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from . import generations


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m collapselab", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run recursive VAE generations and write metrics and a figure",
                         formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    defaults = generations.RunConfig()
    run.add_argument("--generations", type=int, default=defaults.generations, help="generations after generation 0")
    run.add_argument("--images", type=int, default=defaults.n_images, help="real images for generation 0 and samples per generation")
    run.add_argument("--policy", nargs="+", default=[defaults.policy],
                     help="one or more of: replace, accumulate, accumulate-subsample, provenance-accumulate, "
                          "mix:<fraction>, detector-filter:<fresh fraction>")
    run.add_argument("--seeds", type=int, nargs="+", default=[defaults.seed], help="one run per seed")
    run.add_argument("--epochs", type=int, default=defaults.epochs, help="epochs per generation (at --images training images)")
    run.add_argument("--eval-images", type=int, default=defaults.n_eval, help="generated images scored per generation")
    run.add_argument("--full", action="store_true", help="start from the bigger RunConfig.full() settings")
    run.add_argument("--out", type=Path, default=Path("results"), help="folder for metrics.csv, metrics.json, metrics.png")
    run.add_argument("--data-root", type=Path, default=None, help="data folder (default: the course's data/)")
    run.add_argument("--classifier-train-images", type=int, default=60_000,
                     help="images for the evaluation classifier (fewer only for quick smoke runs)")
    return parser


def _configs(args) -> list[generations.RunConfig]:
    base = generations.RunConfig.full() if args.full else generations.RunConfig()
    given = {"generations": args.generations, "n_images": args.images, "epochs": args.epochs, "n_eval": args.eval_images}
    if args.full:  # only the options the user changed override the bigger defaults
        given = {k: v for k, v in given.items() if v != getattr(generations.RunConfig(), k)}
    configs = []
    for policy in args.policy:
        for seed in args.seeds:
            fields = {**base.__dict__, **given, "policy": policy, "seed": seed}
            configs.append(generations.RunConfig(**fields))
    return configs


def _figure(runs, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import OKABE_ITO, use_course_style

    use_course_style()
    names = generations.METRICS
    fig, axes = plt.subplots(3, 3, figsize=(12, 9))
    policies = sorted({r.config.policy for r in runs})
    for ax, name in zip(axes.flat, names):
        for run in runs:
            color = OKABE_ITO[policies.index(run.config.policy) % len(OKABE_ITO)]
            ax.plot(run.metric(name), "o-", ms=3, color=color, alpha=0.8,
                    label=run.config.policy if run.config.seed == runs[0].config.seed else None)
        ax.set(title=name, xlabel="generation")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Image photocopier: metrics per generation", fontweight="bold")
    fig.savefig(path)
    plt.close(fig)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        configs = _configs(args)
    except ValueError as exc:
        parser.error(str(exc))  # prints usage and the reason, exits with status 2
    from .classifier import ClassifierConfig

    lab = generations.Lab(root=args.data_root, classifier=ClassifierConfig(n_train=args.classifier_train_images), progress=True)
    runs = []
    for config in configs:
        print(f"run: policy={config.policy} seed={config.seed} generations={config.generations} images={config.n_images}",
              flush=True)
        runs.append(generations.run(config, lab, progress=True))
    rows = [row for run in runs for row in run.rows()]
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "metrics.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (args.out / "metrics.json").write_text(json.dumps({"configs": [c.__dict__ for c in configs], "rows": rows}, indent=1))
    _figure(runs, args.out / "metrics.png")
    print(f"wrote {len(rows)} rows to {args.out / 'metrics.csv'}, {args.out / 'metrics.json'} and {args.out / 'metrics.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
