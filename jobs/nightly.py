"""spark-submit entry point: `spark-submit jobs/nightly.py --as-of YYYY-MM-DD [flags]` (same as `fcc run nightly`)."""

import sys

from fcc.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "nightly", *sys.argv[1:]]))
