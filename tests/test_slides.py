"""The workshop's slide deck: a short reveal.js deck built from docs/deck/slides.ipynb, which
touches only what it made. (Its build and how it looks in a browser are in tests/test_site.py.)"""

import json
import subprocess
import sys

from collapselab.tools import slides


def run(*args):
    return subprocess.run([sys.executable, "-m", "collapselab", "slides", *args], capture_output=True, text=True, timeout=120)


def test_the_deck_has_six_to_ten_slides_each_with_speaker_notes_and_stores_no_outputs():
    cells = json.loads(slides.DECK.read_text(encoding="utf-8"))["cells"]
    kinds = [c["metadata"]["slideshow"]["slide_type"] for c in cells]
    assert 6 <= slides.slide_count() <= 10
    assert kinds.count("notes") == kinds.count("slide")
    assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")  # executed at build time


def test_an_out_that_is_a_file_is_refused_in_one_line_before_any_work(tmp_path):
    (tmp_path / "deck").write_text("mine")
    done = run("--out", str(tmp_path / "deck"))
    assert done.returncode == 2 and "is a file, not a folder" in done.stderr.strip().splitlines()[-1]


def test_a_learners_own_index_html_is_never_overwritten(tmp_path):
    (tmp_path / "index.html").write_text("<p>my notes</p>")
    done = run("--out", str(tmp_path))
    assert done.returncode == 2 and "did not make" in done.stderr
    assert (tmp_path / "index.html").read_text() == "<p>my notes</p>"
