#!/usr/bin/env bash
# Resolve the GraphFrames jars the way a laptop session does (build_spark: spark.jars.packages
# from Spark's default chain plus the extra repositories of FCC_MAVEN_REPOS) into a clean Ivy
# folder, and copy them under their Maven names into DEST for the image build context.
# Usage: scripts/stage-jars.sh DEST   (PY: the venv's python, default .venv/bin/python)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:?usage: scripts/stage-jars.sh DEST}"
py="${PY:-${repo_root}/.venv/bin/python}"
ivy="$(mktemp -d "${TMPDIR:-/tmp}/fcc-ivy-XXXXXX")"
trap 'rm -rf "${ivy}"' EXIT
if [[ -z "${FCC_MAVEN_REPOS:-}" && -d "${repo_root}/../shared/maven/io" ]]; then
  FCC_MAVEN_REPOS="file://$(cd "${repo_root}/../shared/maven" && pwd)"
  export FCC_MAVEN_REPOS
fi
# a clean Ivy folder: no half-downloaded artifacts from earlier runs; SPARK_HOME unset so the
# packages are resolved even on a machine whose Spark already has jars baked in
env -u SPARK_HOME -u FCC_JARS_BAKED FCC_IVY_DIR="${ivy}" PYTHONPATH="${repo_root}/libs" "${py}" -c '
from fcc.core.spark import build_spark
build_spark(app_name="fcc-stage-jars", master="local[1]", conf={"spark.ui.enabled": "false"}).stop()
'
mkdir -p "${dest}"
for artifact in graphframes-spark4_2.13 graphframes-graphx-spark4_2.13; do
  jar="$(ls "${ivy}/jars/io.graphframes_${artifact}-"*.jar)"
  cp "${jar}" "${dest}/${artifact}-${jar##*-}"
done
ls -l "${dest}"
