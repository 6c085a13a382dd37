"""The workshop kit's commands: warm (cache everything the notebooks need) and the claims they print."""

from pathlib import Path

import pytest

from collapselab.course import claims, lessons as course
from collapselab.tools import cli, warm

ROOT = Path(__file__).resolve().parents[1]


def test_warm_for_chosen_notebooks_only_runs_the_tasks_they_need():
    assert [t.name for t in warm.tasks_for(["07"])] == ["notebook 07: the language photocopier"]
    assert {t.name for t in warm.tasks_for(["04"])} == {"evaluation classifier", "generation 0 (and trained longer)"}


def test_warm_without_notebooks_runs_every_task():
    assert warm.tasks_for(None) == list(warm.TASKS) and warm.tasks_for([]) == list(warm.TASKS)


#: the library calls that train (or load) a cached model, and the warm task that caches it, for the
#: notebooks of each family (both import their family's module as ``photocopier``)
TRAINERS = {
    "images": {
        "photocopier.Lab": "evaluation classifier",
        "photocopier.generation_zero": "generation 0 (and trained longer)",
        "experiments.longer_generation_zero": "generation 0 (and trained longer)",
        "experiments.decomposition": "notebook 05: four controlled runs",
        "experiments.defences": "notebook 06: the defences",
        "experiments.small_real_set": "notebook 06: curated synthetic data",
    },
    "text": {
        "photocopier.generation_zero": "notebook 07: the language photocopier",
        "photocopier.arms": "notebook 07: the language photocopier",
        "photocopier.language": "notebook 07: the language photocopier",
    },
}


def family_of(code: str) -> str:
    return "text" if "from collapselab.text import" in code else "images"


def notebook_code(lesson):
    import json

    cells = json.loads((ROOT / "notebooks" / lesson.filename).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("lesson", course.LESSONS, ids=lambda lesson: lesson.number)
def test_every_cached_model_a_notebook_trains_is_warmed_for_that_notebook(lesson):
    """Read off the notebook's own code: each call that trains a cached model needs its warm task."""
    import re

    code = notebook_code(lesson)
    trainers = TRAINERS[family_of(code)]
    called = {name for name in trainers if re.search(rf"\b{re.escape(name)}\(", code)}
    needed = {trainers[name] for name in called}
    assert needed <= {task.name for task in warm.tasks_for([lesson.number])}
    if not needed:  # a notebook that trains nothing cached gets no warm task either
        assert warm.tasks_for([lesson.number]) == []


def test_warm_builds_what_its_tasks_cache_once_and_then_finds_it(tmp_path):
    """warm() on two tiny tasks: the first call builds their cache entries and counts them, the
    second builds nothing; a task only runs for the notebooks that need it."""
    from collapselab import cache

    def build(name):
        return lambda shared: cache.load_or_build("warm-test", {"task": name}, lambda: {"built": name},
                                                  root=shared["root"])

    tasks = (warm.Task("first", ("05",), build("first")), warm.Task("second", ("06",), build("second")))
    first = warm.warm(root=tmp_path, progress=False, tasks=tasks)
    assert [(row["task"], row["built"]) for row in first] == [("first", 1), ("second", 1)]
    again = warm.warm(root=tmp_path, progress=False, tasks=tasks)
    assert [row["built"] for row in again] == [0, 0]
    assert [row["task"] for row in warm.warm(["06"], root=tmp_path, progress=False, tasks=tasks)] == ["second"]


def test_every_warm_task_is_a_trainer_some_notebook_calls():
    assert {task.name for task in warm.TASKS} == {task for table in TRAINERS.values() for task in table.values()}


def test_warm_with_an_unknown_notebook_exits_2_before_any_work(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["warm", "09"])
    assert exit_.value.code == 2 and "unknown notebook number(s) 09" in capsys.readouterr().err


def test_a_claim_prints_its_sentence_and_verdict_but_never_its_value(capsys):
    shown = claims.show([claims.claim("the copy is blurrier", True, 0.123456), claims.claim("it got sharper", False)])
    assert capsys.readouterr().out == "the copy is blurrier: True\nit got sharper: False\n"
    assert shown is False


def test_a_claims_verdict_and_value_are_plain_python_numbers():
    import numpy as np

    made = claims.claim("x", np.bool_(True), np.float32(0.5))
    assert type(made.holds) is bool and type(made.value) is float


def test_warm_for_a_notebook_that_trains_nothing_says_so(capsys):
    assert cli.main(["warm", "00"]) == 0
    out = capsys.readouterr().out
    assert "train no model, so there is nothing to warm" in out and "already cached" not in out
