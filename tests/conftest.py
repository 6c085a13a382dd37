"""Shared fixtures: MNIST (real, from data/MNIST/raw) and a tiny, quickly trained classifier."""

import os

import pytest

from collapselab import classifier, data


@pytest.fixture(scope="session")
def mnist():
    """The MNIST training and test sets as ``(images, labels, test_images, test_labels)``."""
    images, labels = data.load_mnist(train=True)
    test_images, test_labels = data.load_mnist(train=False)
    return images, labels, test_images, test_labels


def linked_data_root(folder):
    """Make ``folder`` a data root whose MNIST/raw links to the real files (its cache starts empty)."""
    raw = folder / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.RAW_FILES:
        os.symlink(data.raw_folder() / name, raw / name)
    return folder


@pytest.fixture
def data_root(tmp_path):
    """A fresh data folder whose MNIST/raw links to the real files, with an empty cache."""
    return linked_data_root(tmp_path)


TINY = classifier.ClassifierConfig(epochs=3, n_train=5000)


@pytest.fixture(scope="session")
def tiny_classifier(tmp_path_factory):
    """A classifier trained for three epochs on 5,000 images (a few seconds): good enough features for
    testing metric properties."""
    return classifier.load_or_train(TINY, root=linked_data_root(tmp_path_factory.mktemp("tiny")))
