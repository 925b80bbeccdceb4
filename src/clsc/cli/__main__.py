"""``python -m clsc.cli``: the same as the ``clsc`` script."""

import sys

from clsc.cli import main

if __name__ == "__main__":
    sys.exit(main())
