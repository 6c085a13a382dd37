"""Every committed notebook is clean: executed top to bottom in one fresh kernel, no stored errors,
kernel ``python3``, no machine paths in outputs, learning objectives at the top and a recap at the end."""

import json
import re
from pathlib import Path

import pytest

from collapselab.course import lessons as course

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
MACHINE_PATH = re.compile(r"(/tmp/|/root/|/home/[a-z]|/Users/|/work/|/var/folders/|[A-Z]:\\\\Users)")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def output_text(output):
    text = output.get("text", output.get("data", {}).get("text/plain", ""))
    return "".join(text) if isinstance(text, list) else text


def test_the_notebooks_are_exactly_the_lessons_of_the_course_map():
    assert [p.name for p in NOTEBOOKS] == [lesson.filename for lesson in course.LESSONS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_executed_top_to_bottom_in_one_fresh_kernel(path):
    counts = [c["execution_count"] for c in code_cells(load(path))]
    assert counts == list(range(1, len(counts) + 1)), "re-run the notebook top to bottom in a fresh kernel"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_uses_the_python3_kernel(path):
    assert load(path)["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_stores_no_errors(path):
    for cell in code_cells(load(path)):
        assert not [o for o in cell["outputs"] if o["output_type"] == "error"], "".join(cell["source"])[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_outputs_show_no_machine_paths(path):
    for cell in code_cells(load(path)):
        for output in cell["outputs"]:
            assert not MACHINE_PATH.search(output_text(output)), output_text(output)[:200]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_output_anywhere_shows_a_python_warning_or_a_machine_path(path):
    """Also inside the saved widget state, where a widget's own outputs are kept (a learner sees them)."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"(User|Deprecation|Future|Runtime)Warning:", text)
    path_shown = MACHINE_PATH.search(text)
    assert not path_shown, text[max(path_shown.start() - 80, 0):path_shown.end() + 80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_objectives_and_closes_with_a_recap(path):
    markdown = ["".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "markdown"]
    assert "Learning objectives" in markdown[0]
    assert "Recap" in markdown[-1] and "Check your understanding" in markdown[-1]


def exercise_cells(nb):
    return [c for c in code_cells(nb) if "exercise" in c["metadata"].get("tags", [])]


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name != "00_welcome.ipynb"], ids=lambda p: p.name)
def test_every_notebook_has_one_to_four_exercises_each_checked_and_stored_unsolved(path):
    cells = exercise_cells(load(path))
    assert 1 <= len(cells) <= 4
    for cell in cells:
        source = "".join(cell["source"])
        assert "exercises.check_" in source and "None" in source
        verdicts = "".join(output_text(o) for o in cell["outputs"]).strip().splitlines()
        assert verdicts and verdicts[-1].startswith("not yet:"), source[:80]   # the checker has the last word


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name != "00_welcome.ipynb"], ids=lambda p: p.name)
def test_no_solution_or_its_output_is_in_the_notebook(path):
    nb = load(path)
    for cell in code_cells(nb):
        assert not "".join(cell["source"]).lstrip().startswith("# Solution")
        assert not any(output_text(o).startswith("correct:") or "\ncorrect:" in output_text(o) for o in cell["outputs"])


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name != "00_welcome.ipynb"], ids=lambda p: p.name)
def test_every_exercise_links_to_its_worked_solution(path):
    nb = load(path)
    solutions = Path(__file__).resolve().parents[1] / "solutions" / path.name.replace(".ipynb", ".py")
    assert solutions.is_file()
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for n in range(1, len(exercise_cells(nb)) + 1):
        assert f"(../solutions/{solutions.name})" in markdown and f"`exercise_{n}`" in markdown


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_test_machinery_is_in_cell_tags_not_in_the_code_a_learner_reads(path):
    """A cell whose output nbval must not compare (a trained model's numbers, a widget) carries the
    tag ``nbval-ignore-output``; no code cell spells nbval's in-code markers."""
    for cell in code_cells(load(path)):
        source = "".join(cell["source"])
        assert "NBVAL_" not in source, source[:80]
