"""spark-submit entry point: `spark-submit jobs/monitoring.py --as-of YYYY-MM-DD [flags]` (same as `fcc run monitoring`)."""

import sys

from fcc.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "monitoring", *sys.argv[1:]]))
