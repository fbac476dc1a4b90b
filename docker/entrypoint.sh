#!/bin/bash
# Container entrypoint (runs under tini as PID 1).
#
#   fcc ARGS...                 the fcc CLI
#   spark-submit ARGS...        Spark's spark-submit (client mode in the CronJob pod)
#   job NAME ARGS...            shorthand for: spark-submit $FCC_JOBS_DIR/NAME.py ARGS...
#   executor                    Spark on Kubernetes executor (started by the driver)
#   driver ARGS...              Spark on Kubernetes cluster-mode driver
#   anything else               executed as given
#
# Date tokens: "--as-of yesterday" / "--as-of today" become the UTC date (YYYY-MM-DD), and
# "@AS_OF@" inside any argument becomes the resolved as-of date, so a CronJob can pass a
# fixed argument list and still process the right business date.
set -euo pipefail

resolve_date() {
  case "$1" in
    yesterday) date -u -d yesterday +%F ;;
    today) date -u +%F ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# Resolve the as-of date once, then rewrite the argument list.
as_of=""
prev=""
for arg in "$@"; do
  case "${prev}" in
    --as-of) as_of="$(resolve_date "${arg}")" ;;
  esac
  case "${arg}" in
    --as-of=*) as_of="$(resolve_date "${arg#--as-of=}")" ;;
  esac
  prev="${arg}"
done
args=()
prev=""
for arg in "$@"; do
  if [[ "${prev}" == "--as-of" ]]; then
    arg="${as_of}"
  elif [[ "${arg}" == --as-of=* ]]; then
    arg="--as-of=${as_of}"
  fi
  if [[ -n "${as_of}" ]]; then
    arg="${arg//@AS_OF@/${as_of}}"
  fi
  args+=("${arg}")
  prev="${arg}"
done
set -- "${args[@]+"${args[@]}"}"

spark_classpath() {
  local cp="${SPARK_HOME}/jars/*"
  if [[ -n "${SPARK_EXTRA_CLASSPATH:-}" ]]; then cp="${cp}:${SPARK_EXTRA_CLASSPATH}"; fi
  if [[ -n "${HADOOP_CONF_DIR:-}" ]]; then cp="${HADOOP_CONF_DIR}:${cp}"; fi
  printf '%s:%s' "${SPARK_CONF_DIR:-${SPARK_HOME}/conf}" "${cp}"
}

if [[ $# -eq 0 ]]; then
  set -- fcc --help
fi

case "$1" in
  fcc)
    shift
    exec /opt/venv/bin/fcc "$@"
    ;;
  spark-submit)
    shift
    export SPARK_MASTER_SET_BY_SUBMIT=1
    exec "${SPARK_HOME}/bin/spark-submit" "$@"
    ;;
  job)
    shift
    name="$1"
    shift
    script="${FCC_JOBS_DIR:-/opt/fcc/jobs}/${name}.py"
    if [[ ! -f "${script}" ]]; then
      echo "entrypoint: no job script ${script}" >&2
      exit 2
    fi
    export SPARK_MASTER_SET_BY_SUBMIT=1
    exec "${SPARK_HOME}/bin/spark-submit" ${FCC_SPARK_SUBMIT_ARGS:-} "${script}" "$@"
    ;;
  executor)
    shift
    java_opts=()
    for v in "${!SPARK_JAVA_OPT_@}"; do
      java_opts+=("${!v}")
    done
    exec "${JAVA_HOME}/bin/java" "${java_opts[@]+"${java_opts[@]}"}" \
      -Xms"${SPARK_EXECUTOR_MEMORY}" -Xmx"${SPARK_EXECUTOR_MEMORY}" \
      -cp "$(spark_classpath)" \
      org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
      --driver-url "${SPARK_DRIVER_URL}" \
      --executor-id "${SPARK_EXECUTOR_ID}" \
      --cores "${SPARK_EXECUTOR_CORES}" \
      --app-id "${SPARK_APPLICATION_ID}" \
      --hostname "${SPARK_EXECUTOR_POD_IP}" \
      --resourceProfileId "${SPARK_RESOURCE_PROFILE_ID}" \
      --podName "${SPARK_EXECUTOR_POD_NAME}"
    ;;
  driver)
    shift
    export SPARK_MASTER_SET_BY_SUBMIT=1
    exec "${SPARK_HOME}/bin/spark-submit" \
      --conf "spark.driver.bindAddress=${SPARK_DRIVER_BIND_ADDRESS}" \
      --conf "spark.executorEnv.SPARK_DRIVER_POD_IP=${SPARK_DRIVER_BIND_ADDRESS}" \
      --deploy-mode client "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
