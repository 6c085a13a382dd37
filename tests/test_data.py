"""MNIST loading: shapes, dtypes, balanced subsets, and a helpful error when the files are missing."""

import numpy as np
import pytest
import torch

from collapselab import data


def test_training_images_are_flat_float_tensors_in_zero_one(mnist):
    images, labels, test_images, test_labels = mnist
    assert images.shape == (60_000, 784) and images.dtype == torch.float32
    assert float(images.min()) == 0.0 and float(images.max()) == 1.0
    assert labels.shape == (60_000,) and labels.dtype == torch.int64
    assert test_images.shape == (10_000, 784) and set(test_labels.unique().tolist()) == set(range(10))


def test_a_balanced_subset_has_the_same_count_of_every_digit(mnist):
    labels = mnist[1].numpy()
    index = data.balanced_subset(labels, 1000, seed=0)
    assert np.array_equal(np.bincount(labels[index]), [100] * 10)
    assert len(np.unique(index)) == 1000


def test_a_balanced_subset_spreads_the_remainder_over_the_first_classes(mnist):
    counts = np.bincount(mnist[1].numpy()[data.balanced_subset(mnist[1].numpy(), 1003, seed=0)])
    assert counts.tolist() == [101, 101, 101] + [100] * 7


def test_the_same_seed_gives_the_same_subset_and_another_seed_another(mnist):
    labels = mnist[1].numpy()
    assert np.array_equal(data.balanced_subset(labels, 500, seed=3), data.balanced_subset(labels, 500, seed=3))
    assert not np.array_equal(data.balanced_subset(labels, 500, seed=3), data.balanced_subset(labels, 500, seed=4))


def test_load_subset_returns_matching_images_and_labels(mnist):
    images, labels = data.load_subset(200, seed=1)
    assert images.shape == (200, 784) and np.array_equal(np.bincount(labels.numpy()), [20] * 10)


def test_asking_for_more_than_a_class_has_is_an_error(mnist):
    with pytest.raises(ValueError, match="ask for a smaller n"):
        data.balanced_subset(mnist[1].numpy(), 70_000)


def test_missing_files_give_an_error_that_names_both_ways_to_get_them(tmp_path):
    with pytest.raises(data.MNISTNotFoundError) as error:
        data.load_mnist(root=tmp_path, download=False)
    message = str(error.value)
    assert "with internet" in message and "download=True" in message
    assert "data/MNIST/raw" in message and "train-images-idx3-ubyte" in message


def test_missing_files_are_listed(tmp_path):
    assert data.missing_files(tmp_path) == list(data.RAW_FILES)
