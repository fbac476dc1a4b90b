# Shipping targets: container image, its smoke test, the Helm chart tests and the helm binary.
# Included from the top-level Makefile.

SHIP_PY ?= .venv/bin/python
HELM_VERSION ?= v4.3.1
HELM_BIN := .cache/bin/helm

.PHONY: image image-smoke chart-test helm

## helm: build helm $(HELM_VERSION) from the Go module proxy once into .cache/bin/helm
helm: $(HELM_BIN)

$(HELM_BIN):
	bash scripts/get-helm.sh $(HELM_VERSION)

## image: build localhost/fcc-scoring:dev with podman/buildah from a debootstrap bookworm base
image:
	bash scripts/build-image.sh

## image-smoke: run fcc doctor (and the nightly chain when present) inside the image
image-smoke:
	bash scripts/image-smoke.sh

## chart-test: helm lint/template, kubernetes-validate, rendered-object assertions, hadolint
chart-test: $(HELM_BIN)
	$(SHIP_PY) -m pytest tests/chart tests/unit/k8s -q
