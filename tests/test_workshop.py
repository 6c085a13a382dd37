"""The workshop kit's commands: warm (cache everything the notebooks need) and the claims they print."""

import pytest

from collapselab import claims, cli, warm


def test_warm_for_chosen_notebooks_only_runs_the_tasks_they_need():
    assert [t.name for t in warm.tasks_for(["07"])] == ["notebook 07: the language photocopier"]
    assert {t.name for t in warm.tasks_for(["04"])} == {"evaluation classifier", "generation 0 (and trained longer)"}


def test_warm_without_notebooks_runs_every_task():
    assert warm.tasks_for(None) == list(warm.TASKS) and warm.tasks_for([]) == list(warm.TASKS)


def test_every_notebook_that_trains_a_model_is_warmed():
    warmed = {number for task in warm.TASKS for number in task.notebooks}
    assert warmed == {"04", "05", "06", "07"}


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
