"""The setup promises: Binder installs the same torch as everyone else, CI runs the README's command."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins(path):
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        m = re.match(r"^(torch|torchvision)==([\w.]+?)(\+cpu)?\s*$", line.strip())
        if m:
            found[m.group(1)] = m.group(2)
    return found


def test_binder_pins_the_same_torch_and_torchvision_as_the_root_requirements():
    root, binder = pins("requirements.txt"), pins("binder/requirements.txt")
    assert set(root) == {"torch", "torchvision"}
    assert binder == root


def test_binder_takes_cpu_wheels_then_the_root_requirements():
    text = (ROOT / "binder/requirements.txt").read_text()
    assert "download.pytorch.org/whl/cpu" in text and "-r ../requirements.txt" in text


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(# run every test.*?)```", readme, flags=re.S).group(1)
    (command,) = [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]
    ci_lines = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    assert command in ci_lines


def test_the_library_is_installed_editable_by_the_requirements():
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()
