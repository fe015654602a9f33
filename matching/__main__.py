"""``python -m matching ...``: the command line of :mod:`matching.cli`."""

import sys

from matching.cli import main

if __name__ == "__main__":  # test_purity imports every module, this one included
    sys.exit(main())
