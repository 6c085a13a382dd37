"""The command line: a tiny run writes its metrics and figure; a bad configuration says what is wrong."""

import csv
import json

import pytest

from collapselab import cli


def test_a_tiny_run_writes_csv_json_and_a_figure(data_root, tmp_path, capsys):
    root = data_root
    out = tmp_path / "results"
    code = cli.main(["run", "--generations", "1", "--images", "200", "--epochs", "1", "--eval-images", "100",
                     "--policy", "replace", "mix:0.5", "--data-root", str(root), "--classifier-train-images", "1000",
                     "--out", str(out)])
    assert code == 0
    rows = list(csv.DictReader(open(out / "metrics.csv")))
    assert [(r["policy"], r["generation"]) for r in rows] == [("replace", "0"), ("replace", "1"), ("mix:0.5", "0"), ("mix:0.5", "1")]
    assert float(rows[1]["real_share"]) == 0.0 and float(rows[3]["real_share"]) == 0.5
    assert len(json.loads((out / "metrics.json").read_text())["rows"]) == 4
    assert (out / "metrics.png").stat().st_size > 10_000
    assert "wrote 4 rows" in capsys.readouterr().out


def test_a_bad_policy_exits_with_a_helpful_message(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--policy", "photocopy"])
    assert exit_info.value.code == 2
    assert "unknown policy 'photocopy'; choose replace" in capsys.readouterr().err


def test_too_few_images_exit_with_a_helpful_message(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--images", "10"])
    assert "n_images must be >= 100, got 10" in capsys.readouterr().err
