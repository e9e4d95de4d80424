"""`python -m verify.mutation`: the mutation run (see `verify.mutation.mutate`)."""

import sys

from verify.mutation.mutate import main

if __name__ == "__main__":
    sys.exit(main())
