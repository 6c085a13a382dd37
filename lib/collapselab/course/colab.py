"""Google Colab as a second host: the badge at the top of every notebook and its first code cell.

Colab opens a notebook straight from GitHub, without the rest of the repository, so the cell
:data:`CELL` (the same in every notebook; a test keeps the copies identical) does, *only when
running on Colab*, what Binder's build does: clone the course next to the notebook, install its
library (``pip install --no-deps -e``: Colab already has NumPy, PyTorch, torchvision and
matplotlib, and the course does not replace them), put it on this kernel's path, and run
``python -m collapselab fetch`` (MNIST and Tiny Shakespeare, each checked by its SHA-256).
Elsewhere it does nothing. ``$COLLAPSELAB_REPO`` clones another copy instead of :data:`REPO` (a
fork, or a local clone: the tests run the cell against one, with a stand-in ``google.colab``).
"""

from __future__ import annotations

#: the course's repository on GitHub
REPO = "model-collapse-lab/model-collapse-lab"
#: the branch Colab opens and Binder builds
BRANCH = "main"

#: the first code cell of every notebook
CELL = '''\
# On Google Colab only (elsewhere this cell does nothing): get the course library and its data.
import os, subprocess, sys
if "google.colab" in sys.modules:
    course = os.path.abspath("model-collapse-lab")
    if not os.path.isdir(course):
        repo = os.environ.get("COLLAPSELAB_REPO", "https://github.com/model-collapse-lab/model-collapse-lab")
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", repo, course], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", course], check=True)
    sys.path.insert(0, os.path.join(course, "lib"))  # this kernel started before the install
    subprocess.run([sys.executable, "-m", "collapselab", "fetch"], check=True)  # MNIST, Tiny Shakespeare: checksums checked'''

COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"


def colab_url(filename: str) -> str:
    """Where Colab opens ``notebooks/<filename>`` from GitHub."""
    return f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/notebooks/{filename}"


def binder_url(filename: str) -> str:
    """Where Binder opens ``notebooks/<filename>`` in JupyterLab."""
    return f"https://mybinder.org/v2/gh/{REPO}/HEAD?urlpath=lab/tree/notebooks/{filename}"


def badges(filename: str) -> str:
    """The Markdown line of a notebook's two launch badges: Colab's, then Binder's."""
    return (f"[![Open in Colab]({COLAB_BADGE})]({colab_url(filename)}) "
            f"[![Launch on Binder]({BINDER_BADGE})]({binder_url(filename)})")
