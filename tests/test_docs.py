"""The course's documents say what is true: measured times come from the benchmark, and the
instructor guide answers every question the notebooks ask."""

import importlib.util
import json
import re
from pathlib import Path

import pytest

from collapselab.course import lessons as course

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "instructor.md"


def benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_has_measured_cold_and_warm_times():
    timings = benchmark().load_timings()
    assert set(timings["notebooks"]) == {lesson.number for lesson in course.LESSONS}
    for number, t in timings["notebooks"].items():
        assert t["cold"] > 0 and t["warm"] > 0, number


def test_a_warm_cache_makes_every_notebook_that_trains_a_model_faster():
    timings = benchmark().load_timings()["notebooks"]
    for number in ("04", "05", "06", "07"):
        assert timings[number]["warm"] < timings[number]["cold"], number


@pytest.mark.parametrize("document", ["README.md", "docs/instructor.md"])
def test_every_time_a_document_quotes_is_the_benchmarks(document):
    bench = benchmark()
    timings = bench.load_timings()
    quoted = bench.quoted_cells((ROOT / document).read_text(encoding="utf-8"))
    assert quoted, f"{document} quotes no measured time"
    for number, cell in quoted:
        assert cell == bench.cell(timings, number), f"{document}, notebook {number}: run python benchmarks/run.py --write"


def test_the_readme_map_lists_every_notebook_with_its_measured_times():
    bench = benchmark()
    quoted = dict(bench.quoted_cells((ROOT / "README.md").read_text(encoding="utf-8")))
    assert set(quoted) == {lesson.number for lesson in course.LESSONS}


def test_rewriting_the_quotes_changes_only_the_times():
    bench = benchmark()
    timings = {"notebooks": {"05": {"cold": 100.4, "warm": 9.6}}}
    before = "| 05 | [recursive_vae](notebooks/05_recursive_vae.ipynb) | idea | 180 s | 1 s cold · 2 s warm |\n"
    assert bench.rewrite_quotes(before, timings) == before.replace("1 s cold · 2 s warm", "100 s cold · 10 s warm")


def test_a_run_of_show_row_is_about_its_notebook_column_not_its_minutes():
    bench = benchmark()
    timings = {"notebooks": {"00": {"cold": 4.4, "warm": 3.6}}}
    before = "| welcome | 10 | 00 | run live | 0 s cold · 0 s warm |\n"
    assert bench.quoted_cells(before) == [("00", "0 s cold · 0 s warm")]
    assert bench.rewrite_quotes(before, timings) == before.replace("0 s cold · 0 s warm", "4 s cold · 4 s warm")


def test_the_instructor_guide_quotes_a_time_for_every_notebook():
    quoted = {number for number, _ in benchmark().quoted_cells(GUIDE.read_text(encoding="utf-8"))}
    assert quoted == {lesson.number for lesson in course.LESSONS}


def check_questions(notebook_path):
    cells = json.loads(notebook_path.read_text(encoding="utf-8"))["cells"]
    last = "".join(cells[-1]["source"])
    block = re.sub(r"<details>.*?</details>", "", last.split("**Check your understanding**", 1)[1], flags=re.S)
    return re.findall(r"^(\d)\. ", block, flags=re.M)


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: lesson.number)
def test_the_instructor_guide_answers_every_check_your_understanding_question(lesson):
    numbers = check_questions(ROOT / "notebooks" / lesson.filename)
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide.split(f"### {lesson.number} · ", 1)[1].split("\n### ", 1)[0]
    answered = re.findall(r"^- \*\*Q(\d)\.", section, flags=re.M)
    assert numbers and answered == numbers


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: lesson.number)
def test_a_notebook_links_to_markdown_only_where_the_website_has_that_page(lesson):
    """The website builds README.md and docs/*.md; a link from a lesson to any other .md file breaks
    its build (Sphinx: myst.xref_missing), so name such files as code instead."""
    (path,) = (ROOT / "notebooks").glob(f"{lesson.number}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    pages = {"README.md", *(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))}
    for target in re.findall(r"\]\(\.\./([^)#]+\.md)(?:#[^)]*)?\)", text):
        assert target in pages, f"{path.name} links ../{target}, which the website does not build"


def test_the_readme_quotes_each_notebooks_own_time_and_level_and_a_total_that_adds_up():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict((n, (int(s), int(w), lvl)) for n, s, w, lvl in
                re.findall(r"^\| (\d\d) · [^|]+\| (\d+) min \| (\d+) min \| (★+) \|$", readme, flags=re.M))
    lessons = [lesson for lesson in course.LESSONS if lesson.number != "00"]
    assert sorted(rows) == [lesson.number for lesson in lessons]
    for lesson in lessons:
        cells = json.loads((ROOT / "notebooks" / lesson.filename).read_text(encoding="utf-8"))["cells"]
        first = "".join(cells[0]["source"])
        (said,) = re.findall(r"About (\d+) minutes self-paced \((\d+) in a workshop\) · level (★+)", first)
        assert (int(said[0]), int(said[1]), said[2]) == rows[lesson.number], lesson.number
    hours = float(re.search(r"plan on about (\d+) hours", readme).group(1))
    assert abs(sum(s for s, _, _ in rows.values()) / 60 - hours) <= 0.5


def test_the_three_hour_plans_minutes_per_section_add_up_to_each_notebooks_block():
    text = GUIDE.read_text(encoding="utf-8")
    plan = text[text.index("### Three hours"):text.index("#### Minutes per section")]
    blocks = {m.group(2): int(m.group(1)) for m in re.finditer(r"^\| [^|]+ \| (\d+) \| (\d\d) \|", plan, flags=re.M)}
    split = text[text.index("#### Minutes per section"):text.index("**Run live** means")]
    rows = {m.group(1): (int(m.group(2)), m.group(3)) for m in re.finditer(r"^\| (\d\d) \((\d+)\) \| (.*) \|$", split, flags=re.M)}
    assert sorted(rows) == sorted(blocks) == [lesson.number for lesson in course.LESSONS]
    for number, (block, sections) in rows.items():
        minutes = [int(m) for m in re.findall(r" (\d+)(?: \(✂[^)]*\))?(?: ·|$)", sections)]
        assert block == blocks[number] == sum(minutes), number
