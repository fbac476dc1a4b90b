"""spark-submit entry point: `spark-submit jobs/typologies.py --as-of YYYY-MM-DD [flags]` (same as `fcc run typologies`)."""

import sys

from fcc.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "typologies", *sys.argv[1:]]))
