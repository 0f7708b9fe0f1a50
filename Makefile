# kubectl-ship: build, test against a real local cluster, demo.
PKG      := github.com/kubectl-ship/kubectl-ship
VERSION  ?= $(shell git describe --tags --match 'v*' --dirty 2>/dev/null || echo v0.0.0-$(COMMIT))
COMMIT   ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -s -w -X $(PKG)/pkg/version.gitVersion=$(VERSION) -X $(PKG)/pkg/version.gitCommit=$(COMMIT)
BIN      := bin/kubectl-ship

export CGO_ENABLED := 0

.PHONY: all build test unit e2e demo cluster-build cluster-up cluster-down clean

all: build

## build: the plugin binary, static and stamped with the version
build:
	go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/kubectl-ship

## test: unit tests, then the e2e suite against a local cluster it starts and stops
test: unit e2e

unit:
	go test ./...

## e2e: needs the cluster binaries; the suite starts its own cluster on other ports
e2e: build cluster-build
	SHIP_BINARY=$(CURDIR)/$(BIN) go test -tags e2e -count=1 -timeout 40m ./test/e2e/...

## demo: build everything, start the local cluster and walk through a release
demo: build cluster-up
	hack/demo.sh

cluster-build:
	hack/build-cluster.sh

cluster-up: cluster-build
	hack/cluster-up.sh

cluster-down:
	hack/cluster-down.sh

clean:
	rm -rf bin _output
