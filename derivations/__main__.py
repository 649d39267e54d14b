"""``python -m derivations``: the same as ``verified-backprop verify``."""

import sys

from derivations.report import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
