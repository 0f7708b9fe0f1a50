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

# Each phase of make test runs through testtime, which keeps its wall time and
# its tests' results in _output/testtime; make test ends with the table.
TESTTIME := go run ./hack/testtime
PHASES   := tools unit lint docs-check dist cluster-build packaging e2e compat-cluster-build e2e-compat

# The oldest supported minor (hack/cluster/$(COMPAT_PIN)), and the seed's tests
# make e2e-compat runs against it: canary, promote, abort, blue-green, kubectl
# rollout pause/resume/undo on what ship leaves, a StatefulSet's partition.
COMPAT_PIN   := k8s-1.34
COMPAT_TESTS := TestWalkthroughCanaryAdoptedAndPromoted TestWalkthroughCanaryAdoptedAndAborted \
	TestWalkthroughBlueGreenAdoptedAndSwitched TestWalkthroughRolloutPauseResumeUndo \
	TestCanaryResizeStickyPromote TestAbortLeavesStableUntouched TestBlueGreenSeedFlow \
	TestPauseDuringPromote TestStatusFollowsTheCanaryFlow TestStatefulSetCanaryResizePromote
space    := $() $()

.PHONY: all build test unit e2e e2e-compat demo cluster-build compat-cluster-build cluster-up \
	cluster-down clean dist krew-manifest packaging docs docs-check lint bench tools

all: build

## build: the plugin binary, static and stamped with the version
build:
	go build -trimpath $(GCFLAGS) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/kubectl-ship

## test: unit tests, lint, the docs and packaging checks, then the e2e suite against
## a local cluster it starts and stops, and the seed's tests against the oldest
## supported minor (e2e-compat); it ends with where the time went
test: tools unit lint docs-check packaging e2e e2e-compat
	@$(TESTTIME) report $(PHASES)

unit:
	$(TESTTIME) run unit -- go test -json ./...

## tools: build the pinned tools of hack/tools (kept in ~/.cache/kubectl-ship)
tools:
	$(TESTTIME) run tools -- sh -c 'for t in hack/tools/*/; do hack/tools/tool.sh "$$(basename "$$t")" >/dev/null; done'

## e2e: needs the cluster binaries and Prometheus (pinned in hack/tools/prometheus,
## about 5 minutes to build the first time); the suite starts its own cluster on other ports
## and installs the Gateway API's CRDs into it (pinned in hack/tools/gateway-api)
e2e: build cluster-build
	prom=$$(hack/tools/tool.sh prometheus) && SHIP_BINARY=$(CURDIR)/$(BIN) PROMETHEUS=$$prom/prometheus \
		$(TESTTIME) run e2e -- go test -json -tags e2e -count=1 -timeout 80m -parallel 3 ./test/e2e/...

## e2e-compat: the seed's tests (COMPAT_TESTS) against the oldest supported minor,
## built from hack/cluster/$(COMPAT_PIN) (about 5 minutes the first time), on a
## cluster of their own
e2e-compat: build compat-cluster-build
	K8S_PIN=$(COMPAT_PIN) SHIP_BINARY=$(CURDIR)/$(BIN) $(TESTTIME) run -expect $(words $(COMPAT_TESTS)) e2e-compat -- \
		go test -json -tags e2e -count=1 -timeout 20m -parallel 3 -run '^($(subst $(space),|,$(strip $(COMPAT_TESTS))))$$' ./test/e2e/...

## dist: release archives for every platform with their SHA-256 sums (dist/),
## and dist/krew-manifest.yaml rendered from hack/dist/krew-manifest.yaml.tmpl
dist: VERSION = $(DIST_VERSION)
dist:
	DIST_VERSION=$(VERSION) LDFLAGS="$(LDFLAGS)" $(TESTTIME) run dist -- hack/dist/dist.sh

## krew-manifest: the top-level krew-manifest.yaml, for a release, from dist
krew-manifest: dist
	cp dist/krew-manifest.yaml krew-manifest.yaml

## packaging: krew validates the manifest and installs every archive, offline
packaging: dist cluster-build
	$(TESTTIME) run packaging -- go test -json -tags packaging -count=1 ./test/packaging/...

## docs: regenerate docs/commands.md, the command reference, from the cobra tree
docs:
	go run ./hack/docgen docs/commands.md

docs-check:
	$(TESTTIME) run docs-check -- go run ./hack/docgen -check docs/commands.md

## bench: start-up, API requests, wait latency and 1,000 releases against kubectl
## and a floor binary, on a cluster of its own, and the Go benchmarks
## (writes docs/benchmarks.md; about 5 minutes)
bench: build cluster-build
	hack/bench/bench.sh

## lint: golangci-lint, pinned in hack/tools/golangci-lint, with .golangci.yml
lint:
	bin=$$(hack/tools/tool.sh golangci-lint) && $(TESTTIME) run lint -- "$$bin/golangci-lint" run ./...

## demo: build everything, start the local cluster and walk through a release
demo: build cluster-up
	hack/demo.sh

cluster-build:
	$(TESTTIME) run cluster-build -- hack/build-cluster.sh

compat-cluster-build:
	K8S_PIN=$(COMPAT_PIN) $(TESTTIME) run compat-cluster-build -- hack/build-cluster.sh

cluster-up: cluster-build
	hack/cluster-up.sh

cluster-down:
	hack/fleet-down.sh
	hack/cluster-down.sh

clean:
	rm -rf bin _output dist
