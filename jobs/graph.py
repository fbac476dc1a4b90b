"""spark-submit entry point: `spark-submit jobs/graph.py --as-of YYYY-MM-DD [flags]` (same as `fcc run graph`)."""

import sys

from fcc.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "graph", *sys.argv[1:]]))
