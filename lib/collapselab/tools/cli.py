"""``python -m collapselab``: the course's experiments and tools from the command line.

    python -m collapselab run --generations 8 --policy replace real-only --seeds 0 1 --out results/
    python -m collapselab text --generations 8 --policy replace mix:0.1 accumulate --out text-results/
    python -m collapselab fetch      # download and verify the data (MNIST, Tiny Shakespeare)
    python -m collapselab warm       # train and cache everything the notebooks need
    python -m collapselab student    # the student edition of the notebooks, in build/student/
    python -m collapselab site       # the course website, in build/site/html/
    python -m collapselab slides     # the workshop's slide deck, in build/slides/ (works offline)

``run`` drives the image photocopier and ``text`` the language photocopier, for instructors who
want more generations or seeds than a notebook should hold. Each writes, under ``--out``:
``metrics.csv`` and ``metrics.json`` (one row per policy, seed and generation) and ``metrics.png``
(each metric across generations). Checkpoints and metrics are cached under the data folder, so a
repeated or extended run only computes what is new.

* Every option is checked before any work starts (data, bounds, the output folder, the
  ``COLLAPSELAB_THREADS`` setting); a mistake exits with status 2 and one line that says why, and
  leaves no folder behind.
* The same run asked for twice (``--seeds 0 0``, ``mix:0.1 mix:0.10``) is run once.
* The three result files are rewritten after every finished run, as a set: each is written to a
  temporary file beside it and renamed into place only when all three are ready, so a full disk or
  a crash never leaves a broken or mismatched set (the previous set stays as it was).
* A run that fails (a policy that rejects every sample, say) is reported in one line; the other
  runs go on and their results are kept. The exit status is then 1, after a line naming the failed
  runs; if no run finished, no ``--out`` folder is left behind.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path

from ._owned import check_writable_folder, folder_argument

COMMANDS = {}


def command(name: str):
    """Register ``fn(args) -> int`` as the handler of subcommand ``name``."""
    def decorate(fn):
        COMMANDS[name] = fn
        return fn
    return decorate


def _add_run_parser(sub) -> None:
    from ..images import photocopier as images
    from .. import policies

    defaults = images.RunConfig()
    run = sub.add_parser("run", help="run recursive VAE generations on MNIST and write metrics and a figure",
                         description="Generations of VAEs, each trained on data built from its predecessor's "
                                     "samples by a policy. Options left out take the defaults shown (or, with "
                                     "--full, those of RunConfig.full()).")
    run.add_argument("--generations", type=int, default=None, help=f"generations after generation 0 [{defaults.generations}]")
    run.add_argument("--images", type=int, default=None,
                     help=f"real images for generation 0 [{defaults.n_images}]")
    run.add_argument("--sample-size", type=int, default=None, help="new images drawn per generation [--images]")
    run.add_argument("--policy", nargs="+", default=[defaults.policy],
                     help="one or more of: " + ", ".join(policies.names("images")) + f" [{defaults.policy}]")
    run.add_argument("--sampling", choices=("mean", "bernoulli"), default=None,
                     help=f"what the next generation trains on: decoder means or Bernoulli pixel samples [{defaults.sampling}]")
    run.add_argument("--budget", choices=images.BUDGETS, default=None,
                     help=f"gradient steps per generation: fixed, growing with the training set, or matched to accumulate's growing steps ((g+1) x generation 0's) [{defaults.budget}]")
    run.add_argument("--epochs", type=int, default=None,
                     help=f"epochs of a generation that trains on --images images [{defaults.vae.epochs}]")
    run.add_argument("--seeds", type=int, nargs="+", default=[defaults.seed], help=f"one run per seed [{defaults.seed}]")
    run.add_argument("--eval-images", type=int, default=None,
                     help=f"generated images scored per generation [{defaults.n_eval}]")
    run.add_argument("--full", action="store_true", help="start from the bigger RunConfig.full() settings")
    run.add_argument("--out", type=folder_argument, default=Path("results"),
                     help="folder for metrics.csv, metrics.json, metrics.png [results]")
    run.add_argument("--data-root", type=folder_argument, default=None,
                     help="data folder (default: $COLLAPSELAB_DATA, else the course's data/)")
    run.add_argument("--classifier-train-images", type=int, default=60_000,
                     help="images for the evaluation classifier (fewer only for quick smoke runs) [60000]")


def _add_text_parser(sub) -> None:
    from .. import policies
    from ..text import photocopier as language

    defaults = language.TextRunConfig()
    text = sub.add_parser("text", help="run recursive language-model generations on Tiny Shakespeare",
                          description="Generations of character-level language models, each fine-tuned from the "
                                      "same pre-trained model on text built from its predecessor's writing by a "
                                      "policy (Shumailov et al.'s protocol). Options left out take the defaults shown.")
    text.add_argument("--generations", type=int, default=defaults.generations,
                      help=f"generations after generation 0 [{defaults.generations}]")
    text.add_argument("--policy", nargs="+", default=[defaults.policy],
                      help="one or more of: " + ", ".join(policies.names("text"))
                           + f" (mix:0.1 keeps 10%% real text) [{defaults.policy}]")
    text.add_argument("--temperature", type=float, nargs="+", default=[defaults.temperature],
                      help=f"sampling temperature(s) of the text each generation writes (0 = greedy) "
                           f"[{defaults.temperature:g}]")
    text.add_argument("--passages", type=int, default=defaults.n_real,
                      help=f"real passages of 256 characters for generation 0, and passages written per generation "
                           f"[{defaults.n_real}]")
    text.add_argument("--real-pool", choices=language.REAL_POOLS, default=defaults.real_pool,
                      help="where the real passages of mix:<f> and real-only come from: fresh ones, or generation 0's "
                           f"own (Shumailov et al.'s 10%% of the original data) [{defaults.real_pool}]")
    text.add_argument("--finetune-steps", type=int, default=defaults.lm.finetune_steps,
                      help=f"fine-tuning steps of every generation [{defaults.lm.finetune_steps}]")
    text.add_argument("--pretrain-steps", type=int, default=defaults.lm.pretrain_steps,
                      help="steps of the pre-trained model every generation starts from (fewer only for smoke runs) "
                           f"[{defaults.lm.pretrain_steps}]")
    text.add_argument("--seeds", type=int, nargs="+", default=[defaults.seed], help=f"one run per seed [{defaults.seed}]")
    text.add_argument("--eval-passages", type=int, default=defaults.n_eval,
                      help=f"generated passages scored per generation [{defaults.n_eval}]")
    text.add_argument("--out", type=folder_argument, default=Path("text-results"),
                      help="folder for metrics.csv, metrics.json, metrics.png [text-results]")
    text.add_argument("--data-root", type=folder_argument, default=None,
                      help="data folder (default: $COLLAPSELAB_DATA, else the course's data/)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m collapselab", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run_parser(sub)
    _add_text_parser(sub)
    from . import fetch, site, slides, student, warm

    for name, module in (("fetch", fetch), ("site", site), ("slides", slides), ("student", student), ("warm", warm)):
        module.add_parser(sub)
        COMMANDS[name] = module.run
    return parser


def check_out_folder(out: Path) -> Path:
    """``out`` as a folder this process can write to (created if missing), or a ``ValueError``."""
    check_writable_folder(out, "--out", keep=True)
    return out


def missing_top(folder: Path) -> Path | None:
    """The top-most folder of ``folder`` (itself or a parent) that does not exist yet, or None."""
    top = None
    for path in (folder, *folder.parents):
        if path.exists() or path.is_symlink():
            break
        top = path
    return top


def remove_if_empty(folder: Path, top: Path | None) -> None:
    """Remove ``folder`` and its parents up to ``top`` (see :func:`missing_top`: the folders made for
    ``--out``) where they are empty, so a command that wrote no results leaves no folder behind."""
    while top is not None:
        try:
            folder.rmdir()  # only an empty folder: never one that holds results or anything else
        except OSError:
            return
        if folder == top:
            return
        folder = folder.parent


def run_configs(args) -> list:
    """The :class:`~collapselab.images.RunConfig` of every distinct policy x seed the options ask
    for (see :func:`unique`). Only the options given on the command line override the defaults (or
    ``RunConfig.full()``)."""
    from dataclasses import replace

    from ..images import photocopier as images

    base = images.RunConfig.full() if args.full else images.RunConfig()
    given = {"generations": args.generations, "n_images": args.images, "sample_size": args.sample_size,
             "sampling": args.sampling, "budget": args.budget, "n_eval": args.eval_images}
    given = {k: v for k, v in given.items() if v is not None}
    if args.epochs is not None:
        given["vae"] = replace(base.vae, epochs=args.epochs)
    return unique([replace(base, **given, policy=policy, seed=seed) for policy in args.policy for seed in args.seeds])


def text_configs(args) -> list:
    """The :class:`~collapselab.language.TextRunConfig` of every distinct policy x temperature
    x seed (see :func:`unique`)."""
    from dataclasses import replace

    from ..text import photocopier as language

    base = language.TextRunConfig()
    lm = replace(base.lm, finetune_steps=args.finetune_steps, pretrain_steps=args.pretrain_steps)
    return unique([replace(base, generations=args.generations, policy=policy, temperature=temperature, lm=lm,
                           n_real=args.passages, n_eval=args.eval_passages, seed=seed, real_pool=args.real_pool)
                   for policy in args.policy for temperature in args.temperature for seed in args.seeds])


def label(config) -> str:
    """``policy=... [temperature=...] seed=...``: what tells one run of a command from another."""
    return config.label()


def unique(configs: list) -> list:
    """``configs`` without repeats, in order (configurations are frozen dataclasses that store
    policies in one spelling, so ``mix:0.1``, ``mix:0.10`` and ``mix:1e-1`` are the same run);
    one note on stderr names the repeats that were dropped."""
    from collections import Counter

    counts = Counter(configs)
    kept = list(counts)  # first occurrences, in order
    if len(kept) < len(configs):
        repeats = ", ".join(f"{label(c)} asked for {n} times" for c, n in counts.items() if n > 1)
        print(f"note: {len(configs) - len(kept)} repeated run(s) dropped, each is run once: {repeats}", file=sys.stderr)
    return kept


#: the metrics each command's figure shows, one panel each
IMAGE_PANELS = ("fd", "precision", "recall", "density", "coverage", "class_entropy", "kl_uniform", "confidence",
                "pixel_diversity", "tail_share", "latent_spread")
TEXT_PANELS = ("real_perplexity", "gen0_perplexity_median", "distinct_1", "distinct_2", "repetition",
               "real_word_share", "distinct_real", "rare_words_used")


def figure(runs, path: Path, panels: tuple[str, ...], title: str) -> None:
    """``metrics.png``: one panel per metric of ``panels`` across generations, one line per run,
    coloured by everything but the seed (the first seed's lines carry the legend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plots import OKABE_ITO, use_course_style

    use_course_style()
    columns = 4
    rows_ = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows_, columns, figsize=(15, 3.2 * rows_ + 0.5), squeeze=False)
    name_of = lambda run: run.config.label().rsplit(" seed=", 1)[0]  # noqa: E731
    names = list(dict.fromkeys(name_of(r) for r in runs))
    for ax, panel in zip(axes.flat, panels):
        for run in runs:
            ax.plot(run.metric(panel), "o-", ms=3, color=OKABE_ITO[names.index(name_of(run)) % len(OKABE_ITO)],
                    alpha=0.8, label=name_of(run) if run.config.seed == runs[0].config.seed else None)
        ax.set(title=panel, xlabel="generation")
    for ax in axes.flat[len(panels):]:
        ax.set_axis_off()
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(title, fontweight="bold")
    fig.savefig(path)
    plt.close(fig)


def _image_figure(runs, path: Path) -> None:
    figure(runs, path, IMAGE_PANELS, "Image photocopier: metrics per generation")


def _text_figure(runs, path: Path) -> None:
    figure(runs, path, TEXT_PANELS, "Language photocopier: metrics per generation")


def _csv_text(rows: list[dict]) -> str:
    handle = io.StringIO(newline="")
    writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return handle.getvalue()


def write_results(out: Path, runs: list, configs: list, figure) -> list[Path]:
    """``metrics.csv``, ``metrics.json`` and ``figure(runs, path)``'s ``metrics.png`` under ``out``,
    written as one set: each to a temporary file beside it first, then all three renamed into place.
    If anything fails (a full disk), the temporary files are removed and the previous set is left
    as it was. ``out`` is made again if it was deleted during the run. Returns the three paths."""
    from dataclasses import asdict

    from .._files import current_umask

    rows = [row for run in runs for row in run.rows()]
    out.mkdir(parents=True, exist_ok=True)
    targets = [out / "metrics.csv", out / "metrics.json", out / "metrics.png"]
    temporary: list[Path] = []
    try:
        for target in targets:
            fd, name = tempfile.mkstemp(dir=out, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}")
            os.close(fd)
            temporary.append(Path(name))
        temporary[0].write_text(_csv_text(rows), encoding="utf-8")
        temporary[1].write_text(json.dumps({"configs": [asdict(c) for c in configs], "rows": rows}, indent=1,
                                           default=str), encoding="utf-8")
        figure(runs, temporary[2])
        for path in temporary:
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    except BaseException:
        for path in temporary:
            path.unlink(missing_ok=True)
        raise
    with _locked(out / ".metrics.lock"):  # two runs finishing together never interleave their sets
        for path, target in zip(temporary, targets):
            os.chmod(path, 0o666 & ~current_umask())
            os.replace(path, target)
    return targets


@contextlib.contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on ``path`` (a lock file) where the platform has ``fcntl``."""
    try:
        import fcntl
    except ImportError:  # Windows: the renames stay atomic one by one
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_all(configs: list, run_one, out: Path, figure, describe) -> int:
    """Run every configuration with ``run_one(config)``; after each finished run, rewrite the result
    set under ``out`` (so finished runs are never lost). A run that raises is reported on stderr and
    skipped. Returns the exit status: 0, or 1 if any run failed (or no result could be written)."""
    runs, done, failed = [], [], []
    for config in configs:
        print(f"{describe(config)}", flush=True)
        try:
            runs.append(run_one(config))
            done.append(config)
        except Exception as exc:  # noqa: BLE001 (one failed run must not lose the others)
            failed.append(describe(config))
            reason = " ".join(str(exc).split())  # one line, even for a message that has several
            print(f"error: {describe(config)} failed: {type(exc).__name__}: {reason}", file=sys.stderr, flush=True)
            continue
        try:
            paths = write_results(out, runs, done, figure)
        except OSError as exc:
            print(f"error: could not write the results under {out} ({exc.strerror or exc}); the previous files "
                  "are unchanged and every finished model is cached: free some space and run the same command "
                  "again", file=sys.stderr)
            return 1
    rows = sum(len(run.rows()) for run in runs)
    if runs:
        print(f"wrote {rows} rows to {paths[0]}, {paths[1]} and {paths[2]}")
    if failed:
        print(f"error: {len(failed)} of {len(configs)} run(s) failed: {'; '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _check_environment() -> None:
    """The data folder the library reads from ``$COLLAPSELAB_DATA``, checked before any work
    (``ValueError``; :func:`main` has checked ``$COLLAPSELAB_THREADS`` already)."""
    from ..data import data_root

    data_root()


@command("run")
def _run(args, parser) -> int:
    from .. import data
    from ..images import photocopier as images
    from ..images.classifier import ClassifierConfig

    try:
        _check_environment()
        configs = run_configs(args)
        classifier = ClassifierConfig(n_train=args.classifier_train_images)
        for train in (True, False):  # present and official, before anything trains
            data.load_mnist(train, root=args.data_root)
        made = missing_top(args.out)
        check_out_folder(args.out)  # last: a mistake elsewhere leaves no empty folder behind
    except (ValueError, data.MNISTNotFoundError, data.MNISTCorruptError) as exc:
        parser.error(str(exc))  # prints usage and the reason, exits with status 2
    describe = lambda c: (f"run: policy={c.policy} seed={c.seed} generations={c.generations} "  # noqa: E731
                          f"images={c.n_images} sampling={c.sampling} budget={c.budget}")
    try:
        lab = images.Lab(root=args.data_root, classifier=classifier, progress=True)
        return run_all(configs, lambda config: images.run(config, lab, progress=True), args.out, _image_figure,
                       describe)
    finally:  # every run failed, or the work raised: no empty --out folder is left behind
        remove_if_empty(args.out, made)


@command("text")
def _text(args, parser) -> int:
    from ..text import corpus
    from ..text import photocopier as language

    try:
        _check_environment()
        configs = text_configs(args)
        lab = language.TextLab(args.data_root)
        if any(c.n_real >= len(lab.real) for c in configs):
            raise ValueError(f"--passages must be < {len(lab.real)} (the real passages of the fine-tuning text: the "
                             "ones generation 0 does not use are the pool of fresh real text)")
        made = missing_top(args.out)
        check_out_folder(args.out)  # last: a mistake elsewhere leaves no empty folder behind
    except (ValueError, corpus.TextNotFoundError, corpus.TextCorruptError) as exc:
        parser.error(str(exc))  # prints usage and the reason, exits with status 2
    describe = lambda c: (f"text: policy={c.policy} temperature={c.temperature:g} seed={c.seed} "  # noqa: E731
                          f"generations={c.generations} passages={c.n_real}")
    try:
        return run_all(configs, lambda config: language.run(config, lab, progress=True), args.out,
                       _text_figure, describe)
    finally:  # every run failed, or the work raised: no empty --out folder is left behind
        remove_if_empty(args.out, made)


def main(argv=None) -> int:
    import warnings

    with warnings.catch_warnings():  # a bad $COLLAPSELAB_THREADS is refused below, in one line
        warnings.filterwarnings("ignore", message="COLLAPSELAB_THREADS must be")
        parser = build_parser()  # imports the library (and torch)
        from ..training import thread_setting
    args = parser.parse_args(argv)  # first, so that --help works whatever the environment
    try:
        thread_setting()
    except ValueError as exc:
        parser.error(str(exc))  # one line, exit status 2, before any command starts
    return COMMANDS[args.command](args, parser)


if __name__ == "__main__":
    sys.exit(main())
