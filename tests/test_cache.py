"""The cache: keyed by configuration, atomic, checksummed, safe to load, and rebuilt when corrupt."""

import os
import warnings

import numpy as np
import pytest
import torch

from collapselab import cache


def test_a_saved_payload_loads_back(tmp_path):
    payload = {"weights": torch.arange(5.0), "accuracy": 0.99, "config": {"epochs": 2}}
    cache.save(tmp_path / "a.pt", payload)
    loaded = cache.load(tmp_path / "a.pt")
    assert torch.equal(loaded["weights"], payload["weights"]) and loaded["accuracy"] == 0.99


def test_the_key_depends_on_the_configuration_not_on_key_order():
    assert cache.config_key({"a": 1, "b": 2}) == cache.config_key({"b": 2, "a": 1})
    assert cache.config_key({"a": 1}) != cache.config_key({"a": 2})


def test_a_truncated_file_is_detected(tmp_path):
    path = cache.save(tmp_path / "a.pt", {"w": torch.zeros(100)})
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(cache.CorruptCacheError, match="checksum mismatch"):
        cache.load(path)


def test_a_flipped_byte_is_detected(tmp_path):
    path = cache.save(tmp_path / "a.pt", {"w": torch.zeros(100)})
    raw = bytearray(path.read_bytes())
    raw[-20] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(cache.CorruptCacheError):
        cache.load(path)


def test_a_file_that_is_not_a_cache_file_is_refused(tmp_path):
    path = tmp_path / "a.pt"
    path.write_bytes(b"hello")
    with pytest.raises(cache.CorruptCacheError, match="not a"):
        cache.load(path)


RAN = []


def _run_code(*args):
    RAN.append(args)
    return args


class Evil:
    """Unpickling this calls ``_run_code``: what an attacker's pickle would do."""

    def __reduce__(self):
        return (_run_code, ("this code should never run",))


def test_a_payload_with_pickled_code_is_refused_without_running_it(tmp_path, monkeypatch):
    # a well-formed torch.save file, with a valid checksum, whose pickle calls code when loaded
    monkeypatch.setattr(cache, "check_payload", lambda payload, where="payload": None)
    path = cache.save(tmp_path / "evil.pt", {"weights": Evil()})
    monkeypatch.undo()
    RAN.clear()
    with pytest.raises(cache.CorruptCacheError, match="cannot be loaded safely"):
        cache.load(path)
    assert RAN == []  # weights_only=True refused the pickle before anything ran


def test_load_or_build_builds_once_then_hits_the_cache(tmp_path):
    calls = []

    def build():
        calls.append(1)
        return {"value": torch.tensor(3.0)}

    first = cache.load_or_build("thing", {"n": 1}, build, root=tmp_path)
    second = cache.load_or_build("thing", {"n": 1}, build, root=tmp_path)
    assert calls == [1] and torch.equal(first["value"], second["value"])
    cache.load_or_build("thing", {"n": 2}, build, root=tmp_path)
    assert calls == [1, 1]


def test_load_or_build_rebuilds_a_corrupt_file_with_a_warning(tmp_path):
    cache.load_or_build("thing", {"n": 1}, lambda: {"v": torch.ones(3)}, root=tmp_path)
    path = cache.path_for("thing", {"n": 1}, root=tmp_path)
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.warns(UserWarning, match="rebuilding"):
        rebuilt = cache.load_or_build("thing", {"n": 1}, lambda: {"v": torch.full((3,), 7.0)}, root=tmp_path)
    assert torch.equal(rebuilt["v"], torch.full((3,), 7.0))
    assert torch.equal(cache.load(path)["v"], torch.full((3,), 7.0))


def test_no_temporary_files_are_left_behind(tmp_path):
    cache.save(tmp_path / "a.pt", {"w": torch.zeros(3)})
    assert [p.name for p in tmp_path.iterdir()] == ["a.pt"]


def test_a_configuration_that_is_not_json_is_rejected():
    with pytest.raises(ValueError, match="JSON-serialisable"):
        cache.config_key({"f": object()})


@pytest.mark.parametrize("payload, where", [
    ({"lr": np.float64(3e-3)}, "payload['lr'] is a numpy.float64"),
    ({"sizes": [1, np.int64(2)]}, "payload['sizes'][1] is a numpy.int64"),
    ({"model": torch.nn.Linear(2, 2)}, "payload['model'] is a torch.nn.modules.linear.Linear"),
    ({np.int64(1): "a"}, "payload key np.int64(1) is a numpy.int64"),
])
def test_save_refuses_what_safe_loading_would_refuse(tmp_path, payload, where):
    with pytest.raises(ValueError) as error:
        cache.save(tmp_path / "a.pt", payload)
    assert where in str(error.value) and "weights_only" in str(error.value)
    assert not (tmp_path / "a.pt").exists()


def test_everything_save_accepts_loads_back(tmp_path):
    payload = {"w": torch.ones(2), "n": 3, "x": 0.5, "ok": True, "none": None, "names": ["a", ("b", 2)],
               "nested": {"k": [1.0]}, 7: {1, 2}}
    cache.save(tmp_path / "a.pt", payload)
    assert cache.load(tmp_path / "a.pt")["names"] == ["a", ("b", 2)]


def test_a_fifo_at_a_cache_path_raises_instead_of_hanging(tmp_path):
    path = cache.path_for("thing", {"n": 1}, tmp_path)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    with pytest.raises(cache.CorruptCacheError, match="not a regular file"):
        cache.load_or_build("thing", {"n": 1}, lambda: {"v": 1}, root=tmp_path)


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else False, reason="root can write anywhere")
def test_a_read_only_cache_warns_once_and_keeps_results_in_memory_as_user(tmp_path):
    check_read_only_cache(tmp_path)


def test_a_read_only_cache_warns_once_and_keeps_results_in_memory(tmp_path, monkeypatch):
    # simulate a folder that cannot be written (tests may run as root, who can write anywhere)
    def refuse(path, payload):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cache, "save", refuse)
    check_read_only_cache(tmp_path)


def check_read_only_cache(root):
    calls = []

    def build():
        calls.append(1)
        return {"v": torch.tensor(1.0)}

    folder = cache.cache_dir(root)
    folder.mkdir(parents=True)
    folder.chmod(0o500)
    try:
        with pytest.warns(UserWarning, match="cannot write to .*kept in memory.*COLLAPSELAB_DATA"):
            first = cache.load_or_build("thing", {"n": 1}, build, root=root)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a second artifact in the same folder: no second warning
            second = cache.load_or_build("thing", {"n": 1}, build, root=root)
            cache.load_or_build("other", {"n": 2}, build, root=root)
    finally:
        folder.chmod(0o700)
    assert calls == [1, 1] and torch.equal(first["v"], second["v"])


# --- a cache shared by several users, and what a killed process leaves -------------------------

def test_cache_files_are_readable_by_others_as_the_umask_allows(tmp_path):
    """mkstemp makes files private (0600); a data folder warmed by one user must serve the others."""
    old = os.umask(0o022)
    try:
        path = cache.save(tmp_path / "a.pt", {"v": 1})
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_cache_file_that_cannot_be_read_is_rebuilt_in_memory_with_one_warning(tmp_path, monkeypatch):
    """Another user's unreadable file is treated like an unwritable folder: warn, rebuild, keep in memory,
    and never delete or overwrite that file."""
    path = cache.save(cache.path_for("thing", {"n": 1}, tmp_path), {"v": 1})
    before = path.read_bytes()

    def unreadable(p):
        raise PermissionError(13, "Permission denied", str(p))

    monkeypatch.setattr(cache, "load", unreadable)
    with pytest.warns(UserWarning, match="cannot read thing-.*rebuilding it in memory"):
        assert cache.load_or_build("thing", {"n": 1}, lambda: {"v": 2}, root=tmp_path) == {"v": 2}
    assert cache.load_or_build("thing", {"n": 1}, lambda: pytest.fail("kept in memory"), root=tmp_path) == {"v": 2}
    assert path.read_bytes() == before


def test_a_stale_temporary_file_of_a_killed_write_is_removed_by_the_next_build(tmp_path):
    path = cache.path_for("thing", {"n": 1}, tmp_path)
    path.parent.mkdir(parents=True)
    stale = path.parent / f".{path.name}.xl24nclc.tmp"
    fresh = path.parent / f".{path.name}.abcdefgh.tmp"  # another process may be writing this one now
    other = path.parent / ".somebody-else.tmp"
    for leftover in (stale, fresh, other):
        leftover.write_bytes(b"half a checkpoint")
    old = os.path.getmtime(stale) - cache.STALE_SECONDS - 1
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    cache.load_or_build("thing", {"n": 1}, lambda: {"v": 1}, root=tmp_path)
    assert not stale.exists() and fresh.exists() and other.exists()


def test_a_failed_write_leaves_no_temporary_file_and_the_old_file_intact(tmp_path, monkeypatch):
    path = cache.save(tmp_path / "a.pt", {"v": 1})
    before = path.read_bytes()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        cache.save(path, {"v": 2})
    assert path.read_bytes() == before and list(tmp_path.glob("*.tmp")) == [] and list(tmp_path.glob(".*.tmp")) == []
