// Pins the Gateway API, whose standard channel CRDs (config/crd/standard in
// the module) the e2e suite installs into its cluster: hack/gateway-api-crds.sh.
module github.com/kubectl-ship/kubectl-ship/hack/tools/gateway-api

go 1.26.0

require sigs.k8s.io/gateway-api v1.6.3
