"""The workshop's slide deck: ``docs/deck/slides.ipynb`` as reveal.js slides that work offline.

    python -m collapselab slides              # writes build/slides/index.html (open it in a browser)
    python -m collapselab slides --out DIR    # somewhere else

The deck (nine slides, speaker notes on the ``s`` key) is a notebook whose cells carry reveal.js
slide types. The build executes it in memory (its figures come from the toy models and the
committed long runs: seconds, no training; the stored file keeps no outputs) and exports it with
``jupyter nbconvert``'s slides exporter, code hidden, through the template in
``slides_template/`` (nbconvert's own, less the Mermaid and MathJax it would fetch from a CDN).

**Offline.** reveal.js, RequireJS and jQuery come from npm, pinned with their hashes in
``slides_vendor/package-lock.json``: the first build runs ``npm ci`` (Node.js and the npm registry
needed once) into ``build/slides-vendor/``, later builds reuse it, and the files the deck needs are
copied beside it. A browser then loads nothing from the internet: open ``index.html`` from disk,
or serve the folder. The course website includes the deck (``slides/``) and a page that links it.

It touches only what it made: a marker file in ``--out`` (see :mod:`collapselab.tools._owned`)
records what it wrote; a later build replaces exactly those paths and refuses, before any work,
to replace an ``index.html`` or ``reveal.js/`` it did not write (``--force`` overrides).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

from . import _owned

ROOT = Path(__file__).resolve().parents[3]
DECK = ROOT / "docs" / "deck" / "slides.ipynb"
OUT = ROOT / "build" / "slides"
#: where ``npm ci`` installs the pinned packages once (reused by later builds)
VENDOR = ROOT / "build" / "slides-vendor"
HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "slides_vendor"
TEMPLATES = HERE / "slides_template"
#: what a build writes into its output folder
BUILT = ["index.html", "reveal.js", "require.js", "jquery.min.js", "favicon.svg"]
#: the files of each npm package the deck loads, copied beside it (source in node_modules -> target)
FILES = {
    "reveal.js/dist/reveal.css": "reveal.js/dist/reveal.css",
    "reveal.js/dist/reveal.js": "reveal.js/dist/reveal.js",
    "reveal.js/dist/theme/white.css": "reveal.js/dist/theme/white.css",
    "reveal.js/dist/theme/fonts/source-sans-pro": "reveal.js/dist/theme/fonts/source-sans-pro",
    "reveal.js/plugin/notes/notes.js": "reveal.js/plugin/notes/notes.js",
    "requirejs/require.js": "require.js",
    "jquery/dist/jquery.min.js": "jquery.min.js",
}


class SlidesError(RuntimeError):
    """The deck could not be built; the message says why and what to do."""


def vendor(cache: Path = VENDOR) -> Path:
    """The ``node_modules`` folder holding the pinned reveal.js, RequireJS and jQuery: installed
    with ``npm ci`` from :data:`PACKAGE` into ``cache`` the first time, reused after (when its
    ``package-lock.json`` is still the committed one)."""
    modules = cache / "node_modules"
    lock = (PACKAGE / "package-lock.json").read_text(encoding="utf-8")
    if modules.is_dir() and (cache / "package-lock.json").is_file() \
            and (cache / "package-lock.json").read_text(encoding="utf-8") == lock \
            and all((modules / source).exists() for source in FILES):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise SlidesError("the slides need reveal.js from npm, and npm is not installed: install Node.js "
                          "(https://nodejs.org, or apt-get install nodejs npm), then build again")
    cache.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(PACKAGE / name, cache / name)
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=cache,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SlidesError(f"npm ci could not install the slides' packages into {cache} (it needs the npm registry "
                          f"once): {((done.stderr or done.stdout).strip().splitlines() or ['no output'])[-1]}")
    return modules


def deck_html(deck: Path = DECK) -> str:
    """The deck executed in memory and exported as one reveal.js page (code hidden)."""
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import SlidesExporter

    notebook = nbformat.read(deck, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(deck.parent)}}).execute()
    exporter = SlidesExporter(template_name="collapselab-slides", extra_template_basedirs=[str(TEMPLATES)],
                              reveal_url_prefix="reveal.js", reveal_theme="white", reveal_transition="none",
                              require_js_url="require.js", jquery_url="jquery.min.js", exclude_input=True,
                              exclude_input_prompt=True, exclude_output_prompt=True)
    html, _ = exporter.from_notebook_node(notebook)
    return html


def slide_count(deck: Path = DECK) -> int:
    """How many slides the deck has (cells whose slide type is ``slide``)."""
    cells = json.loads(deck.read_text(encoding="utf-8"))["cells"]
    return sum(c.get("metadata", {}).get("slideshow", {}).get("slide_type") == "slide" for c in cells)


def build(out: Path = OUT, *, force: bool = False, deck: Path = DECK) -> Path:
    """Build the deck into ``out``; return the path of its ``index.html``. Raises
    :class:`SlidesError` (npm missing or unreachable, a remote load in the page) and
    ``ValueError`` (before any work) when ``out`` holds what no slides build made."""
    from .site import remote_loads

    out = Path(out)
    if not force:
        _owned.check_ours(out, BUILT, "slides")
    modules = vendor()
    html = deck_html(deck)
    out.mkdir(parents=True, exist_ok=True)
    try:
        for name in BUILT:
            _owned.remove(out / name)
        for source, target in FILES.items():
            (out / target).parent.mkdir(parents=True, exist_ok=True)
            copy = shutil.copytree if (modules / source).is_dir() else shutil.copy
            copy(modules / source, out / target)
        shutil.copy(HERE / "site_assets" / "favicon.svg", out / "favicon.svg")  # else browsers ask for /favicon.ico
        _owned.write_text(out / "index.html", html)
    finally:
        _owned.record(out, "slides", [name for name in BUILT if (out / name).exists()])
    remote = [item for item in remote_loads(out) if item.startswith("index.html")]
    if remote:
        raise SlidesError(f"the deck at {out / 'index.html'} would load from the internet: " + "; ".join(remote))
    return out / "index.html"


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``slides`` to ``python -m collapselab``'s subcommands; :func:`run` handles it."""
    parser = subparsers.add_parser("slides", help="build the workshop's reveal.js slide deck (works offline)",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=_owned.folder_argument, default=OUT, help=f"output folder [{OUT}]")
    parser.add_argument("--force", action="store_true", help="replace an index.html or reveal.js/ no slides build made")
    return parser


def run(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    try:
        _owned.check_writable_folder(args.out)
        page = build(args.out, force=args.force)   # checks what it would replace before any work
    except ValueError as exc:                       # a bad --out, or one holding what no slides build made
        if parser is None:
            raise
        parser.error(str(exc))  # one line, exit 2, before any work
    except SlidesError as exc:
        print(f"slides: {exc}")
        return 1
    print(f"slides: {slide_count()} slides in {page} (open it in a browser; 's' shows the speaker notes)")
    return 0
