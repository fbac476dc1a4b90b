#!/usr/bin/env bash
# Smoke-test the built image with the chart's security posture (uid 185, read-only root
# filesystem, no capabilities, no network): Delta round trip with the baked jars, `fcc doctor`,
# then, when the image has the nightly chain, `fcc generate` + `fcc run nightly` + `fcc summary`
# on a mounted folder. Usage: scripts/image-smoke.sh [customers] [days]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/podman-env.sh"
need_tools

customers="${1:-${FCC_SMOKE_CUSTOMERS:-200}}"
days="${2:-${FCC_SMOKE_DAYS:-3}}"
end_date="${FCC_SMOKE_END_DATE:-2026-01-31}"

data="$(mktemp -d "${TMPDIR:-/tmp}/fcc-smoke.XXXXXX")"
chmod 0777 "${data}"
trap 'rm -rf "${data}"' EXIT

run() {
  "${PODMAN[@]}" run --rm --network none --read-only \
    --tmpfs /tmp:rw,exec,size=4g,mode=1777 --tmpfs /opt/spark/work-dir:rw,exec,size=1g,mode=1777 \
    --cap-drop ALL --security-opt no-new-privileges --user 185:185 \
    -v "${data}:/data" -e FCC_LAKEHOUSE=/data/lakehouse -e FCC_SPARK_MASTER=local[2] \
    "${FCC_IMAGE}" "$@"
}

echo "== image ${FCC_IMAGE}: $("${PODMAN[@]}" image inspect --format '{{.Size}}' "${FCC_IMAGE}" | awk '{printf "%d MiB", $1/1048576}')"
echo "== identity and tools"
run bash -c 'id && java -version 2>&1 | head -1 && python3 --version && ls "${SPARK_HOME}"/jars | grep -E "^(delta|graphframes)-" && ps -p 1 -o comm='

echo "== Delta round trip with the baked jars, network off"
run python -c '
from fcc.core.spark import build_spark, jars_on_classpath
assert jars_on_classpath(), "Delta jars not found on the Spark classpath"
spark = build_spark("image-smoke", master="local[2]")
assert not spark.conf.get("spark.jars.packages", ""), "image must not resolve packages at run time"
spark.range(5).write.format("delta").save("/data/smoke_delta")
n = spark.read.format("delta").load("/data/smoke_delta").count()
print(f"delta rows={n} spark={spark.version}")
assert n == 5
spark.stop()
'

echo "== fcc doctor"
run fcc doctor

if run fcc generate --help > /dev/null 2>&1 && run bash -c 'test -f /opt/fcc/jobs/nightly.py'; then
  echo "== fcc generate --customers ${customers} --days ${days} --end-date ${end_date}"
  run fcc generate --out /data/lakehouse --customers "${customers}" --days "${days}" --seed 7 --end-date "${end_date}"
  echo "== fcc run nightly --as-of ${end_date}"
  run fcc run nightly --as-of "${end_date}"
  echo "== fcc summary --as-of ${end_date}"
  run fcc summary --as-of "${end_date}" --log-level WARNING
else
  echo "== the image has no nightly chain yet (fcc generate / jobs/nightly.py); ran doctor only"
fi
echo "== image smoke passed"
