"""The student edition and the website touch only what they made: a learner's files survive, and a
bad input stops them with one line before anything is written."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from collapselab.tools import _owned, cli, site, student
from collapselab.course import lessons as course

ROOT = Path(__file__).resolve().parents[1]


def tiny_course(tmp_path):
    """A course folder with a README and every lesson as a tiny notebook (one exercise, one solution link)."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    (root / "README.md").write_text("# A course\n")
    for lesson in course.LESSONS:
        notebook = {"cells": [
            {"cell_type": "markdown", "metadata": {}, "source": f"# {lesson.slug}\n\nStuck? Worked solutions: "
                                                                f"[`s`](../solutions/{lesson.number}.py)."},
            {"cell_type": "code", "metadata": {"tags": ["exercise"]}, "execution_count": 1, "source": "x = 1",
             "outputs": [{"output_type": "stream", "name": "stdout", "text": "not yet: try\n"}]}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        (root / "notebooks" / lesson.filename).write_text(json.dumps(notebook))
    return root


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the student edition -------------------------------------------------------------------------

def test_a_rebuild_replaces_its_own_unchanged_notebooks(tmp_path):
    root, out = tiny_course(tmp_path), tmp_path / "student"
    first = student.write(out, root)
    assert len(first) == len(course.LESSONS)
    assert student.write(out, root) == first


def test_a_learners_edited_student_notebook_survives_a_rebuild_byte_identical(tmp_path):
    root, out = tiny_course(tmp_path), tmp_path / "student"
    student.write(out, root)
    edited = out / course.LESSONS[5].filename
    edited.write_text(edited.read_text().replace("x = 1", "x = 1  # MY ANSWER"))
    before = snapshot(out)
    with pytest.raises(student.EditionError, match=f"{course.LESSONS[5].filename} .changed since 'student' wrote it.*--force"):
        student.write(out, root)
    assert snapshot(out) == before
    student.write(out, root, force=True)
    assert "MY ANSWER" not in edited.read_text()


def test_a_notebook_the_command_did_not_write_is_not_overwritten(tmp_path):
    root, out = tiny_course(tmp_path), tmp_path / "handout"
    out.mkdir()
    mine = out / course.LESSONS[0].filename
    mine.write_text("my own notes")
    with pytest.raises(student.EditionError, match="not made by 'student'"):
        student.write(out, root)
    assert mine.read_text() == "my own notes" and len(list(out.iterdir())) == 1


@pytest.mark.parametrize("out", ["notebooks", "notebooks/inside", "notebooks/../notebooks"])
def test_the_course_notebooks_folder_is_refused_even_with_force(tmp_path, out):
    root = tiny_course(tmp_path)
    before = snapshot(root)
    with pytest.raises(student.EditionError, match="is the course's own notebooks/ folder"):
        student.write(root / out, root, force=True)
    assert snapshot(root) == before


def test_the_command_refuses_the_courses_notebooks_with_exit_2(capsys):
    before = snapshot(ROOT / "notebooks")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["student", "--out", str(ROOT / "notebooks")])
    assert exit_.value.code == 2 and "is the course's own notebooks/ folder" in capsys.readouterr().err
    assert snapshot(ROOT / "notebooks") == before


def test_a_missing_notebook_stops_the_edition_naming_it_and_writing_nothing(tmp_path):
    root, out = tiny_course(tmp_path), tmp_path / "student"
    (root / "notebooks" / course.LESSONS[3].filename).unlink()
    with pytest.raises(student.EditionError, match=f"1 notebook.s. of the course are missing .*{course.LESSONS[3].filename}"):
        student.write(out, root)
    assert not out.exists() or not any(out.iterdir())


def test_a_truncated_notebook_is_named_and_nothing_is_written(tmp_path):
    root, out = tiny_course(tmp_path), tmp_path / "student"
    broken = root / "notebooks" / course.LESSONS[4].filename
    broken.write_text(broken.read_text()[:40])
    with pytest.raises(student.EditionError, match=f"{broken.name} is not a readable notebook .JSONDecodeError"):
        student.write(out, root)
    assert not out.exists() or not any(out.iterdir())


def test_a_file_as_out_is_a_one_line_error(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(student.EditionError, match="is a file, not a folder"):
        student.write(target, tiny_course(tmp_path))


def test_the_command_outside_a_checkout_exits_non_zero_naming_the_missing_notebooks(tmp_path):
    """The library copied without the course: no notebooks to make an edition of."""
    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "lib" / "collapselab", lib / "collapselab")
    done = subprocess.run([sys.executable, "-m", "collapselab", "student", "--out", str(tmp_path / "out")],
                          cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(lib), "PATH": ""})
    assert done.returncode == 2 and "notebook(s) of the course are missing" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


# --- the website ---------------------------------------------------------------------------------

def test_the_site_refuses_to_replace_a_learners_html_and_config_and_leaves_them_byte_identical(tmp_path):
    out = tmp_path / "myweb"
    (out / "html" / "blog").mkdir(parents=True)
    (out / "html" / "blog" / "post.html").write_text("mine")
    (out / "_config.yml").write_text("title: My Jekyll blog\n")
    before = snapshot(out)
    with pytest.raises(_owned.NotOursError, match="html/ .not made by 'site'.*_config.yml .not made by 'site'.*--force"):
        site.check_out(out)
    assert snapshot(out) == before


def test_the_site_replaces_what_its_last_build_made_but_not_files_added_to_it_since(tmp_path):
    out = tmp_path / "site"
    (out / "html").mkdir(parents=True)
    (out / "html" / "index.html").write_text("built")
    (out / "_toc.yml").write_text("toc")
    _owned.record(out, "site", ["html", "_toc.yml"])
    site.check_out(out)  # its own output: fine
    (out / "html" / "notes.html").write_text("a learner's page")
    with pytest.raises(_owned.NotOursError, match="holds 1 file.s. 'site' did not write, e.g. notes.html"):
        site.check_out(out)
    site.check_out(out, force=True)


def test_the_site_command_with_a_learners_folder_exits_2_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(site, "build", lambda *a, **k: pytest.fail("no build may start"))
    out = tmp_path / "myweb"
    (out / "html").mkdir(parents=True)
    (out / "html" / "post.html").write_text("mine")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["site", "--out", str(out)])
    assert exit_.value.code == 2 and "not made by 'site'" in capsys.readouterr().err
    assert (out / "html" / "post.html").read_text() == "mine"


@pytest.mark.parametrize("problem, message", [
    ("no readme", "has no README.md, so it is not the course's folder"),
    ("truncated notebook", "cannot be read as a page (JSONDecodeError"),
])
def test_the_site_command_with_a_bad_course_folder_exits_2_with_one_line(tmp_path, capsys, problem, message):
    root = tiny_course(tmp_path)
    if problem == "no readme":
        (root / "README.md").unlink()
    else:
        page = root / "notebooks" / course.LESSONS[2].filename
        page.write_text(page.read_text()[:30])
    with pytest.raises(SystemExit) as exit_:
        cli.main(["site", "--root", str(root), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
