"""spark-submit entry point: `spark-submit jobs/generate.py --out PATH --customers N --days D --seed S`."""

import sys

from fcc.cli import main

if __name__ == "__main__":
    sys.exit(main(["generate", *sys.argv[1:]]))
