"""The cache: keyed by configuration, atomic, checksummed, safe to load, and rebuilt when corrupt."""

import pickle

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


class Evil:
    def __reduce__(self):
        return (print, ("this code should never run",))


def test_a_payload_with_pickled_code_is_refused_even_with_a_valid_checksum(tmp_path, monkeypatch):
    # build a file with a correct checksum around a pickle that calls code on load
    monkeypatch.setattr(torch, "save", lambda obj, f: pickle.dump(obj, f, protocol=2))
    path = cache.save(tmp_path / "evil.pt", Evil())
    monkeypatch.undo()
    with pytest.raises(cache.CorruptCacheError, match="cannot be loaded safely"):
        cache.load(path)


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
