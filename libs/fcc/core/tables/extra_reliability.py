"""Tables owned by run safety: the lease that lets one run per job and business date proceed."""

from pyspark.sql import types as T

from fcc.core.tables._spec import TableSpec, col, schema

S, DT, TS = T.StringType(), T.DateType(), T.TimestampType()

LEASES = TableSpec(
    "ops",
    "leases",
    schema(
        col("lease_id", S, "<job>/<as-of>: what the lease guards", False),
        col("job", S, "job name (nightly, ingest, ...)", False),
        col("as_of", DT, "business date D"),
        col("holder_run_id", S, "run that holds (or last held) the lease", False),
        col("acquired_at", TS, "UTC, when the holder took the lease"),
        col("heartbeat_at", TS, "UTC, the holder's last renewal"),
        col(
            "expires_at", TS, "UTC; a lease not renewed by then is abandoned and can be taken over"
        ),
        col("released_at", TS, "UTC, when the holder freed it; null while held"),
        col("taken_over_from", S, "run id of an abandoned holder this lease was taken from"),
    ),
    "Run leases: one row per job and business date; a run proceeds only while it holds its row.",
    keys=("lease_id",),
    owner="reliability",
)

ALL = [LEASES]
