"""The student edition: one command writes notebooks with no way to the solutions, and each of them
runs top to bottom with every checker answering "not yet"."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from collapselab.course import lessons as course
from collapselab.tools import student

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    done = subprocess.run([sys.executable, "-m", "collapselab", "student", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out


def test_the_command_writes_one_student_notebook_per_lesson(edition):
    assert sorted(p.name for p in edition.glob("*.ipynb")) == [lesson.filename for lesson in course.LESSONS]


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: lesson.number)
def test_a_student_notebook_has_no_link_to_solutions_and_no_exercise_output(edition, lesson):
    notebook = json.loads((edition / lesson.filename).read_text(encoding="utf-8"))
    assert student.mentions_solutions(notebook) == []
    for cell in notebook["cells"]:
        if student.is_exercise(cell):
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_a_solution_link_is_replaced_by_a_pointer_to_the_hints():
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source":
                           "Stuck? Worked solutions: [`solutions/01_x.py`](../solutions/01_x.py) (`exercise_1`).\n\nNext."}]}
    source = student.student_notebook(notebook)["cells"][0]["source"]
    assert source == student.HINT + "\n\nNext."


def test_inline_answers_are_removed_and_the_optional_maths_stays():
    cell = {"cell_type": "markdown", "metadata": {}, "source":
            "1. Why?\n\n<details><summary>Answers</summary>\n\n1. Jensen.\n</details>\n\n"
            "<details><summary>The maths (optional)</summary>E log X < log E X</details>\n\nNext: 02."}
    (out,) = student.student_notebook({"cells": [cell]})["cells"]
    assert "Jensen" not in out["source"] and "E log X" in out["source"] and out["source"].endswith("Next: 02.")
    assert student.mentions_solutions({"cells": [cell]}) == ["cell 0: shows an inline answer"]


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: lesson.number)
def test_a_student_notebook_runs_top_to_bottom_and_every_checker_says_not_yet(edition, lesson):
    notebook = nbformat.read(edition / lesson.filename, as_version=4)
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    exercises = [cell for cell in notebook.cells if student.is_exercise(cell)]
    assert exercises or lesson.number == "00"
    for cell in exercises:
        verdicts = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
        lines = verdicts.strip().splitlines()
        assert lines and lines[-1].startswith("not yet:"), verdicts[:200]   # the checker has the last word
