"""The capstone's worked example is what its committed run says: docs/capstone.md's table is
computed from benchmarks/results/capstone-example/metrics.csv, its two pre-registered claims decide
as the page says, and (slow) a slice of the run regenerated from a cold cache agrees with it."""

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "capstone-example"
PAGE = ROOT / "docs" / "capstone.md"
POLICIES = ("replace", "accumulate", "accumulate-subsample", "real-only")
SEEDS, LAST = (3, 4, 5), 4


def committed() -> dict[tuple[str, int], dict[int, dict]]:
    rows = list(csv.DictReader((RESULTS / "metrics.csv").open(encoding="utf-8")))
    runs: dict[tuple[str, int], dict[int, dict]] = {}
    for row in rows:
        runs.setdefault((row["policy"], int(row["seed"])), {})[int(row["generation"])] = row
    return runs


def rise(runs, policy, seed):
    fd = {g: float(row["fd"]) for g, row in runs[policy, seed].items()}
    return fd[LAST] - fd[0]


def test_the_committed_run_covers_every_policy_seed_and_generation_of_the_command_on_the_page():
    runs = committed()
    assert set(runs) == {(p, s) for p in POLICIES for s in SEEDS}
    assert all(sorted(gens) == list(range(LAST + 1)) for gens in runs.values())
    command = re.search(r"^python -m collapselab run (.*)$", PAGE.read_text(encoding="utf-8"), flags=re.M).group(1)
    assert f"--generations {LAST}" in command and f"--policy {' '.join(POLICIES)}" in command
    assert f"--seeds {' '.join(map(str, SEEDS))}" in command


def test_the_pages_table_is_computed_from_the_committed_run():
    runs, page = committed(), PAGE.read_text(encoding="utf-8")
    for seed in SEEDS:
        r = {p: rise(runs, p, seed) for p in POLICIES}
        cells = [f"{r[p]:.1f}".replace("-", "−") for p in POLICIES]
        cells += [f"{r['accumulate-subsample'] / r['replace']:.2f}", f"{r['accumulate-subsample'] / r['accumulate']:.2f}"]
        assert f"| {seed} | " + " | ".join(cells) + " |" in page, seed


def test_the_claims_ranges_are_the_tables_smallest_and_largest():
    runs, page = committed(), " ".join(PAGE.read_text(encoding="utf-8").split())
    of_replace = [rise(runs, "accumulate-subsample", s) / rise(runs, "replace", s) for s in SEEDS]
    of_accumulate = [rise(runs, "accumulate-subsample", s) / rise(runs, "accumulate", s) for s in SEEDS]
    assert f"{min(of_replace):.2f}–{max(of_replace):.2f} of replace's" in page
    assert f"within {min(of_accumulate):.2f}–{max(of_accumulate):.2f} of accumulate's" in page


def test_both_pre_registered_claims_hold_on_every_seed_as_the_page_says():
    runs = committed()
    for seed in SEEDS:
        sub = rise(runs, "accumulate-subsample", seed)
        assert sub < 0.5 * rise(runs, "replace", seed)
        assert sub <= 1.5 * rise(runs, "accumulate", seed)
        assert abs(rise(runs, "real-only", seed)) < 2
    assert "Both pre-registered claims held on every seed" in PAGE.read_text(encoding="utf-8")


def test_the_run_says_what_made_it_where_and_when():
    readme = (ROOT / "benchmarks" / "results" / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith("| `capstone-example/`")]
    assert "python -m collapselab run --generations 4" in row and re.search(r"`[0-9a-f]{7}`", row) and "2026-" in row


@pytest.mark.slow
def test_a_slice_regenerated_from_a_cold_cache_agrees_with_the_committed_run(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import claims as claims_script

    out = tmp_path / "slice"
    done = subprocess.run([sys.executable, "-m", "collapselab", "run", "--generations", "1", "--policy",
                           "accumulate-subsample", "--seeds", "3", "--out", str(out),
                           "--data-root", str(claims_script.fresh_data_root())], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    new = {int(r["generation"]): r for r in csv.DictReader((out / "metrics.csv").open(encoding="utf-8"))}
    old = committed()["accumulate-subsample", 3]
    for g in (0, 1):
        assert (new[g]["train_size"], new[g]["real_share"]) == (old[g]["train_size"], old[g]["real_share"])
        # another CPU code path trains slightly different models: within the claims' tolerances
        assert float(new[g]["fd"]) == pytest.approx(float(old[g]["fd"]), rel=0.1), g
