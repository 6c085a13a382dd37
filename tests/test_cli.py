"""The command line: a tiny run writes its metrics and figure; every mistake exits 2 before any work."""

import csv
import json

import pytest

from collapselab import cli, generations


def tiny_args(root, out, *extra):
    return ["run", "--generations", "1", "--images", "200", "--epochs", "1", "--eval-images", "100",
            "--data-root", str(root), "--classifier-train-images", "1000", "--out", str(out), *extra]


def test_a_tiny_run_writes_csv_json_and_a_figure(data_root, tmp_path, capsys):
    out = tmp_path / "results"
    code = cli.main(tiny_args(data_root, out, "--policy", "replace", "mix:0.5"))
    assert code == 0
    rows = list(csv.DictReader(open(out / "metrics.csv")))
    assert [(r["policy"], r["generation"]) for r in rows] == [("replace", "0"), ("replace", "1"), ("mix:0.5", "0"), ("mix:0.5", "1")]
    assert float(rows[1]["real_share"]) == 0.0 and float(rows[3]["real_share"]) == 0.5
    assert {"coverage", "density", "latent_spread"} <= set(rows[0])
    assert len(json.loads((out / "metrics.json").read_text())["rows"]) == 4
    assert (out / "metrics.png").stat().st_size > 10_000
    assert "wrote 4 rows" in capsys.readouterr().out


def args_for(*argv):
    return cli.build_parser().parse_args(["run", *argv])


def test_full_takes_the_bigger_defaults_for_options_left_out():
    (config,) = cli.run_configs(args_for("--full"))
    assert config == generations.RunConfig.full()


@pytest.mark.parametrize("option, value, field", [("--generations", "8", "generations"), ("--images", "10000", "n_images")])
def test_an_option_given_with_full_wins_even_when_it_equals_the_workshop_default(option, value, field):
    (config,) = cli.run_configs(args_for("--full", option, value))
    assert getattr(config, field) == int(value)


def test_epochs_given_with_full_set_the_vae_epochs():
    (config,) = cli.run_configs(args_for("--full", "--epochs", "25"))
    assert config.vae.epochs == 25 and config.n_images == 30_000


def test_one_config_per_policy_and_seed():
    configs = cli.run_configs(args_for("--policy", "replace", "real-only", "--seeds", "0", "1"))
    assert [(c.policy, c.seed) for c in configs] == [("replace", 0), ("replace", 1), ("real-only", 0), ("real-only", 1)]


@pytest.mark.parametrize("argv, message", [
    (["--policy", "photocopy"], "unknown policy 'photocopy'; choose one of replace"),
    (["--images", "10"], "n_images must be >= 100, got 10"),
    (["--classifier-train-images", "0"], "n_train must be >= 1, got 0"),
    (["--classifier-train-images", "300"], "n_train must be between 1000 and 60000"),
    (["--policy", "mix:2"], "must be a fraction in [0, 1], got '2'"),
    (["--generations", "-1"], "generations must be >= 0, got -1"),
])
def test_a_mistake_exits_2_with_a_clear_message_before_any_work(argv, message, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(generations, "Lab", lambda **kw: pytest.fail("no work may start before the options are checked"))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--out", str(tmp_path / "out"), *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_out_pointing_at_a_file_fails_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(generations, "Lab", lambda **kw: pytest.fail("no work may start before --out is checked"))
    target = tmp_path / "results.csv"
    target.write_text("x")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--out", str(target)])
    assert exit_info.value.code == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_an_unwritable_out_folder_fails_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(generations, "Lab", lambda **kw: pytest.fail("no work may start before --out is checked"))
    monkeypatch.setattr(cli.tempfile, "TemporaryFile", lambda **kw: (_ for _ in ()).throw(PermissionError(13, "Permission denied")))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--out", str(tmp_path / "locked")])
    assert exit_info.value.code == 2
    assert "cannot be written (Permission denied)" in capsys.readouterr().err


# --- the language photocopier ------------------------------------------------------------------

def text_root(tmp_path):
    from collapselab import text

    root = tmp_path / "data"
    root.mkdir()
    (root / text.CORPUS_FILE).symlink_to(text.corpus_path())
    return root


def tiny_text_args(root, out, *extra):
    return ["text", "--generations", "1", "--passages", "20", "--pretrain-steps", "2", "--finetune-steps", "2",
            "--eval-passages", "10", "--data-root", str(root), "--out", str(out), *extra]


def test_a_tiny_text_run_writes_the_promised_columns_and_a_figure(tmp_path, capsys):
    out = tmp_path / "text-results"
    assert cli.main(tiny_text_args(text_root(tmp_path), out, "--policy", "replace", "mix:0.1")) == 0
    rows = list(csv.DictReader(open(out / "metrics.csv")))
    assert {"policy", "seed", "generation", "real_perplexity", "distinct_1", "distinct_2", "repetition"} <= set(rows[0])
    assert [(r["policy"], r["generation"]) for r in rows] == [("replace", "0"), ("replace", "1"), ("mix:0.1", "0"), ("mix:0.1", "1")]
    assert float(rows[3]["real_share"]) == 0.1
    assert (out / "metrics.png").stat().st_size > 10_000
    assert "wrote 4 rows" in capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--policy", "detector-filter:0.5"], "is for images only"),
    (["--policy", "photocopy"], "unknown policy"),
    (["--temperature", "-1"], "temperature must be a finite number >= 0"),
    (["--passages", "5000"], "--passages must be <= "),
    (["--generations", "-2"], "generations must be >= 0"),
])
def test_a_bad_text_option_exits_2_before_any_training(tmp_path, capsys, extra, message):
    root = text_root(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        cli.main(tiny_text_args(root, tmp_path / "out", *extra))
    assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert not (root / "cache").exists()


def test_a_missing_corpus_exits_2_and_says_how_to_get_it(tmp_path, capsys, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("no internet")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(SystemExit) as exit_:
        cli.main(tiny_text_args(tmp_path, tmp_path / "out", "--policy", "replace"))
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "../shared/text" in err and "download" in err
