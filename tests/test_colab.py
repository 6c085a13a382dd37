"""Colab as a second host: every notebook carries an "Open in Colab" badge beside Binder's, and a
first code cell that, only on Colab, installs the course and fetches its data.

Colab itself cannot run here, so the cell is run as Colab would run it: in a fresh virtual
environment (so the install touches nothing of this one), in an empty folder standing for
``/content``, with a stand-in ``google.colab`` module, cloning this repository's committed state
(``$COLLAPSELAB_REPO``) and downloading the data from a local web server (``$COLLAPSELAB_MIRROR``)
that serves the real files: no network needed, and every file is still checked by its SHA-256."""

import functools
import gzip
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from collapselab import data
from collapselab.course import colab
from collapselab.course.lessons import LESSONS
from collapselab.text import corpus

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
AS_COLAB = "import sys, types; sys.modules['google.colab'] = types.ModuleType('google.colab'); exec(open(sys.argv[1]).read())"


def cells(lesson):
    return json.loads((ROOT / "notebooks" / lesson.filename).read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.number)
def test_every_notebook_opens_with_its_colab_and_binder_badges(lesson):
    title = "".join(cells(lesson)[0]["source"])
    assert colab.badges(lesson.filename) in title
    assert f"/blob/{colab.BRANCH}/notebooks/{lesson.filename})" in title


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.number)
def test_the_first_code_cell_of_every_notebook_is_the_colab_cell(lesson):
    code = [c for c in cells(lesson) if c["cell_type"] == "code"]
    assert "".join(code[0]["source"]) == colab.CELL
    assert {"colab-setup", "remove-cell"} <= set(code[0]["metadata"].get("tags", []))  # not on the website
    assert sum("".join(c["source"]) == colab.CELL for c in code) == 1


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    """A local web server that serves MNIST (gzipped) and Tiny Shakespeare, as the mirrors do."""
    folder = tmp_path_factory.mktemp("mirror")
    for name in data.RAW_FILES:
        (folder / f"{name}.gz").write_bytes(gzip.compress((data.raw_folder() / name).read_bytes(), compresslevel=1))
    shutil.copy(corpus.corpus_path(), folder / corpus.CORPUS_FILE)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def colab_machine(tmp_path_factory, mirror):
    """``run(*python_args)`` in a fresh virtual environment (this one's packages visible, as Colab's
    are), from an empty ``content/`` folder, with the Colab cell's environment variables set."""
    top = tmp_path_factory.mktemp("colab")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(top / "venv")], check=True)
    python = top / "venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    (top / "content").mkdir()
    (top / "cell.py").write_text(colab.CELL, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in (data.DATA_ENV, "PYTHONPATH")}
    env.update(COLLAPSELAB_REPO=ROOT.as_uri(), COLLAPSELAB_MIRROR=mirror, PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0")

    def run(*args):
        return subprocess.run([str(python), *args], cwd=top / "content", env=env, capture_output=True, text=True,
                              timeout=600)

    run.top = top
    return run


def test_outside_colab_the_cell_does_nothing(colab_machine):
    done = colab_machine(str(colab_machine.top / "cell.py"))
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert list((colab_machine.top / "content").iterdir()) == []


def test_on_colab_the_cell_installs_the_course_and_fetches_verified_data_and_a_rerun_only_verifies(colab_machine):
    first = colab_machine("-c", AS_COLAB, str(colab_machine.top / "cell.py"))
    assert first.returncode == 0, first.stderr
    course = colab_machine.top / "content" / "model-collapse-lab"
    assert "MNIST (4 files): downloaded and verified" in first.stdout
    assert "Tiny Shakespeare: downloaded and verified" in first.stdout
    for expected in data.FILES.values():
        raw = (course / "data" / "MNIST" / "raw" / expected.name).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == expected.sha256
    assert hashlib.sha256((course / "data" / corpus.CORPUS_FILE).read_bytes()).hexdigest() == corpus.CORPUS_SHA256
    # the library is installed: a new kernel (a new Python) imports it from the clone
    where = colab_machine("-c", "import collapselab; print(collapselab.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(course)
    again = colab_machine("-c", AS_COLAB, str(colab_machine.top / "cell.py"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("already there, verified") == 2
