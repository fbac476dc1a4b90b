# Shared settings for scripts/build-image.sh and scripts/image-smoke.sh (sourced, not run).
# Rootful podman with private storage, runc, chroot isolation for builds and the ulimits and
# CA bundle the CI machines need. Override any FCC_* variable from the environment.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FCC_IMAGE="${FCC_IMAGE:-localhost/fcc-scoring:dev}"
FCC_BASE_IMAGE="${FCC_BASE_IMAGE:-localhost/fcc-base:bookworm}"
FCC_IMAGE_CACHE="${FCC_IMAGE_CACHE:-${REPO_ROOT}/.cache/image}"
FCC_PODMAN_ROOT="${FCC_PODMAN_ROOT:-${FCC_IMAGE_CACHE}/podman-root}"
FCC_PODMAN_RUNROOT="${FCC_PODMAN_RUNROOT:-${TMPDIR:-/tmp}/fcc-podman-runroot}"
FCC_STORAGE_DRIVER="${FCC_STORAGE_DRIVER:-overlay}"
FCC_CA_BUNDLE="${FCC_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
FCC_DEBIAN_MIRROR="${FCC_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

mkdir -p "${FCC_IMAGE_CACHE}" "${FCC_PODMAN_ROOT}" "${FCC_PODMAN_RUNROOT}"
export CONTAINERS_CONF="${FCC_IMAGE_CACHE}/containers.conf"
cat > "${CONTAINERS_CONF}" <<CONF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
netns = "host"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF

PODMAN=(podman --root "${FCC_PODMAN_ROOT}" --runroot "${FCC_PODMAN_RUNROOT}"
        --storage-driver "${FCC_STORAGE_DRIVER}" --runtime runc --cgroup-manager cgroupfs)

need_tools() {
  local missing=()
  for tool in podman buildah debootstrap runc; do
    command -v "${tool}" > /dev/null || missing+=("${tool}")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get > /dev/null; then
      echo "installing ${missing[*]}" >&2
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah debootstrap runc > /dev/null
    else
      echo "missing tools: ${missing[*]} (apt-get install podman buildah debootstrap runc)" >&2
      return 1
    fi
  fi
}
