"""Shared fixtures: MNIST (real, from data/MNIST/raw) and a tiny, quickly trained classifier; and
the markers that pick a fast unit subset (``python -m pytest -m "not notebooks and not browser and
not slow"``; the README's test command runs everything)."""

import os

import pytest

from collapselab.images import classifier
from collapselab import data

#: test modules that build the website and drive a browser
BROWSER_MODULES = {"test_site.py"}
#: fixtures that train a model or run a photocopier: a test using one is slow
SLOW_FIXTURES = {"tiny_classifier", "lab", "tiny"}
#: test modules in which every test trains or runs something
SLOW_MODULES = {"test_generations.py", "test_classifier.py", "test_cli.py"}


def pytest_collection_modifyitems(config, items):
    """Mark each test ``notebooks``, ``browser`` or ``slow`` (see pyproject.toml's markers)."""
    for item in items:
        name = item.path.name
        if item.path.suffix == ".ipynb" or "top_to_bottom" in item.name and name == "test_student.py":
            item.add_marker(pytest.mark.notebooks)
        elif name in BROWSER_MODULES:
            item.add_marker(pytest.mark.browser)
        elif name in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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
