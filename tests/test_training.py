"""COLLAPSELAB_THREADS: a thread count for torch, checked; a bad value never breaks an import."""

import os
import subprocess
import sys

import pytest

from collapselab import training


@pytest.mark.parametrize("value, threads", [("", None), ("1", 1), (" 2 ", 2), (str(4 * (os.cpu_count() or 1)), 4 * (os.cpu_count() or 1))])
def test_a_whole_number_of_threads_is_taken(monkeypatch, value, threads):
    monkeypatch.setenv(training.THREADS_ENV, value)
    assert training.thread_setting() == threads


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "99999"])
def test_a_bad_thread_count_is_refused_with_what_to_set(monkeypatch, value):
    monkeypatch.setenv(training.THREADS_ENV, value)
    with pytest.raises(ValueError, match=f"COLLAPSELAB_THREADS must be a whole number of threads from 1 to .*got '{value}'"):
        training.thread_setting()


def run_python(code, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_the_setting_is_applied_when_the_library_is_imported():
    done = run_python("import torch, collapselab.images.vae; print(torch.get_num_threads())", COLLAPSELAB_THREADS="1")
    assert done.returncode == 0 and done.stdout.strip() == "1"


def test_a_bad_setting_warns_but_a_notebook_still_imports_the_library():
    done = run_python("import collapselab.images.vae; print('imported')", COLLAPSELAB_THREADS="abc")
    assert done.returncode == 0 and done.stdout.strip() == "imported"
    assert "COLLAPSELAB_THREADS must be a whole number" in done.stderr and "ignored" in done.stderr


def test_on_linux_the_library_asks_glibc_to_hand_large_freed_blocks_back(monkeypatch):
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc's malloc only")
    assert training.return_freed_memory() is True
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "1048576")   # glibc's own setting wins
    assert training.return_freed_memory() is False
