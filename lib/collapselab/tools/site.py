"""The course website: README.md, the executed notebooks and docs/*.md as one static site.

    python -m collapselab.tools.site             # builds build/site/html/ (open its index.html)
    python -m collapselab.tools.site --verbose   # with Sphinx's own progress output

Built with Jupyter Book 1 (Sphinx + myst-nb) from the notebooks *as stored*: nothing is executed,
so every figure and number on the site is the one committed. The pages and their order come from
:data:`collapselab.course.lessons.LESSONS` (a lesson whose notebook is not written yet is left out), after
the landing page made from README.md, followed by every ``docs/*.md``. Each notebook page has a
launch button that opens it in JupyterLab on Binder.

The site fetches nothing from the internet when a page loads, so it works offline and in CI:

* MathJax 3 is served from the site itself (``_static/mathjax/``), copied from the
  ``django-static-mathjax`` package, which is a plain copy of the MathJax distribution (it needs
  no Django);
* the Binder and Colab badges (README and notebooks) are replaced by local copies
  (``site_assets/binder-badge.svg``, ``colab-badge.svg``);
* the workshop's slide deck (:mod:`collapselab.tools.slides`: reveal.js from npm, copied beside it)
  is built into ``html/slides/``, and ``docs/slides.md`` shows it;
* the ipywidgets JavaScript (from a CDN) is left out: progress bars are dropped and any other
  widget becomes a note pointing to the launch button, since a widget needs a running kernel.

The build fails, listing what is wrong, on any Sphinx warning (a missing image, a broken link or
cross-reference, ...) and on any page that would load a script, stylesheet, image or font from
another host. Everything it writes lies under ``build/site/`` (git-ignored), or ``--out``: the
generated ``_config.yml`` and ``_toc.yml`` (derived from LESSONS and the files present, so there is
nothing to keep in sync by hand), ``html/``, ``.doctrees/`` and ``jupyter_execute/`` (myst-nb's
copies of the notebooks and their images): :data:`BUILT`.

It touches only what it made. A marker file in ``--out`` (see :mod:`collapselab._owned`) records
what the last build wrote; the next build deletes and rewrites exactly those paths, and refuses,
before any work, to replace one of :data:`BUILT` that no site build made (a learner's blog in
``html/``, a Jekyll ``_config.yml``, ...) or that changed since (files added to the built
``html/``), naming each; ``--force`` overrides. Everything else in ``--out`` is left untouched.
The marker is written even when the build fails, so a rebuild can always replace a failed one.

This module is also the Sphinx extension that does the offline parts (:func:`setup`).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from . import _owned
from ..course import colab
from ..course.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "build" / "site"
TITLE = "Model Collapse Lab"
REPOSITORY = "https://github.com/" + colab.REPO
BRANCH = colab.BRANCH
BINDERHUB = "https://mybinder.org"
INSTALL_HINT = "pip install -r requirements.txt"

ASSETS = Path(__file__).resolve().parent / "site_assets"
# Remote images in the sources, and the local copies the site shows instead.
LOCAL_IMAGES = {"https://mybinder.org/badge_logo.svg": ASSETS / "binder-badge.svg",
                "https://colab.research.google.com/assets/colab-badge.svg": ASSETS / "colab-badge.svg"}

MATHJAX_PATH = "mathjax/tex-chtml.js"  # under _static/; MathJax finds its fonts and extensions beside it
# The MathJax distribution's other bundles and its SVG output: not used by tex-chtml.js.
MATHJAX_UNUSED = {"tex-chtml-full.js", "tex-chtml-full-speech.js", "tex-mml-chtml.js", "tex-mml-svg.js",
                  "tex-svg.js", "tex-svg-full.js", "mml-chtml.js", "mml-svg.js", "node-main.js", "latest.js",
                  "svg", "svg.js"}


class SiteError(Exception):
    """The site could not be built, or was built with problems; the message says what and how to fix it."""


@dataclass(frozen=True)
class Page:
    """One page of the site, in the order of the navigation."""

    docname: str  # Sphinx's name for it: the source path without suffix, e.g. "notebooks/00_welcome"
    source: Path
    title: str    # its first heading, which is also the page's title

    @property
    def html(self) -> str:
        """The page's path in the built site."""
        return f"{self.docname}.html"


def _heading(text: str) -> str | None:
    """The first level-1 Markdown heading in ``text`` (outside code fences), without inline markup."""
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("# "):
            return re.sub(r"[*_`]", "", line[2:]).strip()
    return None


def title_of(path: Path) -> str:
    """A notebook's or Markdown file's first level-1 heading: the title Jupyter Book gives its page."""
    try:
        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        else:
            text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SiteError(f"{path} cannot be read as a page ({type(exc).__name__}: {exc}); restore it "
                        "(git checkout) and build again") from None
    title = _heading(text)
    if title is None:
        raise SiteError(f"{path}: no '# title' heading; every page of the site needs one")
    return title


def pages(root: Path = ROOT) -> list[Page]:
    """The site's pages in navigation order: README.md, the written lessons in course order, docs/*.md."""
    if not (root / "README.md").is_file():
        raise SiteError(f"{root} has no README.md, so it is not the course's folder; run from a checkout of the "
                        "course or pass --root <the checkout>")
    sources = [root / "README.md"]
    sources += [root / "notebooks" / lesson.filename for lesson in LESSONS
                if (root / "notebooks" / lesson.filename).is_file()]
    sources += sorted((root / "docs").glob("*.md"))
    return [Page(p.relative_to(root).with_suffix("").as_posix(), p, title_of(p)) for p in sources]


def toc(site_pages: list[Page]) -> dict:
    """The Jupyter Book table of contents: the landing page, then "Course" and "Guides" in the sidebar."""
    notebooks = [p.docname for p in site_pages if p.docname.startswith("notebooks/")]
    docs = [p.docname for p in site_pages if p.docname.startswith("docs/")]
    parts = [{"caption": caption, "chapters": [{"file": name} for name in names]}
             for caption, names in (("Course", notebooks), ("Guides", docs)) if names]
    return {"format": "jb-book", "root": site_pages[0].docname, **({"parts": parts} if parts else {})}


def config() -> dict:
    """The Jupyter Book configuration (``_config.yml``)."""
    return {
        "title": TITLE,
        "author": "Model Collapse Lab contributors",
        "copyright": "2026",
        "only_build_toc_files": True,  # the repository root is the source folder: build only the pages above
        "exclude_patterns": ["build", "data", "lib", "tests", "benchmarks", "binder", "docs/deck", ".*", "**/.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},  # the notebooks are stored executed
        "html": {"favicon": (ASSETS / "favicon.svg").as_posix(),  # else browsers ask for /favicon.ico
                 "use_repository_button": True, "home_page_in_navbar": True, "use_multitoc_numbering": False},
        "latex": {"use_jupyterbook_latex": False},  # no PDF
        "launch_buttons": {"binderhub_url": BINDERHUB, "notebook_interface": "jupyterlab", "thebe": False},
        "repository": {"url": REPOSITORY, "branch": BRANCH, "path_to_book": ""},
        "sphinx": {
            "recursive_update": True,  # merge html_theme_options below into Jupyter Book's
            "config": {
                "html_theme_options": {"navbar_persistent": []},  # one search box (the sidebar's), no top bar
                # Jupyter Book's extensions less three: sphinx_thebe (its inline script is added twice
                # under Sphinx 7, a console error, and live code is off anyway: the launch button goes
                # to Binder), sphinx.ext.intersphinx (nothing to link to) and sphinx_jupyterbook_latex (no
                # PDF); plus this module.
                "extensions": ["sphinx_togglebutton", "sphinx_copybutton", "myst_nb", "jupyter_book",
                               "sphinx_comments", "sphinx_external_toc", "sphinx_design", "sphinx_book_theme",
                               "collapselab.tools.site"],
                "html_context": {"default_mode": "light"},  # unset, the theme logs a console error
                "mathjax_path": MATHJAX_PATH,
                "nb_ipywidgets_js": {},    # no widget manager from a CDN (see the module docstring)
                "myst_heading_anchors": 3,  # README links such as (#benchmarks)
            },
        },
    }


# --------------------------------------------------------------------------------------------
# The Sphinx extension: what makes the site load nothing from the internet.


def _local_images(app, doctree) -> None:
    """Show local copies of known remote images (runs before Sphinx collects the images)."""
    from docutils import nodes

    for node in doctree.findall(nodes.image):
        local = LOCAL_IMAGES.get(node["uri"])
        if local is not None and Path(local).is_relative_to(Path(app.srcdir).resolve()):
            node["uri"] = "/" + Path(local).relative_to(Path(app.srcdir).resolve()).as_posix()


def _is_progress_bar(state: dict, model_id: str) -> bool:
    """Whether a widget is a progress bar (tqdm's is a box holding a FloatProgress)."""
    model = state.get(model_id, {})
    if model.get("model_name") in ("FloatProgressModel", "IntProgressModel"):
        return True
    children = model.get("state", {}).get("children", [])
    return any(_is_progress_bar(state, child.removeprefix("IPY_MODEL_")) for child in children)


def _static_widgets(app, doctree) -> None:
    """Drop widget outputs' dead weight: progress bars go, other widgets become a note."""
    from docutils import nodes

    source = Path(app.env.doc2path(app.env.docname))
    if source.suffix != ".ipynb":
        return
    widgets = json.loads(source.read_text(encoding="utf-8"))["metadata"].get("widgets", {})
    state = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    try:  # the widget state script is only useful to the widget JavaScript, which the site leaves out
        from myst_nb.sphinx_ import NbMetadataCollector

        NbMetadataCollector.get_js_files(app.env, app.env.docname).pop("ipywidgets_state", None)
    except (ImportError, AttributeError):
        pass
    prefix = '<script type="application/vnd.jupyter.widget-view+json">'
    for raw in list(doctree.findall(nodes.raw)):
        if not raw.astext().startswith(prefix):
            continue
        model_id = json.loads(raw.astext()[len(prefix):-len("</script>")].replace("<\\/", "</"))["model_id"]
        parent = raw.parent
        if _is_progress_bar(state, model_id):
            parent.remove(raw)
            while parent is not None and not parent.children and isinstance(parent, nodes.container):
                grandparent = parent.parent
                grandparent.remove(parent)
                parent = grandparent
        else:
            parent.replace(raw, nodes.note("", nodes.paragraph(
                text="This output is an interactive widget, which needs a running notebook: open this "
                     "notebook on Binder with the launch button (the rocket) at the top of the page.")))


def _copy_mathjax(app, exception) -> None:
    """Put MathJax into the built site, where ``mathjax_path`` points."""
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()

    def unused(folder, names):
        return [name for name in names if name in MATHJAX_UNUSED]

    target = Path(app.outdir) / "_static" / Path(MATHJAX_PATH).parent
    shutil.copytree(source, target, ignore=unused, dirs_exist_ok=True)


def mathjax_source() -> Path:
    """The folder of MathJax 3's browser files (``es5/``) that the ``django-static-mathjax`` package installs."""
    try:
        from importlib.resources import files

        folder = Path(str(files("mathjax") / "static" / "mathjax" / "es5"))
    except ImportError:  # the package is not installed
        folder = None
    if folder is None or not (folder / "tex-chtml.js").is_file():
        raise SiteError(f"MathJax 3 files not found (package django-static-mathjax): {INSTALL_HINT}")
    return folder


def setup(app):
    """Sphinx extension: local images, static widgets, MathJax copied into the site."""
    mathjax_source()  # fail early, not after the whole build
    app.connect("doctree-read", _local_images, priority=400)  # before Sphinx's image collector (500)
    app.connect("doctree-read", _static_widgets)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------------------------
# Checks of the built site.

REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)
CSS_REMOTE = re.compile(r"""(url\(\s*['"]?|@import\s+['"])(https?:)?//""", re.IGNORECASE)


class _Loads(HTMLParser):
    """Collects the URLs a page loads by itself (not links the reader may follow)."""

    ATTRIBUTES = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src",
                  "audio": "src", "embed": "src", "object": "data"}
    LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "manifest", "prefetch"}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and self.LINK_RELS & set((attrs.get("rel") or "").lower().split()):
            self.urls.append(attrs.get("href") or "")
        elif tag in self.ATTRIBUTES:
            self.urls.append(attrs.get(self.ATTRIBUTES[tag]) or "")
        if attrs.get("srcset"):
            self.urls += [part.split()[0] for part in attrs["srcset"].split(",") if part.strip()]


def remote_loads(html_dir: Path) -> list[str]:
    """Everything in the built site that a browser would fetch from another host on page load."""
    found = []
    for page in sorted(html_dir.rglob("*.html")):
        parser = _Loads()
        parser.feed(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(html_dir)}: {url}" for url in parser.urls if REMOTE.match(url)]
    for sheet in sorted((html_dir / "_static").rglob("*.css")):
        for match in CSS_REMOTE.finditer(sheet.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{sheet.relative_to(html_dir)}: {match.group(0)}...")
    return found


class _Tee(io.StringIO):
    """Sphinx's warning stream: kept for the verdict, and shown as they come with ``--verbose``."""

    def __init__(self, echo):
        super().__init__()
        self.echo = echo

    def write(self, text):
        if self.echo is not None:
            self.echo.write(text)
        return super().write(text)


def warnings_in(log: str) -> list[str]:
    """The warning and error lines of a Sphinx log, without colour codes."""
    lines = re.sub(r"\x1b\[[0-9;]*m", "", log).splitlines()
    return [line for line in lines if re.search(r"\b(WARNING|ERROR|CRITICAL|SEVERE)\b", line)]


# --------------------------------------------------------------------------------------------
# The build.


#: the folder myst-nb writes beside Sphinx's output folder (``out/html``): copies of the notebooks
#: and the images of their outputs
NB_OUTPUT = "jupyter_execute"
#: what a build writes into its output folder (and so may replace on the next build)
BUILT = ("html", ".doctrees", "_config.yml", "_toc.yml", NB_OUTPUT)


def check_out(out: Path, *, force: bool = False) -> None:
    """Raise ``ValueError`` (one line) before any work if ``out`` cannot be written or holds a
    :data:`BUILT` path that no site build made (or files added to a built ``html/``), unless ``force``."""
    _owned.check_writable_folder(out)
    if not force:
        _owned.check_ours(out, _checked(out), "site")


def _checked(out: Path) -> list[str]:
    """The :data:`BUILT` paths whose ownership the marker in ``out`` must prove. Markers written
    before :data:`NB_OUTPUT` was recorded list the rest of :data:`BUILT` but not it, although that
    build (myst-nb) wrote it: in a folder with such a site marker, an unrecorded ``jupyter_execute/``
    is the earlier build's, so the default ``build/site/`` keeps rebuilding."""
    made = _owned.read_marker(out, "site")
    legacy = bool(made) and NB_OUTPUT not in made and all(name in made for name in ("html", "_config.yml"))
    return [name for name in BUILT if not (legacy and name == NB_OUTPUT)]


def _slides(html: Path) -> list[str]:
    """Build the workshop's slide deck into ``html/slides/`` (``docs/slides.md`` shows it); the
    problems, if it could not be built."""
    from . import slides

    try:
        slides.build(html / "slides", force=True)  # html/ is this build's own, made from scratch
    except slides.SlidesError as exc:
        return [f"slides: {exc}"]
    return []


def build(root: Path = ROOT, out: Path = OUT, *, verbose: bool = False, force: bool = False) -> Path:
    """Build the site from scratch into ``out/html``; return the path of its ``index.html``.

    Raises :class:`SiteError` listing the problems when Sphinx warned or a page would load
    something from the internet, and ``ValueError`` (before any work) when ``out`` holds what no
    site build made (see :func:`check_out`; ``force`` replaces it).
    """
    try:
        import yaml
        from jupyter_book.config import get_final_config
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils
    except ImportError as exc:
        raise SiteError(f"the site needs Jupyter Book 1 ({exc}): {INSTALL_HINT}") from exc
    mathjax_source()

    site_pages = pages(root)
    check_out(out, force=force)
    out.mkdir(parents=True, exist_ok=True)
    html, doctrees = out / "html", out / ".doctrees"
    log = _Tee(sys.stderr if verbose else None)
    try:
        for name in BUILT:  # from scratch, so every warning is seen on every build; only what a build made
            _owned.remove(out / name)
        _owned.write_text(out / "_toc.yml", yaml.safe_dump(toc(site_pages), sort_keys=False))
        _owned.write_text(out / "_config.yml", yaml.safe_dump(config(), sort_keys=False))
        sphinx_config, _ = get_final_config(
            user_yaml=out / "_config.yml", sourcedir=root, raise_on_invalid=True,
            cli_config={"external_toc_path": (out / "_toc.yml").as_posix(), "latex_individualpages": False})
        with patch_docutils(None), docutils_namespace():
            app = Sphinx(srcdir=str(root), confdir=None, outdir=str(html), doctreedir=str(doctrees),
                         buildername="html", confoverrides=sphinx_config, status=sys.stdout if verbose else None,
                         warning=log, freshenv=True, keep_going=True)
            app.build(force_all=True)
        deck_problems = _slides(html)
    finally:  # also after a failure or Ctrl-C: what is there now is this build's, for the next one to replace
        _owned.record(out, "site", [name for name in BUILT if (out / name).exists()])

    problems = [f"Sphinx: {line}" for line in warnings_in(log.getvalue())] + deck_problems
    problems += [f"missing page: {page.html} (from {page.source.relative_to(root)})"
                 for page in site_pages if not (html / page.html).is_file()]
    problems += [f"loads from the internet: {item}" for item in remote_loads(html)]
    if not (html / "_static" / MATHJAX_PATH).is_file():
        problems.append(f"MathJax is missing from the site: _static/{MATHJAX_PATH}")
    if problems:
        raise SiteError(
            f"the site at {html} has {len(problems)} problem(s):\n  " + "\n  ".join(problems) + "\n"
            "Fix each at the file and line given (a page that loads from the internet needs a local copy: "
            "see LOCAL_IMAGES in collapselab/site.py), then build again; --verbose shows Sphinx's whole log.")
    return html / "index.html"


EPILOG = ("The build replaces only what an earlier site build wrote in --out (recorded in its marker file): "
          "an html/, .doctrees/, jupyter_execute/, _config.yml or _toc.yml it did not make is refused, by name, "
          "before any work; everything else in --out is left alone.")


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the site's options (``--verbose``, ``--out``, ``--root``, ``--force``) to ``parser``."""
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress output")
    parser.add_argument("--out", type=_owned.folder_argument, default=OUT, help="folder for the site (html/ inside it)")
    parser.add_argument("--root", type=_owned.folder_argument, default=ROOT,
                        help="the course's folder (README.md, notebooks/, docs/)")
    parser.add_argument("--force", action="store_true",
                        help="replace html/, .doctrees/, jupyter_execute/, _config.yml and _toc.yml in --out even if "
                             "no site build made them (or files were added to them since)")
    return parser


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``site`` to ``python -m collapselab``'s subcommands; :func:`run` handles it."""
    return add_arguments(subparsers.add_parser("site", help="build the course website into build/site/html/",
                                               description=__doc__.split("\n\n")[0], epilog=EPILOG))


def run(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    """Build the site as the command line asked; print where it is (exit status 0), or what went wrong:
    a bad ``--root`` or ``--out`` (a folder without README.md, an unreadable page, an ``--out`` that is
    a file, read-only or holds what no site build made) in one line before any work (exit status 2,
    through ``parser.error`` when ``parser`` is given), a failed build (exit status 1)."""
    started = time.perf_counter()
    root, out = args.root.resolve(), args.out.resolve()
    try:  # the inputs and the output folder, before any work: one line and exit status 2
        pages(root)
        check_out(out, force=args.force)
    except (SiteError, ValueError) as exc:
        if parser is not None:
            parser.error(str(exc))
        print(f"site not built: {exc}", file=sys.stderr)
        return 2
    skipped = [lesson.filename for lesson in LESSONS if not (root / "notebooks" / lesson.filename).is_file()]
    if skipped:
        print(f"not written yet, left out of the site: {', '.join(skipped)}")
    try:
        from sphinx.errors import SphinxError
    except ImportError:  # build() says what to install
        SphinxError = SiteError
    try:
        index = build(root, out, verbose=args.verbose, force=args.force)
    except SiteError as exc:
        print(f"site build failed: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError, SphinxError) as exc:  # a full disk, a folder changed meanwhile, Sphinx's errors
        print(f"site build failed: {type(exc).__name__}: {exc}; build again with --verbose to see Sphinx's log",
              file=sys.stderr)
        return 1
    shown = index.relative_to(Path.cwd()) if index.is_relative_to(Path.cwd()) else index
    print(f"Course website built in {time.perf_counter() - started:.0f} s: {len(pages(root))} pages.\n"
          f"  open {shown}\n"
          f"  or serve it: python -m http.server --directory {shown.parent} 8000")
    return 0


def main(argv=None) -> int:
    parser = add_arguments(argparse.ArgumentParser(prog="python -m collapselab.tools.site",
                                                   description=__doc__.split("\n\n")[0], epilog=EPILOG))
    return run(parser.parse_args(argv), parser)


if __name__ == "__main__":
    sys.exit(main())
