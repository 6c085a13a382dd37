"""The VAE: it learns, samples images, is deterministic under a seed, and rejects bad input."""

import math

import numpy as np
import pytest
import torch

from collapselab import cache
from collapselab.images import vae

TINY = vae.VAEConfig(hidden=64, latent=4, epochs=4, batch_size=64, lr=3e-3, seed=0)


@pytest.fixture(scope="module")
def tiny_images(mnist):
    return mnist[0][:600]


@pytest.fixture(scope="module")
def tiny(tiny_images):
    return vae.train(tiny_images, TINY, progress=False)


def test_the_loss_falls_during_training(tiny):
    assert len(tiny.train_loss) == 4
    assert tiny.train_loss[-1] < 0.8 * tiny.train_loss[0]


def test_samples_are_images_in_zero_one(tiny):
    samples = tiny.model.sample(10, seed=1)
    assert samples.shape == (10, 784) and float(samples.min()) >= 0.0 and float(samples.max()) <= 1.0


def test_the_same_seed_gives_the_same_model_and_samples(tiny, tiny_images):
    again = vae.train(tiny_images, TINY, progress=False)
    assert again.train_loss == tiny.train_loss
    assert torch.equal(again.model.sample(5, seed=2), tiny.model.sample(5, seed=2))


def test_samples_drawn_over_several_batches_fill_every_row(tiny):
    for mode in ("mean", "bernoulli"):
        rows = tiny.model.sample(10, seed=3, mode=mode, batch_size=4)       # batches of 4, 4 and 2
        assert rows.shape == (10, 784) and bool((rows.sum(dim=1) > 0).all())
        assert torch.equal(rows, tiny.model.sample(10, seed=3, mode=mode, batch_size=4))
    assert tiny.model.sample(0).shape == (0, 784)


def test_another_seed_gives_another_model(tiny, tiny_images):
    other = vae.train(tiny_images, vae.VAEConfig(**{**TINY.as_dict(), "seed": 1}), progress=False)
    assert other.train_loss != tiny.train_loss


def test_test_loss_is_recorded_each_epoch_when_test_images_are_given(tiny_images):
    result = vae.train(tiny_images[:200], vae.VAEConfig(**{**TINY.as_dict(), "epochs": 2}),
                       test_images=tiny_images[200:300], progress=False)
    assert len(result.test_loss) == 2 and all(math.isfinite(x) for x in result.test_loss)


def test_negative_elbo_of_a_coin_flip_decoder_is_784_log_2_per_image():
    x = torch.rand(3, 784)
    logits, mu, logvar = torch.zeros(3, 784), torch.zeros(3, 2), torch.zeros(3, 2)
    # BCE of probability 1/2 is log 2 per pixel whatever the target; KL(N(0,1) || N(0,1)) = 0
    assert vae.negative_elbo(logits, x, mu, logvar).item() / 3 == pytest.approx(784 * math.log(2), rel=1e-5)


def test_a_saved_state_restores_the_same_model(tiny):
    restored = vae.TrainedVAE.from_state(tiny.state(), device="cpu")
    assert torch.equal(restored.model.sample(4, seed=3), tiny.model.sample(4, seed=3))
    assert restored.train_loss == tiny.train_loss


def test_images_of_the_wrong_shape_are_rejected():
    with pytest.raises(ValueError, match=r"shape \(n, 784\), got \(5, 28, 28\); flatten"):
        vae.train(torch.rand(5, 28, 28), TINY, progress=False)


def test_pixels_outside_zero_one_are_rejected():
    with pytest.raises(ValueError, match="divide 0-255 pixels by 255"):
        vae.train(torch.full((5, 784), 255.0), TINY, progress=False)


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError, match="epochs must be >= 1, got 0"):
        vae.VAEConfig(epochs=0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_pixels_are_rejected(bad):
    images = torch.zeros(4, 784)
    images[2, 100] = bad
    with pytest.raises(ValueError, match=r"finite floats in \[0, 1\]"):
        vae.check_images(images)


def test_a_learning_rate_far_too_large_is_rejected():
    with pytest.raises(ValueError, match="lr must be <= 1"):
        vae.VAEConfig(lr=1e10)


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step")  # no optimiser step runs
def test_training_that_diverges_raises_instead_of_returning_nan(monkeypatch):
    monkeypatch.setattr(vae, "train_step", lambda *args: float("nan"))
    with pytest.raises(FloatingPointError, match="diverged: the loss is nan in epoch 1; lower the learning rate"):
        vae.train(torch.rand(64, 784), vae.VAEConfig(hidden=16, latent=2, epochs=2, batch_size=32), progress=False)


def test_numpy_settings_give_a_checkpoint_that_safe_loading_reads_back(tmp_path):
    config = vae.VAEConfig(hidden=np.int64(16), latent=np.int32(2), epochs=np.int64(1), batch_size=32,
                           lr=np.float64(3e-3), seed=np.int64(4))
    trained = vae.train(torch.rand(64, 784), config, device="cpu", progress=False)
    path = cache.save(tmp_path / "vae.pt", trained.state())  # refuses numpy scalars
    restored = vae.TrainedVAE.from_state(cache.load(path), device="cpu")
    assert restored.config == config and all(type(v) in (int, float) for v in restored.config.as_dict().values())


def test_the_default_settings_are_the_courses_generation_zero():
    from collapselab.images import photocopier as generations

    assert generations.GENERATION_ZERO == vae.VAEConfig()
    assert (vae.VAEConfig().hidden, vae.VAEConfig().epochs, vae.VAEConfig().lr) == (256, 20, 1e-2)
    assert vae.VAE().to_mu.in_features == vae.VAEConfig().hidden
