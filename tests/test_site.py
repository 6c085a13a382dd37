"""The course website: one command builds it, and every page works in a real browser, offline.

The site is built once per test session (``python -m collapselab.tools.site``, a few seconds), served
from 127.0.0.1 and opened in headless Chromium driven by Selenium, which checks what a reader sees
on every page: its title, every figure, typeset math, internal links that lead somewhere, nothing
fetched from another host (the site must work offline) and a console without errors. A screenshot
of each page goes to build/site/screenshots/.

Needs the site packages (``pip install -r requirements.txt``) and Chromium with its driver
(``apt-get install chromium chromium-driver``). Without them these tests skip and say how to
install them; with ``COLLAPSELAB_REQUIRE_BROWSER=1`` (as in CI) they fail instead.
"""

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from collapselab.course import lessons as course
from collapselab.tools import site

ROOT = Path(__file__).resolve().parents[1]
HTML = site.OUT / "html"
SCREENSHOTS = site.OUT / "screenshots"
PAGES = site.pages(ROOT)
NOTEBOOK_PAGES = [p for p in PAGES if p.source.suffix == ".ipynb"]

PACKAGES_MESSAGE = ("the course website needs its packages (Jupyter Book 1, Selenium, MathJax): "
                    "pip install -r requirements.txt")
BROWSER_MESSAGE = ("the course website's browser test needs Chromium and chromedriver: "
                   "apt-get update && apt-get install -y chromium chromium-driver (as root, e.g. with sudo)")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,1200"]


def missing(message):
    """Skip, saying what to install; fail instead where the environment promises everything (CI)."""
    if os.environ.get("COLLAPSELAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} (COLLAPSELAB_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(message)


def program(*names):
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK) else None)
        if found:
            return found
    return None


# --------------------------------------------------------------------------------------------
# The site, a local server and a browser, once per session.


@pytest.fixture(scope="session")
def build_output():
    """Build the site with the one command; its output (stdout and stderr)."""
    for module in ("jupyter_book", "myst_nb", "sphinx", "selenium"):
        try:
            __import__(module)
        except ImportError:
            missing(PACKAGES_MESSAGE)
    try:
        site.mathjax_source()
    except site.SiteError:
        missing(PACKAGES_MESSAGE)
    done = subprocess.run([sys.executable, "-m", "collapselab.tools.site"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"python -m collapselab.tools.site failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="session")
def server(build_output):
    """The built site served over HTTP on 127.0.0.1; its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser that stopped reading is fine
                super().handle_error(request, client_address)

    httpd = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser(build_output):
    """Headless Chromium under Selenium, with the given chromedriver (Selenium Manager downloads nothing)."""
    chromium, chromedriver = program("chromium", "chromium-browser"), program("chromedriver")
    if not chromium or not chromedriver:
        missing(BROWSER_MESSAGE)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="collapselab-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# One visit per page: what the reader sees, recorded once and checked by the tests below.

READ_PAGE = """
const done = arguments[arguments.length - 1];
const typeset = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
typeset.catch(() => null).then(() => {
  const article = document.querySelector('article') || document.body;
  const h1 = document.querySelector('article h1') || document.querySelector('h1');
  const heading = h1 ? h1.cloneNode(true) : null;
  if (heading) heading.querySelectorAll('.headerlink').forEach(e => e.remove());
  const prose = article.cloneNode(true);  // the text a reader sees, less code and typeset math
  prose.querySelectorAll('pre, code, script, style, mjx-container, .math').forEach(e => e.remove());
  const maths = Array.from(document.querySelectorAll('span.math, div.math'));
  done({
    url: location.href,
    title: document.title,
    h1: heading ? heading.textContent.trim() : null,
    images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, complete: i.complete,
                                                   width: i.naturalWidth})),
    figures: document.querySelectorAll('.cell_output img').length,
    maths: maths.length,
    typeset: maths.filter(m => m.querySelector('mjx-container')).length,
    prose: prose.innerText,
    links: Array.from(document.querySelectorAll('a[href]')).map(a => ({href: a.href,
                                                                      raw: a.getAttribute('href')})),
    fetched: performance.getEntriesByType('resource').map(r => r.name),
  });
});
"""


@dataclass
class Visit:
    url: str
    title: str
    h1: str | None
    images: list
    figures: int
    maths: int
    typeset: int
    prose: str
    links: list
    fetched: list  # every resource the page requested: scripts, stylesheets, images, fonts
    console: list  # the browser log's entries while the page loaded


def open_page(browser, url):
    browser.get_log("browser")  # forget the previous page's messages
    browser.get(url)
    seen = browser.execute_async_script(READ_PAGE)
    return Visit(**seen, console=browser.get_log("browser"))


@pytest.fixture(scope="session")
def visits(browser, server):
    """``visit(page)``: open a page (once per session), save its screenshot, return what it showed."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # no stale screenshots of pages that are gone
    SCREENSHOTS.mkdir(parents=True)
    cache = {}

    def visit(page):
        if page.docname not in cache:
            cache[page.docname] = open_page(browser, server + page.html)
            browser.save_screenshot(str(SCREENSHOTS / f"{Path(page.docname).name}.png"))
        return cache[page.docname]

    return visit


@functools.lru_cache(maxsize=None)
def status_of(url):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def markdown_of(page):
    """A page's Markdown prose: its Markdown cells or file, less fenced code and code spans."""
    if page.source.suffix == ".ipynb":
        cells = json.loads(page.source.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = page.source.read_text(encoding="utf-8")
    text = re.sub(r"^(```|~~~).*?^\1", "", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def image_outputs(page):
    """How many figures a notebook stores in its outputs."""
    cells = json.loads(page.source.read_text(encoding="utf-8"))["cells"]
    return sum(1 for c in cells if c["cell_type"] == "code" for o in c["outputs"]
               if any(mime.startswith("image/") for mime in o.get("data", {})))


def page_ids(page):
    return page.docname


# --------------------------------------------------------------------------------------------
# The build.


def test_one_command_builds_the_site_and_says_where_it_is(build_output):
    assert "build/site/html/index.html" in build_output
    assert (HTML / "index.html").is_file() and (HTML / "_static" / site.MATHJAX_PATH).is_file()


def test_a_missing_image_or_a_broken_link_fails_the_build_and_names_them(tmp_path, build_output):
    (tmp_path / "README.md").write_text("# A broken course\n\n![figure](missing.png)\n\n"
                                        "See [the next notebook](notebooks/99_missing.ipynb).\n")
    done = subprocess.run([sys.executable, "-m", "collapselab.tools.site", "--root", str(tmp_path), "--out",
                           str(tmp_path / "site")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "site build failed" in done.stderr
    assert "README.md:3: WARNING: image file not readable: missing.png" in done.stderr
    assert "README.md:5: WARNING: 'myst' cross-reference target not found: 'notebooks/99_missing.ipynb'" in done.stderr


# --------------------------------------------------------------------------------------------
# Every page, as a reader sees it.


@pytest.mark.parametrize("page", PAGES, ids=page_ids)
def test_page_shows_its_title(page, visits):
    seen = visits(page)
    assert seen.h1 == page.title
    assert seen.title.startswith(page.title)


@pytest.mark.parametrize("page", PAGES, ids=page_ids)
def test_every_image_on_the_page_has_loaded(page, visits):
    broken = [image["src"] for image in visits(page).images if not image["complete"] or image["width"] == 0]
    assert not broken


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=page_ids)
def test_every_figure_of_the_notebook_is_on_its_page(page, visits):
    assert visits(page).figures == image_outputs(page)


@pytest.mark.parametrize("page", PAGES, ids=page_ids)
def test_math_is_typeset_and_no_raw_tex_shows(page, visits):
    seen = visits(page)
    if "$" in markdown_of(page):
        assert seen.maths > 0, "the page's $...$ math was not recognised as math"
    assert seen.typeset == seen.maths, f"only {seen.typeset} of {seen.maths} formulas typeset by MathJax"
    assert not re.search(r"\$\$|\\\(|\\\[", seen.prose), "raw TeX shows on the page"


@pytest.mark.parametrize("page", PAGES, ids=page_ids)
def test_every_internal_link_leads_to_a_page(page, visits, server):
    internal = {urllib.parse.urldefrag(link["href"]).url for link in visits(page).links
                if link["href"].startswith(server) and not link["raw"].startswith("#")}
    assert internal, "no internal links at all: the navigation is missing"
    broken = sorted(url[len(server):] for url in internal if status_of(url) != 200)
    assert not broken


@pytest.mark.parametrize("page", PAGES, ids=page_ids)
def test_the_page_loads_nothing_from_another_host(page, visits, server):
    assert visits(page).fetched, "the browser reported no resources at all"
    assert [url for url in visits(page).fetched if not url.startswith((server, "data:", "blob:"))] == []


@pytest.mark.parametrize("page", PAGES, ids=page_ids)
def test_the_console_shows_no_errors(page, visits):
    errors = [entry["message"] for entry in visits(page).console if entry["level"] == "SEVERE"]
    assert not errors


# --------------------------------------------------------------------------------------------
# The site as a whole.


def test_the_site_root_opens_the_landing_page(browser, server):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server)  # index.html redirects to the landing page
    WebDriverWait(browser, 10).until(lambda b: b.current_url == server + PAGES[0].html)
    assert browser.title.startswith(site.TITLE)


def test_the_sidebar_lists_the_landing_page_the_lessons_in_course_order_then_the_docs(browser, server):
    lessons = [f"notebooks/{lesson.filename.removesuffix('.ipynb')}.html" for lesson in course.LESSONS
               if (ROOT / "notebooks" / lesson.filename).is_file()]
    docs = [f"docs/{path.stem}.html" for path in sorted((ROOT / "docs").glob("*.md"))]
    browser.get(server + "README.html")
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('nav.bd-docs-nav a.reference.internal')).map(a => a.href)")
    assert [urllib.parse.urldefrag(link).url.removeprefix(server) for link in links] == ["README.html", *lessons, *docs]


def test_search_finds_a_notebook_by_a_word_in_its_text(browser, server):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + "search.html?q=absorbing")
    found = WebDriverWait(browser, 20).until(lambda b: b.execute_script(
        "return Array.from(document.querySelectorAll('#search-results li a')).map(a => a.getAttribute('href'))"))
    assert any(href.startswith("notebooks/02_vanishing_tails.html") for href in found)


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=page_ids)
def test_each_notebook_launches_in_jupyterlab_on_binder(page, visits):
    binder = (f"{site.BINDERHUB}/v2/gh/model-collapse-lab/model-collapse-lab/{site.BRANCH}"
              f"?urlpath=lab/tree/{page.docname}.ipynb")
    assert binder in [link["href"] for link in visits(page).links]


# --------------------------------------------------------------------------------------------
# The workshop's slide deck (built into the site by the same command).


def test_the_slides_are_a_short_reveal_deck_that_runs_offline_with_every_figure(browser, server):
    from collapselab.tools import slides
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")
    browser.get(server + "slides/index.html")
    total = WebDriverWait(browser, 20).until(lambda b: b.execute_script("return window.Reveal && Reveal.getTotalSlides()"))
    assert 6 <= total <= 10 and total == slides.slide_count()
    figures = browser.execute_script("return Array.from(document.querySelectorAll('.slides img'))"
                                     ".map(i => i.complete && i.naturalWidth > 0)")
    assert len(figures) >= 5 and all(figures)
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
    assert fetched and [url for url in fetched if not url.startswith((server, "data:", "blob:"))] == []
    assert not [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    text = browser.execute_script("return document.querySelector('.slides').innerText")
    assert "Warning" not in text and "Traceback" not in text  # no stray output on a slide


def test_the_slides_page_shows_the_deck(visits):
    (page,) = [p for p in PAGES if p.docname == "docs/slides"]
    assert any(urllib.parse.urldefrag(link["href"]).url.endswith("slides/index.html") for link in visits(page).links)
