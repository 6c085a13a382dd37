"""The trained-model photocopier: one cached runner, one config base, one seed helper, one step count,
and real data kept apart from what they are compared with."""

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from collapselab import photocopier, recursion, seeds, training
from collapselab._checks import WrongTypeError, check_int
from collapselab.images import photocopier as images
from collapselab.text import photocopier as language


# --- one seed per use ----------------------------------------------------------------------------

def test_a_derived_seed_depends_only_on_the_runs_seed_the_use_and_its_numbers():
    assert seeds.derive(3, "train", 2) == seeds.derive(3, "train", 2)
    grid = {seeds.derive(seed, use, g) for seed in range(20) for use in ("train", "sample", "evaluate") for g in range(50)}
    assert len(grid) == 20 * 3 * 50  # no two uses share a stream (seed*1000+g would collide at g = 1000)
    assert all(0 <= s < 2**62 for s in grid)


def test_derived_seeds_are_pinned_so_caches_and_results_survive_a_numpy_upgrade():
    # SeedSequence's hashing is part of NumPy's stable API; this value must never change
    assert seeds.derive(0, "train", 0) == 3022431836941631450
    assert seeds.derive(0, "train") != seeds.derive(0, "train", 0)


@pytest.mark.parametrize("seed, use, numbers, error", [
    (1.5, "train", (), WrongTypeError), (-1, "train", (), ValueError), (2**32, "train", (), ValueError),
    (0, "", (), ValueError), (0, 3, (), ValueError), (0, "train", (-1,), ValueError),
])
def test_a_bad_seed_use_or_number_is_refused(seed, use, numbers, error):
    with pytest.raises(error):
        seeds.derive(seed, use, *numbers)


def test_a_wrong_type_is_a_type_error_that_every_value_error_handler_still_catches():
    with pytest.raises(TypeError, match="must be an integer"):
        check_int("generations", "5", minimum=0)
    with pytest.raises(ValueError):
        images.RunConfig(generations=2.0)
    with pytest.raises(TypeError, match="VAEConfig"):
        images.RunConfig(vae={"hidden": 256})
    with pytest.raises(TypeError, match="LMConfig"):
        language.TextRunConfig(lm=None)


# --- one place that counts gradient steps --------------------------------------------------------

def test_gradient_steps_count_every_batch_of_every_epoch_the_last_one_too():
    assert training.gradient_steps(10_000, 256, 20) == 20 * 40
    assert training.gradient_steps(257, 256, 1) == 2
    assert training.epochs_for(300, 20, 256) == 300 and training.epochs_for(300, 1100, 256) == 60


def test_a_fixed_budget_gives_every_generation_about_generation_zeros_steps_and_a_growing_one_more():
    fixed, growing = images.RunConfig(), images.RunConfig(budget="growing")
    assert fixed.gradient_steps(0, 10_000) == 800
    assert abs(fixed.gradient_steps(2, 30_000) - 800) / 800 < 0.05
    assert growing.gradient_steps(2, 30_000) == 20 * 118


def test_a_matched_budget_gives_replace_the_steps_that_accumulate_gets_with_a_growing_budget():
    growing, matched = images.RunConfig(budget="growing"), images.RunConfig(budget="matched")
    for generation in range(6):
        accumulate_steps = growing.gradient_steps(generation, 10_000 * (generation + 1))
        matched_steps = matched.gradient_steps(generation, 10_000)
        assert matched_steps == 800 * (generation + 1)
        assert abs(matched_steps - accumulate_steps) / accumulate_steps < 0.03   # batches round up per epoch


def test_the_schedule_of_a_vae_is_as_long_as_the_steps_it_takes():
    from collapselab.images import vae

    settings = vae.VAEConfig(hidden=16, latent=2, epochs=3, batch_size=100)
    optimizer = torch.optim.Adam(vae.VAE(16, 2).parameters())
    schedule = training.one_cycle(optimizer, 1e-2, 250, settings.batch_size, settings.epochs)
    assert schedule.total_steps == training.gradient_steps(250, 100, 3) == 9


# --- one runner for every family: a family that says only how to train, sample and score ----------

@dataclass(frozen=True)
class MeanConfig(photocopier.PhotocopierConfig):
    FAMILY = "means"


class MeanFamily(photocopier.Family):
    """A "network" that learns the mean of its data and writes noisy copies of it."""

    KIND = "means-test"

    def __init__(self, root, real, fresh):
        self.root, self.real, self.fresh, self.trained, self.seeds_seen = root, real, fresh, [], []

    def real_data(self, config):
        return self.real, recursion.FreshPool(self.fresh)

    def train(self, config, generation, data):
        self.trained.append(generation)
        return {"weights": torch.as_tensor(data).float().mean(0), "losses": [float(len(data))]}

    def load(self, config, state):
        return state["weights"]

    def sample(self, config, model, n, seed):
        self.seeds_seen.append(seed)
        return model + 0.1 * torch.randn(n, model.shape[0], generator=torch.Generator().manual_seed(seed))

    def score(self, config, model, step, seed):
        return {"distance_to_gen0": float((model - step.history.models[0]).norm())}


def mean_family(tmp_path):
    real = torch.zeros(50, 2)
    fresh = torch.full((500, 2), 7.0)  # fresh real data are told apart by their value
    return MeanFamily(tmp_path, real, fresh)


def test_the_runner_trains_each_generation_once_and_a_rerun_only_reads_the_cache(tmp_path):
    family = mean_family(tmp_path)
    first = photocopier.run(MeanConfig(generations=3, n_eval=10), family, progress=False)
    assert family.trained == [0, 1, 2, 3] and first.losses == [[50.0]] * 4
    again = photocopier.run(MeanConfig(generations=3, n_eval=10), family, progress=False)
    assert family.trained == [0, 1, 2, 3]  # nothing retrained
    assert [float(m["distance_to_gen0"]) for m in again.metrics] == [float(m["distance_to_gen0"]) for m in first.metrics]
    assert first.metrics[0]["distance_to_gen0"] == 0.0 and first.metrics[3]["distance_to_gen0"] > 0


def test_every_generation_samples_with_its_own_derived_seed(tmp_path):
    family = mean_family(tmp_path)
    config = MeanConfig(generations=3, n_eval=10, seed=4)
    photocopier.run(config, family, progress=False)
    assert family.seeds_seen == [config.seed_for("sample", g) for g in (1, 2, 3)]


def test_fresh_real_data_come_from_the_pool_disjoint_from_generation_zeros(tmp_path):
    family = mean_family(tmp_path)
    run = photocopier.run(MeanConfig(generations=2, n_eval=10, policy="real-only"), family, progress=False)
    assert [float(m[0]) for m in run.models] == [0.0, 7.0, 7.0]  # generation 0's data are never drawn again


def test_rows_carry_the_configs_labels_and_columns(tmp_path):
    @dataclass(frozen=True)
    class Labelled(MeanConfig):
        temperature: float = 0.5
        LABELS = ("temperature",)
        COLUMNS = ("distance_to_gen0",)

    run = photocopier.run(Labelled(generations=1, n_eval=10), mean_family(tmp_path), progress=False)
    assert run.rows()[1] == {"policy": "replace", "temperature": 0.5, "seed": 0, "generation": 1, "train_size": 50,
                             "real_share": 0.0, "distance_to_gen0": pytest.approx(run.metrics[1]["distance_to_gen0"], abs=1e-5)}


# --- the image family: generation 0, the fresh pool and the detector's images are disjoint --------

def fake_mnist():
    labels = torch.arange(60_000) % 10
    return SimpleNamespace(labels=labels, images=torch.zeros(60_000, 1))


def test_mnist_is_cut_into_generation_zero_the_fresh_pool_and_the_detectors_images_without_overlap():
    lab = fake_mnist()
    split = images.Lab.real_split(lab, images.RunConfig(seed=3))
    parts = [set(split.generation0.tolist()), set(split.fresh.tolist()), set(split.detector.tolist())]
    assert [len(p) for p in parts] == [10_000, 40_000, images.DETECTOR_IMAGES]
    assert set.union(*parts) == set(range(60_000)) and sum(map(len, parts)) == 60_000


def test_the_detector_trains_on_real_images_the_stream_it_filters_can_never_contain():
    lab = fake_mnist()
    lab.real_split = lambda config: images.Lab.real_split(lab, config)
    config = images.RunConfig(policy="detector-filter:0.5", seed=1)
    split = images.Lab.real_split(lab, config)
    policy = images.Lab.policy(lab, config)
    detector = policy.keep
    for generation in (1, 2, 3):
        used = detector.real_indices(generation)
        assert len(set(used.tolist())) == 2 * detector.n_train
        assert not set(used.tolist()) & (set(split.fresh.tolist()) | set(split.generation0.tolist()))


# --- the text family: fresh passages are new real passages, and a temperature is part of the key ---

def test_fresh_real_text_is_new_passages_never_generation_zeros():
    real = torch.arange(40 * 8).view(40, 8)
    lab = SimpleNamespace(real=real, check=lambda config: None)
    gen0, fresh = language.TextLab.real_data(lab, language.TextRunConfig(n_real=10))
    assert torch.equal(gen0, real[:10]) and len(fresh) == 30
    drawn = fresh.take(np.arange(30))
    assert not set(drawn[:, 0].tolist()) & set(gen0[:, 0].tolist())


def test_a_run_must_leave_real_passages_for_the_fresh_pool():
    lab = SimpleNamespace(real=torch.zeros(40, 8))
    with pytest.raises(ValueError, match="n_real must be < 40"):
        language.TextLab.check(lab, language.TextRunConfig(n_real=40))


def test_text_written_at_another_temperature_is_never_read_from_the_cache_of_the_first():
    lab = SimpleNamespace()
    hot, cold = language.TextRunConfig(), language.TextRunConfig(temperature=0.5)
    # generation 0 is shared (its model's key has no temperature) but what it writes is not
    assert hot.key(0) == cold.key(0)
    assert language.TextLab.sampling_key(lab, hot) != language.TextLab.sampling_key(lab, cold)
    assert language.TextLab.evaluation_key(lab, hot) != language.TextLab.evaluation_key(lab, cold)
