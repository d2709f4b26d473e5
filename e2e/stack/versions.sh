# Versions of the systems the integration stack runs. prepare.sh installs each into
# ${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}/<tool>-<version>/ and tools.ts finds them there,
# so this file is read by bash (sourced) and by TypeScript (plain NAME=value lines only).
KAFKA_VERSION=4.4.0
# SeaweedFS tags no semver releases: this pseudo-version is its master on that date. Changing it means
# regenerating seaweedfs/go.mod and go.sum (see seaweedfs/tools.go).
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
