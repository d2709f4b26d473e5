# Versions of the cluster tier's tools. Sourced by pin.sh and prepare.sh.
# Changing one: edit it here, run `bash e2e/cluster/tools/pin.sh`, commit tools/*/go.{mod,sum}.
# Kubernetes is kept at the minor that kwok was built against (kwok v0.8.0 uses k8s.io/* v0.36.x),
# so kwokctl's version-dependent flags and the controller's client match the control plane.
ETCD_VERSION=v3.6.16
KUBERNETES_VERSION=v1.36.3
KWOK_VERSION=v0.8.0
HELM_VERSION=v3.22.0
