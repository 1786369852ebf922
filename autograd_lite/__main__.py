"""``python -m autograd_lite``: the ``autograd-lite`` command (see :mod:`autograd_lite.cli`)."""
import sys

from .cli import main

sys.exit(main())
