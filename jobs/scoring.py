"""spark-submit entry point: `spark-submit jobs/scoring.py --as-of YYYY-MM-DD [flags]` (same as `fcc run scoring`)."""

import sys

from fcc.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "scoring", *sys.argv[1:]]))
