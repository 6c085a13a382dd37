"""The recursion engine: sizes, provenance and each policy, on the 1-D Gaussian."""

import numpy as np
import pytest

from collapselab import gaussian, policies, recursion


@pytest.fixture
def real():
    return np.random.default_rng(0).normal(size=50)


def run(real, policy, generations=4, **kw):
    return recursion.run(gaussian.fit, gaussian.sample, real, generations, policy, seed=1, **kw)


def test_history_has_one_entry_per_generation_including_generation_zero(real):
    history = run(real, "replace", generations=4)
    assert len(history.models) == len(history.train_sizes) == len(history.provenance) == 5
    assert history.generations == 4


def test_generation_zero_is_fitted_on_the_real_data(real):
    history = run(real, "replace")
    assert history.models[0] == gaussian.fit(real)
    assert np.all(history.provenance[0] == 0)


def test_replace_trains_each_generation_only_on_its_predecessors_samples(real):
    history = run(real, "replace")
    assert history.train_sizes == [50] * 5
    for g in range(1, 5):
        assert np.all(history.provenance[g] == g)


def test_accumulate_keeps_every_generations_data(real):
    history = run(real, "accumulate")
    assert history.train_sizes == [50, 100, 150, 200, 250]
    assert np.array_equal(np.bincount(history.provenance[4]), [50] * 5)


def test_accumulate_subsample_keeps_the_budget_fixed_and_draws_from_every_generation(real):
    history = run(real, "accumulate-subsample", generations=6)
    assert history.train_sizes == [50] * 7
    sources = np.unique(history.provenance[6])
    assert len(sources) >= 4 and sources.max() <= 6


def test_mix_adds_the_requested_share_of_fresh_real_data(real):
    history = run(real, policies.mix(0.3))
    for g in range(1, 5):
        assert np.sum(history.provenance[g] == 0) == 15
        assert np.sum(history.provenance[g] == g) == 35


def test_mix_draws_fresh_data_from_the_fresh_source(real):
    fresh = np.full(1000, 7.0)
    history = run(real, policies.mix(1.0), fresh=fresh)
    assert history.models[1].mean == 7.0 and history.models[1].std == 0.0


def test_mix_with_no_fresh_data_is_replace(real):
    a = run(real, policies.mix(0.0))
    b = run(real, "replace")
    assert [m.std for m in a.models] == [m.std for m in b.models]


def test_filter_drops_the_samples_its_rule_rejects(real):
    only_real = policies.filtered(policies.mix(0.4), lambda step, x, prov: prov == 0, name="provenance filter")
    history = run(real, only_real)
    assert history.policy == "provenance filter"
    assert history.train_sizes[1:] == [20] * 4
    assert all(np.all(p == 0) for p in history.provenance)


def test_filter_that_rejects_everything_says_so(real):
    nothing = policies.filtered(policies.replace(), lambda step, x, prov: np.zeros(len(x), bool))
    with pytest.raises(ValueError, match="rejected every sample"):
        run(real, nothing)


def test_sample_size_sets_how_many_samples_each_generation_draws(real):
    history = run(real, "replace", sample_size=20)
    assert history.train_sizes == [50, 20, 20, 20, 20]


def test_the_same_seed_gives_the_same_history(real):
    a, b = run(real, "accumulate"), run(real, "accumulate")
    assert [m.std for m in a.models] == [m.std for m in b.models]


def test_provenance_shares_rows_sum_to_one_and_show_the_real_share(real):
    history = run(real, "accumulate")
    shares = history.provenance_shares()
    assert shares.shape == (5, 5)
    assert np.allclose(shares.sum(axis=1), 1.0)
    assert np.allclose(history.real_share(), [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])


def test_measure_is_recorded_every_generation(real):
    history = run(real, "replace", measure=lambda model, data, step: {"std": model.std, "n": len(data)})
    assert history.metric("n").tolist() == [50] * 5
    with pytest.raises(ValueError, match="no metric 'nope'"):
        history.metric("nope")


def test_tuple_data_sets_travel_through_the_engine():
    X = np.arange(20.0).reshape(10, 2)
    history = recursion.run(lambda d, step: len(d[0]), lambda m, n, rng: (np.zeros((n, 2)), np.zeros(n)), (X, X[:, 0]), 2,
                            "accumulate", seed=0)
    assert history.models == [10, 20, 30]


@pytest.mark.parametrize("generations", [-1, 1.5, "3"])
def test_bad_generations_are_rejected(real, generations):
    with pytest.raises(ValueError, match="generations must be"):
        run(real, "replace", generations=generations)


def test_unknown_policy_names_the_known_ones(real):
    with pytest.raises(ValueError, match="unknown policy 'photocopy'; choose one of replace, accumulate"):
        run(real, "photocopy")


@pytest.mark.parametrize("fraction", [-0.1, 1.5, "half"])
def test_fresh_fraction_outside_zero_one_is_rejected(fraction):
    with pytest.raises(ValueError, match=r"fresh_fraction must be a number in \[0, 1\]"):
        policies.mix(fraction)


def test_a_policy_is_named_as_it_is_typed():
    assert policies.as_policy("mix:0.25").name == "mix:0.25"
    assert policies.mix(0.25).name == "mix:0.25"
    assert [policies.as_policy(n).name for n in ("replace", "accumulate", "real-only")] == ["replace", "accumulate", "real-only"]


@pytest.mark.parametrize("name, message", [
    ("mix:lots", "the part after ':' must be a fraction in [0, 1], got 'lots'"),
    ("mix:1.5", "the part after ':' must be a fraction in [0, 1], got '1.5'"),
    ("mix", "unknown policy 'mix'"),
    ("replace:0.5", "unknown policy 'replace:0.5'"),
    (None, "unknown policy None"),
])
def test_a_malformed_policy_name_gets_one_clear_message(name, message):
    with pytest.raises(ValueError) as error:
        policies.as_policy(name)
    assert message in str(error.value)


def test_a_family_policy_by_name_alone_says_which_photocopier_builds_it():
    with pytest.raises(ValueError, match="policy 'detector-filter:0.5' belongs to the images photocopier"):
        policies.as_policy("detector-filter:0.5")


def test_every_callback_receives_the_generation_it_works_on(real):
    seen = {"fit": [], "sample": [], "measure": [], "keep": []}

    def fit(data, step):
        seen["fit"].append(step.generation)
        return gaussian.fit(data)

    def sample(model, n, step):
        # the model drawn from is the previous generation's, and the step says so
        seen["sample"].append((step.generation, model is step.model is step.history.models[-1]))
        return gaussian.sample(model, n, step)

    def keep(step, x, prov):
        seen["keep"].append((step.generation, step.model is not None))
        return np.ones(len(x), bool)

    recursion.run(fit, sample, real, 3, policies.filtered(policies.replace(), keep),
                  measure=lambda model, data, step: seen["measure"].append(step.generation) or {}, seed=0)
    assert seen == {"fit": [0, 1, 2, 3], "sample": [(1, True), (2, True), (3, True)],
                    "measure": [0, 1, 2, 3], "keep": [(1, True), (2, True), (3, True)]}


def test_a_callback_reads_earlier_generations_from_the_history_not_from_its_own_memory(real):
    """measure compares each generation with generation 0 through step.history, called in any order."""
    def measure(model, data, step):
        first = step.history.models[0]
        return {"std_ratio": model.std / first.std, "gen0_seen": step.history.metrics[0]["std_ratio"] if step.generation else None}

    history = recursion.run(gaussian.fit, gaussian.sample, real, 3, measure=measure, seed=0)
    assert history.metrics[0] == {"std_ratio": 1.0, "gen0_seen": None}
    assert [m["gen0_seen"] for m in history.metrics[1:]] == [1.0, 1.0, 1.0]
    assert history.metric("std_ratio")[3] == history.models[3].std / history.models[0].std


def test_what_a_callback_records_about_a_generation_is_kept_in_the_history(real):
    def fit(data, step):
        step.record(n_fitted=len(data), generation=step.generation)
        return gaussian.fit(data)

    def keep(step, x, prov):
        step.record(kept=len(x) - 1)
        return np.arange(len(x)) > 0

    history = recursion.run(fit, gaussian.sample, real, 2, policies.filtered(policies.replace(), keep), seed=0)
    assert history.info == [{"n_fitted": 50, "generation": 0},
                            {"kept": 49, "n_fitted": 49, "generation": 1},
                            {"kept": 49, "n_fitted": 49, "generation": 2}]


def test_the_engine_draws_fresh_data_from_a_pool_of_rows_without_copying_them(real):
    data = np.arange(100.0)
    history = recursion.run(gaussian.fit, gaussian.sample, real, 3, "real-only",
                            fresh=recursion.FreshPool(data, np.arange(90, 100)), sample_size=5, keep_data=True, seed=0)
    drawn = np.concatenate(history.data[1:3])
    assert sorted(drawn.tolist()) == list(np.arange(90.0, 100.0))  # each row once before any repeats


def test_a_sampler_by_hand_takes_a_generator_and_refuses_anything_else():
    model = gaussian.Gaussian(0, 1)
    assert gaussian.sample(model, 3, np.random.default_rng(0)).shape == (3,)
    with pytest.raises(ValueError, match="a sampler needs a numpy Generator .* or the engine's Step, got 7"):
        gaussian.sample(model, 3, 7)


def test_real_only_trains_every_generation_on_fresh_real_data(real):
    history = run(real, "real-only", fresh=np.arange(500.0))
    assert all(np.all(p == 0) for p in history.provenance) and history.train_sizes == [50] * 5


def test_provenance_accumulate_never_lets_synthetic_data_outnumber_real(real):
    history = run(real, "provenance-accumulate", generations=5)
    assert np.all(history.real_share() >= 0.5)
    assert history.train_sizes == [50, 100, 100, 100, 100, 100]


def test_a_sampler_that_returns_the_wrong_number_of_rows_is_caught(real):
    short = lambda model, n, rng: gaussian.sample(model, n - 1, rng)  # noqa: E731
    with pytest.raises(ValueError, match="must return n = 50 rows, got 49"):
        recursion.run(gaussian.fit, short, real, 2, seed=0)


def test_an_empty_pool_of_fresh_data_is_an_error_not_a_hang(real):
    with pytest.raises(ValueError, match="fresh is an empty data set"):
        run(real, policies.mix(0.5), fresh=np.array([]))


def test_cycling_indices_refuse_an_empty_pool():
    with pytest.raises(ValueError, match="size of the pool must be >= 1, got 0"):
        recursion.cycling_indices(0, np.random.default_rng(0))


def test_empty_real_data_is_rejected():
    with pytest.raises(ValueError, match="real_data is empty"):
        recursion.run(gaussian.fit, gaussian.sample, np.array([]), 2)


def test_a_quality_filter_that_keeps_typical_samples_speeds_up_variance_loss():
    real = np.random.default_rng(0).normal(size=200)
    typical = policies.filtered(policies.replace(),
                                lambda step, x, prov: np.abs(x - step.model.mean) < 1.5 * step.model.std,
                                name="typical only")
    plain = [recursion.run(gaussian.fit, gaussian.sample, real, 10, "replace", seed=s).models[-1].std for s in range(20)]
    filtered = [recursion.run(gaussian.fit, gaussian.sample, real, 10, typical, seed=s).models[-1].std for s in range(20)]
    assert np.median(filtered) < 0.5 * np.median(plain)


def test_cycling_indices_use_every_index_once_before_repeating():
    take = recursion.cycling_indices(5, np.random.default_rng(0))
    drawn = np.concatenate([take(3), take(4), take(3)])
    assert sorted(drawn[:5]) == [0, 1, 2, 3, 4] and sorted(drawn[5:]) == [0, 1, 2, 3, 4]


def test_the_engine_runs_exactly_the_hand_written_loop(real):
    rng = np.random.default_rng(1)
    data, by_hand = real, []
    for _ in range(5):
        model = gaussian.fit(data)
        by_hand.append(model)
        data = gaussian.sample(model, len(real), rng)
    assert run(real, "replace").models == by_hand


IMPORT_ORDERS = ["", "import collapselab.images.photocopier", "import collapselab.text.photocopier",
                 "import collapselab.tools.cli", "import collapselab.text.photocopier, collapselab.images.photocopier"]


@pytest.mark.parametrize("first", IMPORT_ORDERS)
def test_the_policy_names_are_the_same_whatever_is_imported_first(first):
    """A fresh interpreter per import order: the registry must not depend on which module ran first."""
    import json
    import subprocess
    import sys

    code = (f"{first}\nimport json\nfrom collapselab import policies\nfrom collapselab.text import photocopier as tx\n"
            "try:\n    tx.TextRunConfig(policy='detector-filter:0.5'); said = 'accepted'\n"
            "except ValueError as e:\n    said = str(e)\n"
            "print(json.dumps([policies.names(), policies.names('text'), policies.names('images'), said]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    every, text_names, image_names, said = json.loads(done.stdout)
    assert "detector-filter:<fraction>" in every and "detector-filter:<fraction>" in image_names
    assert "detector-filter:<fraction>" not in text_names and "mix:<fraction>" in text_names
    assert said.startswith("policy 'detector-filter:0.5' is for images only; the text photocopier takes replace")


def test_the_detector_filter_is_built_by_the_image_photocopier():
    from collapselab.images import photocopier as generations

    entry_family = policies.family("detector-filter:0.5")
    assert entry_family == "images" and policies.family("mix:0.5") is None
    with pytest.raises(ValueError, match="belongs to the images photocopier, which builds it"):
        policies.make("detector-filter:0.5")
    assert callable(generations.detector_filter)


def test_a_progress_bar_is_labelled_with_the_run_name_when_one_is_given(capsys):
    from collapselab import gaussian

    recursion.run(gaussian.fit, gaussian.sample, np.zeros(5) + np.arange(5), 2, "replace", progress="my arm")
    assert "my arm" in capsys.readouterr().err
    recursion.run(gaussian.fit, gaussian.sample, np.arange(5.0), 2, "accumulate", progress=True)
    assert "accumulate" in capsys.readouterr().err
