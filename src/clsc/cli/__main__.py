"""``python -m clsc.cli``: the same as the ``clsc`` script."""

import sys

from clsc.cli import main

sys.exit(main())
