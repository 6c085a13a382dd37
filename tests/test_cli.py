"""The command line: a tiny run writes its metrics and figure; every mistake exits 2 before any work."""

import csv
import json
import os

import pytest

from collapselab.tools import _owned, cli
from collapselab.images import photocopier as generations


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
    monkeypatch.setattr(_owned.tempfile, "TemporaryFile", lambda **kw: (_ for _ in ()).throw(PermissionError(13, "Permission denied")))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--out", str(tmp_path / "locked")])
    assert exit_info.value.code == 2
    assert "cannot be written (Permission denied)" in capsys.readouterr().err


# --- the language photocopier ------------------------------------------------------------------

def text_root(tmp_path):
    from collapselab.text import corpus

    root = tmp_path / "data"
    root.mkdir()
    (root / corpus.CORPUS_FILE).symlink_to(corpus.corpus_path())
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


def test_a_text_run_can_keep_10_percent_of_the_original_text(tmp_path):
    out = tmp_path / "text-results"
    args = tiny_text_args(text_root(tmp_path), out, "--policy", "mix:0.1", "--real-pool", "original")
    (config,) = cli.text_configs(cli.build_parser().parse_args(args))
    assert config.real_pool == "original" and config.policy == "mix:0.1"
    assert cli.main(args) == 0
    rows = list(csv.DictReader(open(out / "metrics.csv")))
    assert float(rows[1]["real_share"]) == 0.1


@pytest.mark.parametrize("extra, message", [
    (["--policy", "detector-filter:0.5"], "is for images only"),
    (["--policy", "photocopy"], "unknown policy"),
    (["--temperature", "-1"], "temperature must be a finite number >= 0"),
    (["--passages", "5000"], "--passages must be < "),
    (["--generations", "-2"], "generations must be >= 0"),
    (["--real-pool", "old"], "argument --real-pool: invalid choice: 'old'"),
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


# --- never lose results, never fail after the work -----------------------------------------------

def no_lab(monkeypatch):
    monkeypatch.setattr(generations, "Lab", lambda **kw: pytest.fail("no work may start before the options are checked"))


@pytest.mark.parametrize("argv, message", [
    (["--seeds", "0", "18446744073709552"], "seed must be <= 4294967295"),
    (["--eval-images", "1000000000"], "n_eval must be <= 60000"),
    (["--sample-size", "1000000000"], "sample_size must be <= 60000"),
    (["--out", ""], "argument --out: is empty; name a folder"),
    (["--data-root", ""], "argument --data-root: is empty; name a folder"),
])
def test_a_bound_or_an_empty_folder_exits_2_before_any_work_and_leaves_no_folder(argv, message, capsys, monkeypatch, tmp_path):
    no_lab(monkeypatch)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--out", str(out), *argv])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("value", ["0", "abc", "-1", "99999"])
def test_a_bad_thread_setting_exits_2_with_one_line_before_any_work(value, capsys, monkeypatch, tmp_path):
    no_lab(monkeypatch)
    monkeypatch.setenv("COLLAPSELAB_THREADS", value)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "COLLAPSELAB_THREADS must be a whole number of threads from 1 to" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_text_help_shows_each_default_once(capsys):
    with pytest.raises(SystemExit):
        cli.main(["text", "--help"])
    shown = capsys.readouterr().out
    assert "(default: None)" not in shown and "(default: [" not in shown and "] (default:" not in shown
    assert "[4]" in shown and "[replace]" in shown and "[text-results]" in shown


@pytest.mark.parametrize("command", ["run", "text", "warm", "student", "site"])
def test_help_works_whatever_the_thread_setting(command, capsys, monkeypatch):
    monkeypatch.setenv("COLLAPSELAB_THREADS", "abc")
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0 and "usage:" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["warm", "00"], ["student", "--out", "student-edition"], ["text", "--out", "t"]])
def test_every_command_refuses_a_bad_thread_setting_in_one_line_before_any_work(argv, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLLAPSELAB_THREADS", "1.5")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("error:") == 1 and "COLLAPSELAB_THREADS must be a whole number" in err
    assert list(tmp_path.iterdir()) == []


def test_run_help_shows_each_default_once(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    shown = capsys.readouterr().out
    assert "(default: None)" not in shown and "] (default:" not in shown and "[5]" in shown and "[results]" in shown


@pytest.mark.parametrize("broken", ["missing", "truncated"])
def test_run_and_warm_without_official_mnist_exit_2_with_one_line_and_no_folder(broken, tmp_path, capsys, monkeypatch):
    from collapselab import data

    monkeypatch.setattr(data, "_download", lambda root: (_ for _ in ()).throw(data.MNISTNotFoundError(data.how_to_get_mnist(root))))
    root = tmp_path / "data"
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    if broken == "truncated":
        for name in data.RAW_FILES:
            (raw / name).symlink_to(data.raw_folder() / name)
        (raw / "t10k-labels-idx1-ubyte").unlink()
        (raw / "t10k-labels-idx1-ubyte").write_bytes((data.raw_folder() / "t10k-labels-idx1-ubyte").read_bytes()[:5000])
    for argv in (["run", "--data-root", str(root), "--out", str(tmp_path / "o3")], ["warm", "04", "--data-root", str(root)]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(argv)
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and "Traceback" not in err
        assert ("MNIST is not in" if broken == "missing" else "t10k-labels-idx1-ubyte has 5,000 bytes") in err
    assert not (tmp_path / "o3").exists() and not (root / "cache").exists()


def test_the_same_run_asked_for_twice_is_run_once(capsys):
    configs = cli.run_configs(args_for("--policy", "mix:0.1", "mix:0.10", "mix:1e-1", "replace", "--seeds", "0", "0"))
    assert [(c.policy, c.seed) for c in configs] == [("mix:0.1", 0), ("replace", 0)]
    err = capsys.readouterr().err  # 4 policies x 2 seeds -> 2 runs, in one note that names the repeats
    assert err.count("\n") == 1 and "note: 6 repeated run(s) dropped, each is run once:" in err
    assert "policy=mix:0.1 seed=0 asked for 6 times, policy=replace seed=0 asked for 2 times" in err
    text_args = cli.build_parser().parse_args(["text", "--temperature", "1", "1.0", "--policy", "replace"])
    assert len(cli.text_configs(text_args)) == 1
    assert "policy=replace temperature=1 seed=0 asked for 2 times" in capsys.readouterr().err


def test_distinct_runs_get_no_note(capsys):
    assert len(cli.run_configs(args_for("--policy", "mix:0.1", "mix:0.2", "--seeds", "0", "1"))) == 4
    assert "note" not in capsys.readouterr().err


class FakeRun:
    def __init__(self, config):
        self.config = config

    def rows(self):
        return [{"policy": self.config.policy, "seed": self.config.seed, "generation": 0, "fd": 1.0}]


def fake_figure(runs, path):
    path.write_bytes(b"png for " + ",".join(r.config.policy for r in runs).encode())


def test_a_failing_run_is_reported_and_the_finished_runs_are_kept(tmp_path, capsys):
    configs = cli.run_configs(args_for("--policy", "replace", "detector-filter:0", "mix:0.5"))

    def run_one(config):
        if config.policy.startswith("detector"):
            raise ValueError("the filter rejected every sample of generation 1")
        return FakeRun(config)

    code = cli.run_all(configs, run_one, tmp_path, fake_figure, lambda c: f"run: policy={c.policy}")
    err = capsys.readouterr().err
    assert code == 1 and "error: run: policy=detector-filter:0 failed: ValueError: the filter rejected" in err
    assert "1 of 3 run(s) failed" in err
    assert [r["policy"] for r in csv.DictReader(open(tmp_path / "metrics.csv"))] == ["replace", "mix:0.5"]
    assert (tmp_path / "metrics.png").read_bytes() == b"png for replace,mix:0.5"


def test_each_finished_run_is_written_before_the_next_one_starts(tmp_path):
    configs = cli.run_configs(args_for("--policy", "replace", "mix:0.5", "accumulate"))
    seen = []

    def run_one(config):
        written = tmp_path / "metrics.csv"
        seen.append([r["policy"] for r in csv.DictReader(open(written))] if written.exists() else [])
        return FakeRun(config)

    assert cli.run_all(configs, run_one, tmp_path, fake_figure, str) == 0
    assert seen == [[], ["replace"], ["replace", "mix:0.5"]]


def test_a_failed_runs_reason_is_one_line_and_the_summary_names_every_failed_run(tmp_path, capsys):
    configs = cli.run_configs(args_for("--policy", "replace", "mix:0.5", "accumulate"))

    def run_one(config):
        if config.policy != "mix:0.5":
            raise RuntimeError(f"{config.policy} broke\n  on a second line")
        return FakeRun(config)

    assert cli.run_all(configs, run_one, tmp_path, fake_figure, lambda c: f"run: policy={c.policy}") == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: run: policy=replace failed: RuntimeError: replace broke on a second line",
                   "error: run: policy=accumulate failed: RuntimeError: accumulate broke on a second line",
                   "error: 2 of 3 run(s) failed: run: policy=replace; run: policy=accumulate"]
    assert [r["policy"] for r in csv.DictReader(open(tmp_path / "metrics.csv"))] == ["mix:0.5"]


def test_a_tiny_run_whose_second_policy_rejects_every_sample_keeps_the_first_and_exits_1(data_root, tmp_path, capsys):
    out = tmp_path / "results"
    code = cli.main(tiny_args(data_root, out, "--policy", "replace", "detector-filter:0"))
    captured = capsys.readouterr()
    assert code == 1
    assert [(r["policy"], r["generation"]) for r in csv.DictReader(open(out / "metrics.csv"))] == [("replace", "0"), ("replace", "1")]
    assert [c["policy"] for c in json.loads((out / "metrics.json").read_text())["configs"]] == ["replace"]
    assert (out / "metrics.png").stat().st_size > 10_000
    assert "rejected every sample" in captured.err and "1 of 2 run(s) failed: run: policy=detector-filter:0" in captured.err
    assert "Traceback" not in captured.err and "wrote 2 rows" in captured.out


@pytest.mark.parametrize("failure", ["every run fails", "the lab fails"])
def test_a_command_that_writes_no_results_leaves_no_out_folder_behind(failure, data_root, tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(generations, "Lab", broken if failure == "the lab fails" else lambda **kw: object())
    monkeypatch.setattr(generations, "run", broken)
    out = tmp_path / "new" / "results"
    if failure == "the lab fails":
        with pytest.raises(RuntimeError):
            cli.main(tiny_args(data_root, out))
    else:
        assert cli.main(tiny_args(data_root, out, "--policy", "replace", "mix:0.5")) == 1
        assert "2 of 2 run(s) failed" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_an_out_folder_that_was_there_is_kept_even_when_no_run_finishes(data_root, tmp_path, monkeypatch):
    monkeypatch.setattr(generations, "Lab", lambda **kw: object())
    monkeypatch.setattr(generations, "run", lambda *a, **k: 1 / 0)
    out = tmp_path / "mine"
    out.mkdir()
    assert cli.main(tiny_args(data_root, out)) == 1
    assert out.is_dir()


@pytest.mark.parametrize("full_at", ["metrics.json", "metrics.png"])
def test_a_full_disk_leaves_the_previous_result_set_byte_identical_and_no_temporary_files(full_at, tmp_path, capsys,
                                                                                          monkeypatch):
    configs = cli.run_configs(args_for("--policy", "replace"))
    assert cli.run_all(configs, FakeRun, tmp_path, fake_figure, str) == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert {"metrics.csv", "metrics.json", "metrics.png"} <= set(before)

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    def full_disk(runs, path):
        path.write_bytes(b"half a fig")
        no_space()

    if full_at == "metrics.json":  # metrics.csv is written by then, and must not replace the old one
        monkeypatch.setattr(cli.json, "dumps", no_space)
    more = cli.run_configs(args_for("--policy", "replace", "mix:0.5"))
    assert cli.run_all(more, FakeRun, tmp_path, full_disk if full_at == "metrics.png" else fake_figure, str) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no .metrics.*.tmp.* left either


def test_an_out_folder_deleted_during_the_run_is_made_again(tmp_path):
    out = tmp_path / "gone"
    configs = cli.run_configs(args_for("--policy", "replace"))
    assert cli.run_all(configs, FakeRun, out, fake_figure, str) == 0
    assert (out / "metrics.csv").is_file()


def test_a_text_temperature_too_small_or_too_many_passages_exit_2_before_any_training(tmp_path, capsys):
    root = text_root(tmp_path)
    for extra, message in ((["--temperature", "1e-39"], "must be 0 (greedy) or at least 0.001"),
                           (["--eval-passages", "1000000000"], "n_eval must be <= 10000"),
                           (["--seeds", "18446744073709552"], "seed must be <= 4294967295")):
        with pytest.raises(SystemExit) as exit_:
            cli.main(tiny_text_args(root, tmp_path / "out", *extra))
        assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert not (root / "cache").exists() and not (tmp_path / "out").exists()


def test_a_failed_text_download_into_a_missing_folder_creates_no_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: (_ for _ in ()).throw(OSError("no internet")))
    with pytest.raises(SystemExit):
        cli.main(tiny_text_args(tmp_path / "nonexistent" / "dir", tmp_path / "out"))
    assert not (tmp_path / "nonexistent").exists() and not (tmp_path / "out").exists()


def test_the_result_files_are_renamed_into_place_under_a_lock_another_run_must_wait_for(tmp_path, monkeypatch):
    """Two runs finishing together into one --out never interleave their three renames."""
    fcntl = pytest.importorskip("fcntl")
    held = []
    replace = os.replace

    def checked_replace(src, dst):
        with open(tmp_path / ".metrics.lock", "a") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held.append(False)
                fcntl.flock(other, fcntl.LOCK_UN)
            except BlockingIOError:
                held.append(True)
        replace(src, dst)

    monkeypatch.setattr(cli.os, "replace", checked_replace)
    configs = cli.run_configs(args_for("--policy", "replace"))
    cli.write_results(tmp_path, [FakeRun(c) for c in configs], configs, fake_figure)
    assert held == [True, True, True]


def test_the_figure_draws_one_panel_per_metric_and_one_line_per_run_labelled_by_all_but_the_seed(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt
    from types import SimpleNamespace

    drawn = {}
    monkeypatch.setattr(plt, "close", lambda fig: drawn.setdefault("figure", fig))
    runs = [SimpleNamespace(config=generations.RunConfig(policy=policy, seed=seed),
                            metric=lambda name, s=seed: [1.0 + s, 2.0, 3.0])
            for policy in ("replace", "mix:0.5") for seed in (0, 1)]
    cli.figure(runs, tmp_path / "metrics.png", ("fd", "coverage", "recall"), "the title")
    panels = [ax for ax in drawn["figure"].axes if ax.axison]
    assert [ax.get_title() for ax in panels] == ["fd", "coverage", "recall"]
    assert all(len(ax.get_lines()) == 4 for ax in panels)
    legend = [t.get_text() for t in panels[0].get_legend().get_texts()]
    assert legend == ["policy=replace", "policy=mix:0.5"]  # one entry per policy, not per seed
    assert (tmp_path / "metrics.png").stat().st_size > 0
