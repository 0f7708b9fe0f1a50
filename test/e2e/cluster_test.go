//go:build e2e

package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

type objectList struct {
	Items []struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name            string            `json:"name"`
			ResourceVersion string            `json:"resourceVersion"`
			Labels          map[string]string `json:"labels"`
			Annotations     map[string]string `json:"annotations"`
		} `json:"metadata"`
	} `json:"items"`
}

// snapshot names every object of the kinds ship could touch in ns with its
// resourceVersion, its lock (a Lease) included: two equal snapshots mean
// nothing was written in between.
func snapshot(t *testing.T, ns string) string {
	t.Helper()
	var list objectList
	getJSON(t, &list, "-n", ns, "deployments,replicasets,statefulsets,controllerrevisions,services,pods,leases,ingresses,httproutes")
	lines := make([]string, len(list.Items))
	for i, item := range list.Items {
		lines[i] = fmt.Sprintf("%s/%s@%s", item.Kind, item.Metadata.Name, item.Metadata.ResourceVersion)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// settledSnapshot is a snapshot of ns once the controllers have stopped
// writing to it (two reads 300 ms apart agree), so that a later difference
// is the command's doing, not the tail of an earlier change.
func settledSnapshot(t *testing.T, ns string) string {
	t.Helper()
	last := snapshot(t, ns)
	for range 50 {
		time.Sleep(300 * time.Millisecond)
		now := snapshot(t, ns)
		if now == last {
			return now
		}
		last = now
	}
	t.Fatalf("namespace %s never settled", ns)
	return ""
}

// assertUnchanged fails the test when ns changed since before was taken.
func assertUnchanged(t *testing.T, ns, before string) {
	t.Helper()
	if after := snapshot(t, ns); after != before {
		t.Errorf("namespace %s changed:\nbefore:\n%s\nafter:\n%s", ns, before, after)
	}
}

// eventuallyServed waits until the Service's ready endpoints are exactly want.
func eventuallyServed(t *testing.T, ns, service string, want map[string]int) {
	t.Helper()
	eventually(t, "endpoints of service "+service, func() (bool, string) {
		got := servedImages(t, ns, service)
		return fmt.Sprint(got) == fmt.Sprint(want), fmt.Sprint(got)
	})
}
