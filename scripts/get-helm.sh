#!/usr/bin/env bash
# Build helm from the Go module proxy once into .cache/bin/helm (helm is not on PyPI or Debian).
# Usage: scripts/get-helm.sh [version]   (default v4.3.1; HELM_MODULE=helm.sh/helm/v3 for v3)
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${1:-${HELM_VERSION:-v4.3.1}}"
module="${HELM_MODULE:-helm.sh/helm/v4}"
bin_dir="${repo_root}/.cache/bin"
stamp="${bin_dir}/.helm-version"

if [[ -x "${bin_dir}/helm" && -f "${stamp}" && "$(cat "${stamp}")" == "${module}@${version}" ]]; then
  echo "helm ${version} already in ${bin_dir}/helm"
  exit 0
fi
if ! command -v go > /dev/null; then
  echo "go is required to build helm (https://go.dev/dl or apt-get install golang)" >&2
  exit 1
fi
mkdir -p "${bin_dir}"
started=$(date +%s)
GOBIN="${bin_dir}" GOFLAGS="${GOFLAGS:--buildvcs=false}" CGO_ENABLED=0 \
  go install -trimpath -ldflags "-s -w" "${module}/cmd/helm@${version}"
echo "${module}@${version}" > "${stamp}"
echo "built helm ${version} into ${bin_dir}/helm in $(( $(date +%s) - started ))s"
