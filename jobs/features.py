"""spark-submit entry point: `spark-submit jobs/features.py --as-of YYYY-MM-DD [flags]` (same as `fcc run features`)."""

import sys

from fcc.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "features", *sys.argv[1:]]))
