"""spark-submit entry point: `spark-submit jobs/ingest.py --as-of YYYY-MM-DD [flags]` (same as `fcc run ingest`)."""

import sys

from fcc.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "ingest", *sys.argv[1:]]))
