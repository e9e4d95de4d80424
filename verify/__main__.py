"""`python -m verify`: the command line (see `verify.adapters.cli`)."""

import sys

from verify.adapters.cli import main

if __name__ == "__main__":
    sys.exit(main())
