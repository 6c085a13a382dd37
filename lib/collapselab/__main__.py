"""Entry point for ``python -m collapselab`` (see :mod:`collapselab.cli`)."""

import sys

from .cli import main

sys.exit(main())
