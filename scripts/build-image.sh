#!/usr/bin/env bash
# Build the fcc-scoring image with Debian's podman/buildah, no Docker engine or registry needed:
#   1. a Debian bookworm base made by `debootstrap --variant=minbase` and `podman import`ed
#      (built once, cached in podman's storage under .cache/image);
#   2. a clean build context (only what the Dockerfile copies), with the GraphFrames jars from
#      the same Ivy resolution a laptop session does (scripts/stage-jars.sh, needs .venv);
#   3. `podman build --isolation chroot` of docker/Dockerfile with BASE_IMAGE set to that base
#      and the host CA bundle passed as the optional build secret "ca-bundle".
# Prints the build time and image size. Environment: see scripts/podman-env.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/podman-env.sh"
need_tools

started=$(date +%s)

if ! "${PODMAN[@]}" image exists "${FCC_BASE_IMAGE}"; then
  rootfs="${FCC_IMAGE_CACHE}/rootfs"
  rm -rf "${rootfs}"
  echo "== debootstrap --variant=minbase bookworm (${FCC_DEBIAN_MIRROR})"
  debootstrap --variant=minbase bookworm "${rootfs}" "${FCC_DEBIAN_MIRROR}" > "${FCC_IMAGE_CACHE}/debootstrap.log"
  rm -rf "${rootfs}"/var/cache/apt/archives/*.deb "${rootfs}"/var/lib/apt/lists/*
  echo "== podman import -> ${FCC_BASE_IMAGE}"
  tar -C "${rootfs}" --numeric-owner -c . | "${PODMAN[@]}" import \
    --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "${FCC_BASE_IMAGE}"
  rm -rf "${rootfs}"
fi

context="${FCC_IMAGE_CACHE}/context"
rm -rf "${context}"
mkdir -p "${context}"
cp "${REPO_ROOT}/pyproject.toml" "${REPO_ROOT}/requirements.lock" "${context}/"
if [[ -f "${REPO_ROOT}/README.md" ]]; then cp "${REPO_ROOT}/README.md" "${context}/"; else : > "${context}/README.md"; fi
for dir in libs conf jobs docker; do
  cp -r "${REPO_ROOT}/${dir}" "${context}/${dir}"
done
bash "${REPO_ROOT}/scripts/stage-jars.sh" "${context}/jars"
find "${context}" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +

secret=()
if [[ -s "${FCC_CA_BUNDLE}" ]]; then secret=(--secret "id=ca-bundle,src=${FCC_CA_BUNDLE}"); fi

echo "== podman build ${FCC_IMAGE} (BASE_IMAGE=${FCC_BASE_IMAGE})"
"${PODMAN[@]}" build --isolation chroot --network host --pull=never --format docker \
  --build-arg "BASE_IMAGE=${FCC_BASE_IMAGE}" \
  "${secret[@]}" \
  --layers --tag "${FCC_IMAGE}" \
  --file "${context}/docker/Dockerfile" "${context}"

elapsed=$(( $(date +%s) - started ))
size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "${FCC_IMAGE}")
echo "== built ${FCC_IMAGE} in ${elapsed}s; size $(( size / 1024 / 1024 )) MiB (${size} bytes)"
