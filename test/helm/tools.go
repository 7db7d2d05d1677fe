//go:build tools

// Package tools pins the helm command (built from its official Go module) so that go mod tidy keeps
// what it needs. Test infrastructure only: the chart tests render deploy/helm with it.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
