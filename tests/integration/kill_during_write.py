"""Run `fcc ARGS...` and SIGKILL the whole process group while the step writes its first table.

Used by test_faults.py as a subprocess (started in its own session): the Python driver and the
Spark JVM die together, as they do when a node or pod is lost. Ledger and lease writes
(ops.runs, ops.leases) do not trigger the kill, so it lands inside the step's own output write. FCC_KILL_DELAY_S sets
how long after that write starts the kill fires (default 0.3 s).
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from fcc import cli
from fcc.core.lakehouse import Lakehouse

WRITES = ("append", "overwrite", "replace_where", "replace_dates", "merge")
RUN_BOOKKEEPING = ("ops.runs", "ops.leases")


def arm_kill_on_first_output_write(delay_s: float) -> None:
    armed = threading.Event()

    def kill() -> None:
        os.killpg(os.getpgid(0), signal.SIGKILL)

    def wrap(original):
        def write(self, table, *args, **kwargs):
            name = table.qualified if hasattr(table, "qualified") else str(table)
            if not armed.is_set() and name not in RUN_BOOKKEEPING:
                armed.set()
                print(f"KILL-ARMED {name}", flush=True)
                threading.Timer(delay_s, kill).start()
            return original(self, table, *args, **kwargs)

        return write

    for method in WRITES:
        setattr(Lakehouse, method, wrap(getattr(Lakehouse, method)))


if __name__ == "__main__":
    arm_kill_on_first_output_write(float(os.environ.get("FCC_KILL_DELAY_S", "0.3")))
    sys.exit(cli.main(sys.argv[1:]))
