"""The evaluation classifier: it classifies, it is cached, and a corrupt cache file is rebuilt."""

import re

import numpy as np
import pytest
import torch

from collapselab import cache
from collapselab.images import classifier
from collapselab.images.classifier import ClassifierConfig

from .conftest import TINY


def test_the_tiny_classifier_already_beats_chance_by_far(tiny_classifier, mnist):
    assert tiny_classifier.test_accuracy > 0.8


def test_features_and_probabilities_have_the_documented_shapes(tiny_classifier, mnist):
    images = mnist[2][:50]
    assert tiny_classifier.features(images).shape == (50, 128)
    probs = tiny_classifier.probabilities(images)
    assert probs.shape == (50, 10) and torch.allclose(probs.sum(dim=1), torch.ones(50))


def test_a_second_call_loads_the_cached_classifier(data_root):
    first = classifier.load_or_train(TINY, root=data_root)
    path = cache.path_for("classifier", TINY.as_dict(), data_root)
    stamp = path.stat().st_mtime_ns
    second = classifier.load_or_train(TINY, root=data_root)
    assert path.stat().st_mtime_ns == stamp
    assert second.test_accuracy == first.test_accuracy


def test_a_corrupted_cache_file_is_detected_and_rebuilt(data_root):
    first = classifier.load_or_train(TINY, root=data_root)
    path = cache.path_for("classifier", TINY.as_dict(), data_root)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.warns(UserWarning, match="checksum mismatch.*rebuilding"):
        rebuilt = classifier.load_or_train(TINY, root=data_root)
    assert rebuilt.test_accuracy == first.test_accuracy
    cache.load(path)  # the rebuilt file is valid


def test_labels_must_match_the_images():
    with pytest.raises(ValueError, match=r"labels must have shape \(4,\)"):
        classifier.train(torch.rand(4, 784), torch.zeros(3, dtype=torch.long), TINY)


def test_one_pass_gives_the_same_features_and_probabilities_as_two(tiny_classifier, mnist):
    images = mnist[2][:300]
    features, probabilities = tiny_classifier.features_and_probabilities(images)
    assert torch.equal(features, tiny_classifier.features(images))
    assert torch.equal(probabilities, tiny_classifier.probabilities(images))


@pytest.mark.parametrize("n_train, message", [
    (0, "n_train must be >= 1, got 0"),
    (300, "n_train must be between 1000 and 60000"),
    (2.5, "n_train must be an integer >= 1, got 2.5"),
])
def test_too_few_training_images_are_rejected_when_the_settings_are_made(n_train, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        ClassifierConfig(n_train=n_train)


def test_numpy_settings_are_stored_as_plain_python_numbers():
    config = ClassifierConfig(epochs=np.int64(2), n_train=np.int64(2000), lr=np.float64(1e-3), seed=np.int32(1))
    assert [type(v) for v in (config.epochs, config.n_train, config.lr, config.seed)] == [int, int, float, int]
    cache.check_payload(config.as_dict())
