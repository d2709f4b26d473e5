# Versions of the kind tier's own tools and node images. Sourced by tools/pin.sh and node-image.sh.
# Kubernetes itself comes from the cluster tier (e2e/cluster/tools/versions.sh: KUBERNETES_VERSION,
# ETCD_VERSION) so both tiers share one Go build cache and one set of binaries.
# Changing one: edit it here, run `bash e2e/kind/tools/pin.sh`, commit tools/*/go.{mod,sum}.
KIND_VERSION=v0.33.0
# crictl in the node: `kind load docker-image` asks it whether an image is already there (without it
# every load copies the image again) and `kind export logs` lists containers with it.
CRICTL_VERSION=v1.36.0
# skaffold: `run.sh` builds the platform's images with `skaffold build -p kind` and installs them with
# `skaffold run -p kind`; `skaffold dev -p kind` is the dev loop (README). v2.16.1 is the newest
# release the Go module proxy serves here.
SKAFFOLD_VERSION=v2.16.1
# The image tags below are what kubeadm of that Kubernetes version asks for
# (`kubeadm config images list`; cmd/kubeadm/app/constants: CoreDNSVersion, PauseVersion,
# SupportedEtcdVersion). kind pre-loads every image kubeadm lists, so the node image carries
# images under exactly these names; the content is built here.
COREDNS_VERSION=v1.14.2
PAUSE_VERSION=3.10.2
# kubeadm 1.36 names etcd 3.6.8-0; the image runs the cluster tier's etcd (ETCD_VERSION, a newer
# 3.6 patch release, same storage format), tagged with the name kubeadm expects.
KUBEADM_ETCD_TAG=3.6.8-0
# The node image `kind create cluster` uses (kind-config.yaml names it too).
NODE_IMAGE_REPO=moocflix-e2e/kind-node
