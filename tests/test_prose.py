"""Prose a learner reads: short markdown cells, new terms defined in one glossary, answers that
the student edition can hide.

The learner-facing rewrite goes notebook by notebook; :data:`REWRITTEN` lists the notebooks it has
reached, and every rule here applies to them. The others are named, not silently skipped: they
keep their longer cells until their rewrite."""

import json
import re
from pathlib import Path

import pytest

from collapselab.course.lessons import LESSONS
from collapselab.tools import student

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"
#: the notebooks the learner-facing rewrite has reached
REWRITTEN = ("01", "02", "03", "04", "05", "06", "07")
#: not rewritten yet (exceptions to the rules below, named)
NOT_YET = tuple(lesson.number for lesson in LESSONS if lesson.number not in REWRITTEN)
#: the most words a markdown cell shows before any collapsed block is opened, and the most in one block
CAP = 150
DETAILS = re.compile(r"<details>.*?</details>", re.S)


def notebook(number: str) -> dict:
    (path,) = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    return json.loads(path.read_text(encoding="utf-8"))


def markdown(number: str) -> list[str]:
    return ["".join(c["source"]) for c in notebook(number)["cells"] if c["cell_type"] == "markdown"]


def glossary_terms() -> set[str]:
    return {t.lower() for t in re.findall(r"^\*\*(.+?)\*\* \(\d\d\)", GLOSSARY.read_text(encoding="utf-8"), flags=re.M)}


def new_terms(number: str) -> list[str]:
    (box,) = [cell for cell in markdown(number) if cell.startswith("> **New terms**")]
    return re.findall(r"^> \* \*\*(.+?)\*\*", box, flags=re.M)


def test_the_exceptions_are_exactly_the_notebooks_not_yet_rewritten():
    assert sorted(REWRITTEN + NOT_YET) == sorted(lesson.number for lesson in LESSONS)


@pytest.mark.parametrize("number", REWRITTEN)
def test_no_markdown_cell_shows_more_than_the_cap(number):
    for cell in markdown(number):
        visible = DETAILS.sub("", cell)
        assert len(visible.split()) <= CAP, visible[:120]
        for block in DETAILS.findall(cell):
            assert len(block.split()) <= CAP, block[:120]


@pytest.mark.parametrize("number", REWRITTEN)
def test_the_notebook_opens_with_its_time_and_level_and_a_new_terms_box(number):
    first, second = markdown(number)[:2]
    assert re.search(r"About \d+ minutes self-paced \(\d+ in a workshop\) · level ★", first)
    assert second.startswith("> **New terms**") and "../docs/glossary.md" in second


@pytest.mark.parametrize("number", REWRITTEN)
def test_every_new_term_is_in_the_glossary(number):
    known = glossary_terms()
    for entry in new_terms(number):
        for term in re.split(r" and |, ", re.sub(r" \(.*?\)", "", entry)):
            assert any(term.lower() in g for g in known), f"{term!r} of notebook {number} is not in docs/glossary.md"


def test_the_glossary_is_alphabetical_and_names_where_each_term_is_introduced():
    text = GLOSSARY.read_text(encoding="utf-8")
    entries = re.findall(r"^\*\*(.+?)\*\* \((\d\d)\)", text, flags=re.M)
    assert len(entries) >= 40
    names = [name.lower() for name, _ in entries]
    assert names == sorted(names)
    assert {n for _, n in entries} <= {lesson.number for lesson in LESSONS}


@pytest.mark.parametrize("number", REWRITTEN)
def test_exercises_are_marked_with_their_difficulty_and_one_is_predict_run_explain(number):
    text = "\n".join(markdown(number))
    exercises = re.findall(r"\*\*Exercise \d+ (★+)", text)
    assert exercises and len(exercises) == len(re.findall(r"\*\*Exercise \d+", text))
    assert re.search(r"\*\*Exercise \d+ ★+[^*]*· Predict, run, explain", text)


@pytest.mark.parametrize("number", REWRITTEN)
def test_the_self_check_answers_are_inline_and_the_student_edition_removes_them(number):
    recap = markdown(number)[-1]
    assert re.search(r"<details><summary>Answers?</summary>", recap.split("**Check your understanding**")[1])
    edition = student.student_notebook(notebook(number))
    shown = "".join("".join(c["source"]) for c in edition["cells"] if c["cell_type"] == "markdown")
    original = "".join(markdown(number))
    assert "<summary>Answer" not in shown
    assert shown.count("<details>") == original.count("<details>") - len(re.findall(r"<summary>Answers?</summary>", original))


@pytest.mark.parametrize("number", REWRITTEN)
def test_no_learner_page_sends_the_learner_to_the_instructor_guide_for_answers(number):
    for cell in markdown(number):
        for sentence in re.split(r"(?<=[.!?])\s", cell):
            assert not ("instructor" in sentence.lower() and "answer" in sentence.lower()), sentence
