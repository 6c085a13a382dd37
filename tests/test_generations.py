"""Recursive VAE runs through the engine: sizes, provenance, policies, and per-generation caching."""

import numpy as np
import pytest
import torch

from collapselab import cache, generations
from collapselab.classifier import ClassifierConfig

from .conftest import linked_data_root

TINY_CLASSIFIER = ClassifierConfig(epochs=2, n_train=2000)


def tiny(**changes):
    settings = dict(generations=2, n_images=300, epochs=2, hidden=64, latent=4, n_eval=200, seed=0)
    return generations.RunConfig(**{**settings, **changes})


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    return generations.Lab(root=linked_data_root(tmp_path_factory.mktemp("lab")), classifier=TINY_CLASSIFIER)


def vae_files(lab):
    return sorted(cache.cache_dir(lab.root).glob("vae-generation-*.pt"))


def test_replace_trains_each_generation_on_its_predecessors_samples(lab):
    run = generations.run(tiny(), lab, progress=False)
    assert run.history.train_sizes == [300, 300, 300]
    assert [set(p) for p in run.history.provenance] == [{0}, {1}, {2}]
    assert len(run.metrics) == 3 and set(generations.METRICS) <= set(run.metrics[0])


def test_generation_zero_is_a_balanced_subset_of_real_digits(lab):
    real, pool = lab.real_split(tiny())
    assert real.shape == (300, 784) and len(pool) == 60_000 - 300


def test_fresh_images_come_from_outside_generation_zero_without_repeats(lab):
    real, pool = lab.real_split(tiny())
    draw = lab.fresh_source(pool[:50])
    rng = np.random.default_rng(0)
    first, second = draw(30, rng), draw(20, rng)
    drawn = torch.cat([first, second])
    assert torch.equal(drawn[drawn.sum(1).argsort()], lab.images[pool[:50]][lab.images[pool[:50]].sum(1).argsort()])


def test_accumulate_grows_the_training_set_and_keeps_provenance(lab):
    run = generations.run(tiny(policy="accumulate"), lab, progress=False)
    assert run.history.train_sizes == [300, 600, 900]
    assert np.allclose(run.history.real_share(), [1, 1 / 2, 1 / 3])


def test_accumulate_gives_every_generation_the_same_number_of_steps():
    config = tiny()
    assert config.vae_config(300, 1).epochs == 2 and config.vae_config(600, 2).epochs == 1


def test_provenance_aware_accumulation_keeps_real_data_at_least_half(lab):
    run = generations.run(tiny(policy="provenance-accumulate", generations=3), lab, progress=False)
    assert np.all(run.history.real_share() >= 0.5)
    assert run.history.train_sizes[3] == 600


def test_mixing_fresh_data_adds_real_images_from_outside_generation_zero(lab):
    run = generations.run(tiny(policy="mix:0.5"), lab, progress=False)
    assert [int(np.sum(p == 0)) for p in run.history.provenance] == [300, 150, 150]


def test_the_detector_filter_reports_an_accuracy_per_generation_and_drops_samples(lab):
    run = generations.run(tiny(policy="detector-filter:0.5"), lab, progress=False)
    assert len(run.detector_accuracy) == 2 and all(0.0 <= a <= 1.0 for a in run.detector_accuracy)
    assert all(size <= 300 for size in run.history.train_sizes[1:])


def test_a_second_run_loads_every_generation_from_the_cache(lab):
    config = tiny(seed=5)
    first = generations.run(config, lab, progress=False)
    stamps = {p: p.stat().st_mtime_ns for p in vae_files(lab)}
    second = generations.run(config, lab, progress=False)
    assert {p: p.stat().st_mtime_ns for p in vae_files(lab)} == stamps
    assert [m["fd"] for m in second.metrics] == [m["fd"] for m in first.metrics]
    assert torch.equal(first.history.models[2].sample(3, seed=1), second.history.models[2].sample(3, seed=1))


def test_another_policy_shares_generation_zero_and_trains_only_the_rest(lab):
    generations.run(tiny(seed=6), lab, progress=False)
    before = len(vae_files(lab))
    generations.run(tiny(seed=6, policy="accumulate"), lab, progress=False)
    assert len(vae_files(lab)) == before + 2


def test_a_corrupted_checkpoint_is_detected_and_rebuilt(lab):
    config = tiny(seed=7)
    first = generations.run(config, lab, progress=False)
    key = {**config.key(1), "vae": config.vae_config(300, 1).as_dict()}
    path = cache.path_for("vae-generation", key, lab.root)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.warns(UserWarning, match="rebuilding"):
        again = generations.run(config, lab, progress=False)
    assert torch.equal(first.history.models[1].sample(3, seed=1), again.history.models[1].sample(3, seed=1))
    cache.load(path)


def test_rows_flatten_a_run_for_csv(lab):
    rows = generations.run(tiny(), lab, progress=False).rows()
    assert [r["generation"] for r in rows] == [0, 1, 2] and rows[1]["real_share"] == 0.0


def test_unknown_policies_are_rejected_with_the_valid_names():
    with pytest.raises(ValueError, match="unknown policy 'copy'; choose replace, accumulate"):
        generations.RunConfig(policy="copy")


def test_a_fraction_outside_zero_one_is_rejected():
    with pytest.raises(ValueError, match="must be a fraction in"):
        generations.RunConfig(policy="mix:1.5")


def test_too_many_images_leave_no_fresh_pool():
    with pytest.raises(ValueError, match="n_images must be <= 30000"):
        generations.RunConfig(n_images=50_000)


def test_unknown_metric_names_the_known_ones(lab):
    with pytest.raises(ValueError, match="unknown metric 'fid'"):
        generations.run(tiny(), lab, progress=False).metric("fid")
