//go:build e2e

package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-ship/kubectl-ship/test/requestlog"
)

// The dashboard's first view costs the API server list's requests, and
// every tab after the first costs none: ten tabs, five of the overview and
// five of a release's page, make no request that one of each did not.
func TestDashboardRequests(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	mustShip(t, ns, "canary", "ctwoc", "--image", v2, "--weight", "25")
	current := strings.TrimSpace(mustKubectl(t, "config", "current-context"))
	d := startDashboard(t, env.kubeconfig, "-n", ns)

	// Before its mark, the releases listed, are the requests of the first
	// view; the locks and the watches follow.
	var first string
	eventually(t, "the releases listed", func() (bool, string) {
		log := d.log()
		i := strings.Index(log, `"Releases listed"`)
		first = log[:max(i, 0)]
		return i >= 0, tail(log, 500)
	})
	list := mustShip(t, ns, "list", "-v=6")
	if got, want := requestSet(requestlog.Parse(first, ns)), requestSet(requestlog.Parse(list.stderr, ns)); got != want {
		t.Errorf("the first view's requests:\n%s\nwant list's:\n%s", got, want)
	}

	b := newBrowser(t)
	pages := []string{"/", "/release?context=" + current + "&namespace=" + ns + "&name=ctwoc"}
	open := func(n int) {
		for range n {
			for _, page := range pages {
				tab := b.open(t, d.at(page))
				waitJS(t, tab, 10*time.Second, "the live stream of "+page, `document.getElementById("live").dataset.state === "live"`)
			}
		}
		time.Sleep(2 * time.Second) // what a tab set off would show by now
	}
	open(1)
	one := requestlog.Parse(d.log(), ns)
	open(4)
	ten := requestlog.Parse(d.log(), ns)
	if len(ten) != len(one) {
		t.Errorf("ten tabs made %d requests more than one of each page:\n%s", len(ten)-len(one), requestlog.Format(ten[len(one):]))
	}
	t.Logf("requests: first view %s; with one tab of each page %s; with ten tabs %s",
		requestlog.Count(requestlog.Parse(first, ns)), requestlog.Count(one), requestlog.Count(ten))
	b.checkClean(t)
}

// requestSet lists requests by kind and path, sorted, one a line.
func requestSet(requests []requestlog.Request) string {
	lines := make([]string, len(requests))
	for i, r := range requests {
		lines[i] = fmt.Sprintf("%s %s", r.Kind, r.Path)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
