"""MNIST loading: shapes, dtypes, balanced subsets, verification against the official files, where the
data lives, and helpful errors when the files are missing or damaged."""

import os
from pathlib import Path

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
    assert str(tmp_path / "MNIST" / "raw") in message and "train-images-idx3-ubyte" in message


def test_missing_files_are_listed(tmp_path):
    assert data.missing_files(tmp_path) == list(data.RAW_FILES)


# --- verification: only the official files load ------------------------------------------------

def damaged_root(tmp_path, name, content):
    """A data root with the official MNIST files linked in, except ``name``, which holds ``content``."""
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for official in data.RAW_FILES:
        if official != name:
            (raw / official).symlink_to(data.raw_folder() / official)
    (raw / name).write_bytes(content)
    return tmp_path


def official(name):
    return (data.raw_folder() / name).read_bytes()


def test_test_images_in_place_of_the_training_images_are_refused(tmp_path):
    root = damaged_root(tmp_path, "train-images-idx3-ubyte", official("t10k-images-idx3-ubyte"))
    with pytest.raises(data.MNISTCorruptError, match=r"train-images-idx3-ubyte has 7,840,016 bytes, expected 47,040,016"):
        data.load_mnist(root=root, download=False)


def test_random_pixels_under_a_valid_header_are_refused(tmp_path):
    good = official("train-images-idx3-ubyte")
    noise = np.random.default_rng(0).integers(0, 256, len(good) - 16, dtype=np.uint8).tobytes()
    root = damaged_root(tmp_path, "train-images-idx3-ubyte", good[:16] + noise)
    with pytest.raises(data.MNISTCorruptError, match="not the official SHA-256 checksum"):
        data.load_mnist(root=root, download=False)


def test_all_zero_labels_are_refused(tmp_path):
    good = official("train-labels-idx1-ubyte")
    root = damaged_root(tmp_path, "train-labels-idx1-ubyte", good[:8] + bytes(len(good) - 8))
    with pytest.raises(data.MNISTCorruptError, match="train-labels-idx1-ubyte has the right size"):
        data.load_mnist(root=root, download=False)


def test_a_truncated_file_says_how_to_repair_it(tmp_path):
    root = damaged_root(tmp_path, "t10k-images-idx3-ubyte", official("t10k-images-idx3-ubyte")[:1000])
    with pytest.raises(data.MNISTCorruptError) as error:
        data.load_mnist(train=False, root=root, download=False)
    message = str(error.value)
    assert "truncated" in message and "download=True" in message and "../shared/mnist" in message


def test_random_bytes_give_a_clear_error_not_an_assertion(tmp_path):
    root = damaged_root(tmp_path, "t10k-labels-idx1-ubyte", b"\x00\x01garbage" * 10)
    with pytest.raises(data.MNISTCorruptError, match="t10k-labels-idx1-ubyte has 90 bytes, expected 10,008"):
        data.load_mnist(train=False, root=root, download=False)


def test_a_damaged_file_is_never_overwritten_by_a_download(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "_download", lambda root: pytest.fail("must not download over a damaged file"))
    root = damaged_root(tmp_path, "t10k-labels-idx1-ubyte", b"short")
    with pytest.raises(data.MNISTCorruptError):
        data.load_mnist(train=False, root=root, download=True)


def test_stale_processed_files_cannot_shadow_the_raw_files(tmp_path, mnist):
    root = damaged_root(tmp_path, "t10k-labels-idx1-ubyte", official("t10k-labels-idx1-ubyte"))
    processed = root / "MNIST" / "processed"
    processed.mkdir()
    torch.save((torch.zeros(5, 28, 28, dtype=torch.uint8), torch.zeros(5, dtype=torch.long)), processed / "test.pt")
    torch.save((torch.zeros(5, 28, 28, dtype=torch.uint8), torch.zeros(5, dtype=torch.long)), processed / "training.pt")
    images, labels = data.load_mnist(train=False, root=root)
    assert images.shape == (10_000, 784) and torch.equal(labels, mnist[3])


def test_the_fingerprint_names_the_official_files():
    assert data.FINGERPRINT.startswith("mnist-") and len(data.FINGERPRINT) == len("mnist-") + 12


# --- where the data lives -----------------------------------------------------------------------

def test_the_environment_variable_sets_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLAPSELAB_DATA", str(tmp_path / "elsewhere"))
    assert data.data_root() == tmp_path / "elsewhere"
    assert data.raw_folder() == tmp_path / "elsewhere" / "MNIST" / "raw"


def test_inside_a_checkout_the_data_folder_is_the_checkouts_data(monkeypatch):
    monkeypatch.delenv("COLLAPSELAB_DATA", raising=False)
    assert data.data_root() == Path(__file__).resolve().parents[1] / "data"


def test_installed_outside_a_checkout_the_data_folder_is_in_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("COLLAPSELAB_DATA", raising=False)
    monkeypatch.setattr(data, "__file__", str(tmp_path / "venv" / "lib" / "site-packages" / "collapselab" / "data.py"))
    assert data.data_root() == Path.home() / ".collapselab" / "data"


def test_an_empty_label_array_has_no_balanced_subset():
    with pytest.raises(ValueError, match="labels must be a non-empty 1-D array"):
        data.balanced_subset([], 10)


def test_a_fifo_in_place_of_an_mnist_file_raises_instead_of_hanging(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "_download", lambda root: pytest.fail("must not download into a FIFO (it would block)"))
    root = damaged_root(tmp_path, "t10k-labels-idx1-ubyte", b"")
    fifo = root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    fifo.unlink()
    os.mkfifo(fifo)
    with pytest.raises(data.MNISTCorruptError, match="t10k-labels-idx1-ubyte is not a regular file"):
        data.load_mnist(train=False, root=root, download=True)


def test_a_relative_data_folder_is_refused_because_each_working_folder_would_see_another(monkeypatch):
    monkeypatch.setenv("COLLAPSELAB_DATA", "shared-data")
    with pytest.raises(ValueError, match="COLLAPSELAB_DATA must be an absolute path .* got 'shared-data'"):
        data.data_root()


def test_a_data_folder_under_the_home_folder_may_be_written_with_a_tilde(monkeypatch):
    monkeypatch.setenv("COLLAPSELAB_DATA", "~/course-data")
    assert data.data_root() == Path.home() / "course-data"


# --- the shared tensors are guarded ------------------------------------------------------------

def test_changing_the_shared_mnist_tensors_in_place_stops_anything_being_built_or_cached(data_root, mnist):
    """A learner's ``x[x < 0.5] = 0`` on load_mnist()'s tensors would poison every model and cache file
    built afterwards under the official fingerprint: the cache refuses to build from them."""
    from collapselab import cache

    images = mnist[2]  # the shared test set
    saved = images[:5].clone()
    images[:5] = (images[:5] > 0.5).float()
    try:
        with pytest.raises(data.MNISTModifiedError, match="test set that load_mnist.. returned was changed in place"):
            cache.load_or_build("thing", {"data": data.FINGERPRINT}, lambda: {"v": 1}, root=data_root)
        assert not cache.cache_dir(data_root).exists() or not any(cache.cache_dir(data_root).iterdir())
    finally:
        images[:5] = saved
    data.verify_unchanged()  # restored: no error
    assert cache.load_or_build("thing", {"data": data.FINGERPRINT}, lambda: {"v": 1}, root=data_root) == {"v": 1}


def test_a_subset_is_a_copy_so_changing_it_leaves_the_shared_tensors_alone(mnist):
    images, _ = data.load_subset(100)
    images.clamp_(0.5, 0.6)
    data.verify_unchanged()


def test_the_environment_check_refuses_a_truncated_mnist_file(tmp_path, monkeypatch, capsys):
    from collapselab import environment

    root = damaged_root(tmp_path, "t10k-labels-idx1-ubyte", official("t10k-labels-idx1-ubyte")[:5000])
    monkeypatch.setenv("COLLAPSELAB_DATA", str(root))
    assert environment.mnist_ready() is False
    assert "t10k-labels-idx1-ubyte has 5,000 bytes" in capsys.readouterr().out


def test_the_environment_check_passes_the_official_files(data_root, monkeypatch, capsys):
    from collapselab import environment

    monkeypatch.setenv("COLLAPSELAB_DATA", str(data_root))
    assert environment.mnist_ready() is True
    assert "all four files found" in capsys.readouterr().out


def test_tensors_handed_out_earlier_stay_guarded_after_other_data_folders_were_loaded(tmp_path):
    """The loader keeps a few sets in memory; a set handed out before others pushed it out is still checked."""
    from .conftest import linked_data_root

    first, _ = data.load_mnist(train=False, root=linked_data_root(tmp_path / "first"))
    for i in range(5):
        data.load_mnist(train=False, root=linked_data_root(tmp_path / f"other{i}"))
    saved = first[:3].clone()
    first[:3] = 0.0
    try:
        with pytest.raises(data.MNISTModifiedError):
            data.verify_unchanged()
    finally:
        first[:3] = saved
    data.verify_unchanged()


def test_a_rooms_own_mirror_is_tried_first_and_the_official_ones_after_it(monkeypatch):
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    assert data.mirrors(data.MNIST_MIRRORS, "x.gz") == [m + "x.gz" for m in data.MNIST_MIRRORS]
    monkeypatch.setenv(data.MIRROR_ENV, "http://room.local/mnist")
    assert data.mirrors(data.MNIST_MIRRORS, "x.gz")[:2] == ["http://room.local/mnist/x.gz", data.MNIST_MIRRORS[0] + "x.gz"]
