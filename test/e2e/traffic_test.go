//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// handMadeCanary is the walkthrough's canary made with kubectl, not ship:
// pods app=ctwoc,track=canary, which the stable Deployment's selector
// (app=ctwoc) matches too.
const handMadeCanary = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ctwoc-canary
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ctwoc
      track: canary
  template:
    metadata:
      labels:
        app: ctwoc
        track: canary
    spec:
      containers:
      - name: ctwoc
        image: ` + v2 + "\n"

// assertOther checks that status counts 3 endpoints for stable and one for
// other, owned by deployment ctwoc-canary, in -o json and in text.
func assertOther(t *testing.T, ns string) {
	t.Helper()
	st := shipStatus(t, ns, "ctwoc")
	svc := st.Services[0]
	if svc.ReadyEndpoints["stable"] != 3 || svc.ReadyEndpoints["other"] != 1 || svc.Traffic["other"] != 25 {
		t.Errorf("ready endpoints %v, traffic %v: want stable 3, other 1 (25%%)", svc.ReadyEndpoints, svc.Traffic)
	}
	if len(svc.Others) != 1 || svc.Others[0].Kind != "Deployment" || svc.Others[0].Name != "ctwoc-canary" || svc.Others[0].ReadyEndpoints != 1 {
		t.Errorf("others = %+v, want deployment ctwoc-canary with 1 endpoint", svc.Others)
	}
	text := mustShip(t, ns, "status", "ctwoc").stdout
	for _, want := range []string{"stable 75.0% (3), other (ctwoc-canary) 25.0% (1)",
		"service ctwoc sends 25.0% of its ready endpoints to pods of no Deployment of release ctwoc: ctwoc-canary"} {
		if !strings.Contains(text, want) {
			t.Errorf("status lacks %q:\n%s", want, text)
		}
	}
	if list := mustShip(t, ns, "list", "-o", "wide").stdout; !strings.Contains(list, "other (ctwoc-canary) 25.0% (1)") {
		t.Errorf("list -o wide lacks the other owner:\n%s", list)
	}
}

// status attributes each ready endpoint to the Deployment that owns its
// pod, not to the selectors its labels match: a hand-made canary's pod once
// counted as stable (stable 100.0% (4) for 3 stable replicas).
func TestStatusCountsTrafficByOwner(t *testing.T) {
	t.Parallel()
	// The walkthrough's canary made by hand is the release's canary, marked
	// so (walkthrough_test.go); its pods count for it.
	t.Run("a canary made by hand", func(t *testing.T) {
		ns := seedRelease(t, seed{rolledOut: true})
		apply(t, ns, handMadeCanary)
		eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 1})
		if st := shipStatus(t, ns, "ctwoc"); st.roles() != "stable=ctwoc canary=ctwoc-canary(made by hand)" || st.Services[0].Traffic["canary"] != 25 {
			t.Errorf("status: %s, traffic %v", st.roles(), st.Services[0].Traffic)
		}
	})
	t.Run("a canary that lost ship's role label", func(t *testing.T) {
		ns := seedRelease(t, seed{rolledOut: true})
		mustShip(t, ns, "canary", "ctwoc", "--image", v2)
		eventuallyServed(t, ns, "ctwoc", map[string]int{v1: 3, v2: 1})
		if st := shipStatus(t, ns, "ctwoc"); st.Services[0].ReadyEndpoints["canary"] != 1 || len(st.Services[0].Others) != 0 {
			t.Errorf("ship's canary: %+v", st.Services[0])
		}
		mustKubectl(t, "label", "-n", ns, "deployment/ctwoc-canary", "kubectl-ship.dev/role-")
		assertOther(t, ns)
	})
}
