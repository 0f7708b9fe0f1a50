# kubectl-ship: build, test against a real local cluster, demo.
PKG      := github.com/kubectl-ship/kubectl-ship
VERSION  ?= $(shell git describe --tags --match 'v*' --dirty 2>/dev/null || echo v0.0.0-$(COMMIT))
COMMIT   ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS   = -s -w -X $(PKG)/pkg/version.gitVersion=$(VERSION) -X $(PKG)/pkg/version.gitCommit=$(COMMIT)
BIN      := bin/kubectl-ship
# No inlining in the packages ship links through cli-runtime and client-go
# but hardly runs (OpenAPI and kustomize, kept whole by text/template's
# reflection) and in the API types' generated code: 2.5 MB less, start-up
# no slower (docs/benchmarks.md). .goreleaser.yaml's gcflags are the same.
GCFLAGS  := $(foreach p,github.com/google/gnostic-models sigs.k8s.io/kustomize k8s.io/kube-openapi \
	github.com/emicklei google.golang.org/protobuf k8s.io/api,-gcflags=$(p)/...=-l)
# krew needs a semver release version: the tag (v0.1.0, or v0.1.0-3-gabc1234
# past it), else v0.0.0-gCOMMIT. Never -dirty, so re-running make dist on one
# commit renders the same krew-manifest.yaml.
DIST_VERSION ?= $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null || echo v0.0.0-g$(COMMIT))

export CGO_ENABLED := 0

.PHONY: all build test unit e2e demo cluster-build cluster-up cluster-down clean \
	dist krew-manifest packaging docs docs-check lint bench

all: build

## build: the plugin binary, static and stamped with the version
build:
	go build -trimpath $(GCFLAGS) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/kubectl-ship

## test: unit tests, lint, the docs and packaging checks, then the e2e suite against
## a local cluster it starts and stops
test: unit lint docs-check packaging e2e

unit:
	go test ./...

## e2e: needs the cluster binaries and Prometheus (pinned in hack/tools/prometheus,
## about 5 minutes to build the first time); the suite starts its own cluster on other ports
## and installs the Gateway API's CRDs into it (pinned in hack/tools/gateway-api)
e2e: build cluster-build
	prom=$$(hack/tools/tool.sh prometheus) && SHIP_BINARY=$(CURDIR)/$(BIN) PROMETHEUS=$$prom/prometheus \
		go test -tags e2e -count=1 -timeout 80m -parallel 3 ./test/e2e/...

## dist: release archives for every platform with their SHA-256 sums (dist/),
## and dist/krew-manifest.yaml rendered from hack/dist/krew-manifest.yaml.tmpl
dist: VERSION = $(DIST_VERSION)
dist:
	DIST_VERSION=$(VERSION) LDFLAGS="$(LDFLAGS)" hack/dist/dist.sh

## krew-manifest: the top-level krew-manifest.yaml, for a release, from dist
krew-manifest: dist
	cp dist/krew-manifest.yaml krew-manifest.yaml

## packaging: krew validates the manifest and installs every archive, offline
packaging: dist cluster-build
	go test -tags packaging -count=1 ./test/packaging/...

## docs: regenerate docs/commands.md, the command reference, from the cobra tree
docs:
	go run ./hack/docgen docs/commands.md

docs-check:
	go run ./hack/docgen -check docs/commands.md

## bench: start-up, API requests, wait latency and 1,000 releases against kubectl
## and a floor binary, on a cluster of its own, and the Go benchmarks
## (writes docs/benchmarks.md; about 5 minutes)
bench: build cluster-build
	hack/bench/bench.sh

## lint: golangci-lint, pinned in hack/tools/golangci-lint, with .golangci.yml
lint:
	bin=$$(hack/tools/tool.sh golangci-lint) && "$$bin/golangci-lint" run ./...

## demo: build everything, start the local cluster and walk through a release
demo: build cluster-up
	hack/demo.sh

cluster-build:
	hack/build-cluster.sh

cluster-up: cluster-build
	hack/cluster-up.sh

cluster-down:
	hack/fleet-down.sh
	hack/cluster-down.sh

clean:
	rm -rf bin _output dist
