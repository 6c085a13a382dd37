"""Image metrics: the sanity checks of issue 4 (real vs real, real vs noise, a one-digit generator)
and closed-form values."""

import math

import numpy as np
import pytest
import torch

from collapselab.images import metrics as im


@pytest.fixture(scope="module")
def reference(tiny_classifier, mnist):
    return im.make_reference(tiny_classifier, mnist[2][:3000])


@pytest.fixture(scope="module")
def real_metrics(tiny_classifier, reference, mnist):
    return im.evaluate(mnist[0][:3000], tiny_classifier, reference)


def test_frechet_distance_of_a_set_to_itself_is_zero():
    x = torch.randn(500, 8, generator=torch.Generator().manual_seed(0))
    assert im.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_of_shifted_gaussians_is_the_squared_shift():
    gen = torch.Generator().manual_seed(0)
    a, b = torch.randn(100_000, 3, generator=gen), torch.randn(100_000, 3, generator=gen) + torch.tensor([1.0, 2.0, 0.0])
    assert im.frechet_distance(a, b) == pytest.approx(5.0, rel=0.02)


def test_frechet_distance_in_one_dimension_is_mean_gap_squared_plus_std_gap_squared():
    gen = torch.Generator().manual_seed(1)
    a, b = torch.randn(200_000, 1, generator=gen), 3 * torch.randn(200_000, 1, generator=gen) + 1
    assert im.frechet_distance(a, b) == pytest.approx(1.0 + (3.0 - 1.0) ** 2, rel=0.02)


def test_real_versus_the_same_real_images_is_perfect(tiny_classifier, reference, mnist):
    same = im.evaluate(mnist[2][:3000], tiny_classifier, reference)
    assert same["fd"] == pytest.approx(0.0, abs=1e-6)
    assert same["precision"] == 1.0 and same["recall"] == 1.0


def test_real_versus_other_real_images_is_close(real_metrics):
    assert real_metrics["fd"] < 5.0
    assert real_metrics["precision"] > 0.75 and real_metrics["recall"] > 0.75
    assert real_metrics["class_entropy"] > 2.2


def test_real_versus_noise_is_far(tiny_classifier, reference, real_metrics):
    noise = torch.rand(3000, 784, generator=torch.Generator().manual_seed(0))
    metrics = im.evaluate(noise, tiny_classifier, reference)
    assert metrics["fd"] > 50 * max(real_metrics["fd"], 1.0)
    assert metrics["recall"] < 0.05


def test_a_generator_of_a_single_digit_has_low_recall_and_low_class_entropy(tiny_classifier, reference, mnist, real_metrics):
    images, labels = mnist[0], mnist[1]
    ones = images[labels == 1][:3000]
    metrics = im.evaluate(ones, tiny_classifier, reference)
    assert metrics["recall"] < 0.3 < real_metrics["recall"]
    assert metrics["class_entropy"] < 0.5 and metrics["kl_uniform"] > math.log(10) - 0.5
    assert metrics["precision"] > 0.7  # each image is realistic; the set is not diverse


def test_identical_images_have_zero_pixel_diversity():
    assert im.pixel_diversity(torch.full((10, 784), 0.5)) == 0.0


def test_real_digits_put_about_a_tenth_in_the_tails(real_metrics):
    assert 0.04 < real_metrics["tail_share"] < 0.16


def test_prototypes_have_no_tail(tiny_classifier, reference, mnist):
    # the average image of each digit, repeated: as typical as a digit gets
    images, labels = mnist[0], mnist[1]
    means = torch.stack([images[labels == c][:500].mean(0) for c in range(10)]).repeat(100, 1)
    assert im.evaluate(means, tiny_classifier, reference)["tail_share"] == 0.0


def test_class_histogram_and_entropy():
    h = im.class_histogram(np.array([0, 0, 1, 1]))
    assert h.tolist()[:3] == [0.5, 0.5, 0.0] and im.class_entropy(h) == pytest.approx(math.log(2))


def test_features_must_be_finite_and_two_dimensional():
    with pytest.raises(ValueError, match="2-D array"):
        im.frechet_distance(torch.zeros(5), torch.zeros(5))
    with pytest.raises(ValueError, match="NaN or inf"):
        im.frechet_distance(torch.full((3, 2), float("nan")), torch.zeros(3, 2))


def test_reusing_the_reference_radii_gives_the_same_precision_and_recall(reference, tiny_classifier, mnist):
    fake = tiny_classifier.features(mnist[0][:1000])
    assert im.precision_recall(reference.features, fake, 3, reference.radii) == im.precision_recall(reference.features, fake, 3)


# --- density and coverage (Naeem et al. 2020) ----------------------------------------------------

def test_real_versus_other_real_images_has_density_and_coverage_near_one(real_metrics):
    assert 0.8 < real_metrics["density"] < 1.2
    assert real_metrics["coverage"] > 0.85


def test_noise_has_coverage_near_zero_and_density_far_below_real(tiny_classifier, reference, real_metrics):
    noise = torch.rand(3000, 784, generator=torch.Generator().manual_seed(0))
    metrics = im.evaluate(noise, tiny_classifier, reference)
    assert metrics["coverage"] < 0.02
    assert metrics["density"] < 0.5 * real_metrics["density"]


def test_a_generator_of_a_single_digit_has_low_coverage(tiny_classifier, reference, mnist, real_metrics):
    ones = mnist[0][mnist[1] == 1][:3000]
    metrics = im.evaluate(ones, tiny_classifier, reference)
    assert metrics["coverage"] < 0.2 < real_metrics["coverage"]


def test_density_and_coverage_by_hand():
    real = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [10.0, 10.0]])
    # k = 1: radii are 1, 1, 1 and the distance from (10, 10) to its nearest neighbour
    fake = torch.tensor([[0.1, 0.0], [0.5, 0.0], [50.0, 50.0]])
    density, coverage = im.density_coverage(real, fake, k=1)
    # (0.1, 0): inside the balls of (0,0) and (1,0) (it is 1.005 from (0,1)) -> 2; (0.5, 0): the same 2;
    # the far point: 0. Density = 4 / (k * 3 generated points)
    assert density == pytest.approx(4 / 3)
    assert coverage == pytest.approx(2 / 4)  # the balls of (0,0) and (1,0) hold a generated point


def test_a_crowd_at_one_typical_spot_has_real_looking_density_but_no_coverage():
    real = torch.randn(2000, 2, generator=torch.Generator().manual_seed(0))
    crowd = torch.zeros(500, 2)  # every sample at the densest point: realistic, but no variety
    density, coverage = im.density_coverage(real, crowd, k=5)
    assert 0.7 < density < 1.4 and coverage < 0.05


def test_blurring_keeps_shape_and_range_and_loses_sharp_pixels(mnist):
    images = mnist[0][:50]
    soft = im.blur(images, 1.0)
    assert soft.shape == images.shape and float(soft.min()) >= 0 and float(soft.max()) <= 1
    assert float((soft > 0.9).float().mean()) < 0.5 * float((images > 0.9).float().mean())


def test_blurring_in_chunks_gives_each_image_what_blurring_it_alone_gives(mnist):
    images = mnist[0][:2500]                              # three chunks of at most 1,000
    soft = im.blur(images, 2.0)
    for i in (0, 999, 1000, 2499):
        assert torch.allclose(soft[i], im.blur(images[i : i + 1], 2.0)[0], atol=1e-6)


def test_class_histogram_refuses_labels_outside_the_classes():
    with pytest.raises(ValueError, match=r"predictions must lie in \[0, 9\], got values from 0 to 12"):
        im.class_histogram(np.array([0, 3, 12]))


def test_a_classifier_that_never_predicts_a_digit_cannot_make_a_reference():
    class Blind:
        def features_and_probabilities(self, images):
            probabilities = torch.zeros(len(images), 10)
            probabilities[:, 0] = 1.0  # always "0"
            return torch.randn(len(images), 8, generator=torch.Generator().manual_seed(0)), probabilities

    with pytest.raises(ValueError, match="predicts digit 1 for only 0 of the 100 reference images"):
        im.make_reference(Blind(), torch.rand(100, 784))
