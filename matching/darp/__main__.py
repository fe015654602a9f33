"""``python -m matching.darp ...``: same as ``python -m matching darp ...``."""

import sys

from matching.darp.cli import main

sys.exit(main(sys.argv[1:]))
