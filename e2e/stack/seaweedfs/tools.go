//go:build tools

// Package tools pins the SeaweedFS build of the integration stack. `go install pkg@version` refuses
// SeaweedFS (its go.mod has a replace directive), so prepare.sh builds `weed` inside this wrapper
// module with -mod=readonly: go.mod and go.sum fix every dependency.
//
// To move to another SeaweedFS version (SEAWEEDFS_VERSION in ../versions.sh), from this folder:
//
//	go get github.com/seaweedfs/seaweedfs@<version> && go mod tidy
//
// then copy any new replace directive from SeaweedFS's own go.mod below the one in go.mod.
package tools

import _ "github.com/seaweedfs/seaweedfs/weed"
