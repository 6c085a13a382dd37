"""Entry point for ``python -m collapselab`` (see :mod:`collapselab.tools.cli`)."""

import sys

from .tools.cli import main

sys.exit(main())
