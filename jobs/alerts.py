"""spark-submit entry point: `spark-submit jobs/alerts.py --as-of YYYY-MM-DD [flags]` (same as `fcc run alerts`)."""

import sys

from fcc.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "alerts", *sys.argv[1:]]))
