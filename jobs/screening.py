"""spark-submit entry point: `spark-submit jobs/screening.py --as-of YYYY-MM-DD [flags]` (same as `fcc run screening`)."""

import sys

from fcc.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "screening", *sys.argv[1:]]))
