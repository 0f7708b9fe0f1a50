//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// multiContainer is a Deployment whose pods run two app containers, an init
// container and a native sidecar, and its Service.
const multiContainer = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: multi
spec:
  replicas: 1
  selector:
    matchLabels:
      app: multi
  template:
    metadata:
      labels:
        app: multi
    spec:
      initContainers:
      - name: migrate
        image: example/web:1.0.0
      - name: log
        image: example/log:1.0.0
        restartPolicy: Always
      containers:
      - name: web
        image: example/web:1.0.0
      - name: proxy
        image: example/proxy:1.0.0
---
apiVersion: v1
kind: Service
metadata:
  name: multi
spec:
  selector:
    app: multi
  ports:
  - port: 80
`

// handMadeBeside is a canary of release made by hand as the walkthrough
// does, named name: pods of the same app on another track.
func handMadeBeside(release, name string) string {
	return strings.NewReplacer("app: "+name, "app: "+release, "track: stable", "track: "+name).Replace(deployment(name, v2, 1))
}

// TestBadInputMatrix covers the wrong inputs the per-verb tables do not:
// flag values of the wrong type, unknown flags and commands, wrong argument
// counts, the errors of status, list, set image, cleanup and switch,
// multi-container pods without a container name, and connections that
// cannot work. Each must exit non-zero with one "error: " line on stderr,
// print nothing on stdout, and leave the namespace as it was.
func TestBadInputMatrix(t *testing.T) {
	ns := seedRelease(t, seed{rolledOut: true})
	apply(t, ns, multiContainer)
	versionedBG := strings.Replace(deploymentAndService("bg", v1, 1), "track: stable", "track: stable\n        version: 1.0.0", 1)
	apply(t, ns, versionedBG)
	// amb: two canaries made by hand, neither of the conventional name.
	apply(t, ns, deploymentAndService("amb", v1, 1)+"---\n"+handMadeBeside("amb", "amb-a")+"---\n"+handMadeBeside("amb", "amb-b"))
	for _, d := range []string{"multi", "bg", "amb", "amb-a", "amb-b"} {
		mustKubectl(t, "rollout", "status", "-n", ns, "deployment/"+d, "--timeout=60s")
	}
	// bg: green idle and scaled to zero.
	mustShip(t, ns, "bluegreen", "bg", "--image", v2)
	mustKubectl(t, "scale", "-n", ns, "deployment/bg-green", "--replicas=0")
	// vf: green failed its verification; lonely: no Service selects it.
	apply(t, ns, strings.ReplaceAll(versionedBG, "bg", "vf")+"---\n"+deployment("lonely", v1, 1))
	mustKubectl(t, "rollout", "status", "-n", ns, "deployment/vf", "--timeout=60s")
	failing := newSwitchableHook(t, -1)
	if res := ship(t, ns, "bluegreen", "vf", "--image", v2, "--verify-for", "2s", "--check-every", "1s", "--webhook", failing.URL); res.code != 4 {
		t.Fatalf("vf's verification should fail: exit %d\n%s", res.code, res.stderr)
	}
	settledSnapshot(t, ns) // the controllers are done: any change is ship's

	noContext := writeKubeconfig(t)
	mustKubectl(t, "config", "--kubeconfig", noContext, "unset", "current-context")
	refused := writeKubeconfig(t)
	mustKubectl(t, "config", "--kubeconfig", refused, "set-cluster", "ship-e2e", "--server", "https://127.0.0.1:1")
	silent, silentAddr := silentServer(t)
	hanging := writeKubeconfig(t)
	mustKubectl(t, "config", "--kubeconfig", hanging, "set-cluster", "ship-e2e", "--server", "https://"+silentAddr)

	cases := []struct {
		name string
		args []string
		want string
		code int // 1 unless set
	}{
		// Flag values of the wrong type, or out of range.
		{"weight not a number", []string{"canary", "ctwoc", "--image", v2, "--weight", "abc"}, `invalid argument "abc" for "--weight" flag`, 0},
		{"canary replicas not a number", []string{"canary", "ctwoc", "--image", v2, "--replicas", "x"}, `invalid argument "x" for "--replicas" flag`, 0},
		{"scale replicas not an integer", []string{"scale", "ctwoc", "--replicas", "2.5"}, `invalid argument "2.5" for "--replicas" flag`, 0},
		{"timeout not a duration", []string{"canary", "ctwoc", "--image", v2, "--timeout", "forever"}, `invalid argument "forever" for "--timeout" flag`, 0},
		{"negative timeout", []string{"promote", "ctwoc", "--timeout=-5s"}, "--timeout must not be negative", 0},
		{"status timeout not a duration", []string{"status", "ctwoc", "--timeout", "soon"}, `invalid argument "soon" for "--timeout" flag`, 0},
		{"sticky not a number", []string{"canary", "ctwoc", "--image", v2, "--sticky=abc"}, "want a number of seconds from 1 to 86400", 0},
		{"sticky out of range", []string{"canary", "ctwoc", "--image", v2, "--sticky=86401"}, "want a number of seconds from 1 to 86400", 0},
		{"wait not a boolean", []string{"canary", "ctwoc", "--image", v2, "--wait=maybe"}, `invalid argument "maybe" for "--wait" flag`, 0},
		// Unknown flags and commands, wrong argument counts.
		{"unknown flag", []string{"canary", "ctwoc", "--image", v2, "--bogus"}, "unknown flag: --bogus", 0},
		{"flag of another verb", []string{"promote", "ctwoc", "--weight", "25"}, "unknown flag: --weight", 0},
		{"unknown flag of list", []string{"list", "--bogus"}, "unknown flag: --bogus", 0},
		{"unknown command", []string{"deploy", "ctwoc"}, `unknown command "deploy" for "kubectl ship"`, 0},
		{"canary of two releases", []string{"canary", "ctwoc", "multi", "--image", v2}, "accepts 1 arg(s), received 2", 0},
		{"status without a release", []string{"status"}, "accepts 1 arg(s), received 0", 0},
		{"abort without a release", []string{"abort"}, "give the name of a release", 0},
		{"names and a selector", []string{"abort", "ctwoc", "-l", "app=ctwoc"}, "give release names or -l, not both", 0},
		{"selector matching nothing", []string{"abort", "-l", "app=nothing"}, "no deployments in namespace " + ns + " match app=nothing", 0},
		{"malformed selector", []string{"promote", "-l", "a in ("}, "unable to parse requirement", 0},
		// status and list.
		{"status of a missing release", []string{"status", "nope"}, "deployment nope not found", 3},
		{"status with a negative timeout", []string{"status", "ctwoc", "--timeout", "-1s"}, "--timeout must not be negative", 0},
		{"status through a service that does not route", []string{"status", "ctwoc", "--service", "multi"}, "does not select the pods of deployment ctwoc", 3},
		{"status with an unknown output", []string{"status", "ctwoc", "-o", "toml"}, "unable to match a printer", 0},
		{"list with an argument", []string{"list", "ctwoc"}, `unknown command "ctwoc" for "kubectl ship list"`, 0},
		{"list with a malformed selector", []string{"list", "-l", "bad selector!!"}, `-l "bad selector!!"`, 0},
		{"list with an unknown output", []string{"list", "-o", "toml"}, "unable to match a printer", 0},
		// Multi-container pods without a container name.
		// The count is of app containers; init containers and sidecars are named apart.
		{"canary of two containers", []string{"canary", "multi", "--image", "example/web:2.0.0"}, "the pods have 2 containers (proxy, web), 1 init container (migrate) and 1 sidecar (log): name one", 0},
		{"bluegreen of two containers", []string{"bluegreen", "multi", "--image", "example/web:2.0.0"}, "the pods have 2 containers (proxy, web), 1 init container (migrate) and 1 sidecar (log): name one", 0},
		{"set image of two containers", []string{"set", "image", "multi", "example/web:2.0.0"}, "the pods have 2 containers (proxy, web), 1 init container (migrate) and 1 sidecar (log): name one as CONTAINER=IMAGE", 0},
		{"canary of an unknown container", []string{"canary", "multi", "--image", "db=example/db:2"}, `container "db" not found: the pods have 2 containers (proxy, web), 1 init container (migrate) and 1 sidecar (log)`, 0},
		{"canary of a sidecar at the image it runs", []string{"canary", "multi", "--image", "log=example/log:1.0.0"}, "deployment multi already runs web=example/web:1.0.0, proxy=example/proxy:1.0.0, migrate=example/web:1.0.0, log=example/log:1.0.0: a canary needs a different image", 0},
		{"set image to an empty image", []string{"set", "image", "multi", "web=example/web:2.0.0", "proxy="}, `"" is not a valid image reference`, 0},
		// Progressions (canary --steps) and their gates.
		{"steps not increasing", []string{"canary", "ctwoc", "--image", v2, "--steps", "50,25"}, `--steps: "50,25": the weights must increase, and 25 comes after 50`, 0},
		{"a step outside 1-99", []string{"canary", "ctwoc", "--image", v2, "--steps", "25,100"}, "weight 100 is not between 1 and 99 percent", 0},
		{"pause first", []string{"canary", "ctwoc", "--image", v2, "--steps", "pause,50"}, `"pause,50" starts with pause`, 0},
		{"steps with a weight", []string{"canary", "ctwoc", "--image", v2, "--steps", "25,50", "--weight", "25"}, "give --steps or --weight (--replicas), not both", 0},
		{"a step replicas cannot reach", []string{"canary", "ctwoc", "--image", v2, "--steps", "10,50"}, "step 10%: weight 10% cannot be reached beside 3 stable pods", 0},
		{"an analysis without a comparison", []string{"canary", "ctwoc", "--image", v2, "--steps", "25,50", "--analysis", "up", "--prometheus", "http://127.0.0.1:1"}, "--analysis:", 0},
		{"an analysis with an unknown operator", []string{"canary", "ctwoc", "--image", v2, "--steps", "25,50", "--analysis", "up =< 1", "--prometheus", "http://127.0.0.1:1"}, "--analysis:", 0},
		{"an analysis of a field that does not exist", []string{"canary", "ctwoc", "--image", v2, "--steps", "25,50", "--analysis", `up{app="{{.Release}}"} < 1`, "--prometheus", "http://127.0.0.1:1"}, ".Release", 0},
		{"an analysis without prometheus", []string{"canary", "ctwoc", "--image", v2, "--steps", "25,50", "--analysis", "up < 1"}, "--analysis needs --prometheus", 0},
		{"prometheus that does not answer", []string{"canary", "ctwoc", "--image", v2, "--steps", "25,50", "--analysis", "up < 1", "--prometheus", "http://127.0.0.1:1"}, "127.0.0.1:1", 0},
		{"interval below check-every", []string{"canary", "ctwoc", "--image", v2, "--steps", "25,50", "--interval", "5s", "--check-every", "10s"}, "--interval (5s) must be at least --check-every (10s)", 0},
		{"gates without steps", []string{"canary", "ctwoc", "--image", v2, "--webhook", "http://127.0.0.1:1"}, "need --steps", 0},
		{"a webhook that is no URL", []string{"canary", "ctwoc", "--image", v2, "--steps", "25,50", "--webhook", "hook"}, "--webhook:", 0},
		{"verify without a duration", []string{"bluegreen-switch", "bg", "--webhook", "http://127.0.0.1:1"}, "need --verify-for", 0},
		{"switch steps without a route", []string{"bluegreen-switch", "bg", "--steps", "10,50", "--interval", "2s", "--check-every", "1s"}, "switches through the selectors of its Services, all at once", 0},
		{"switch steps with a pause", []string{"bluegreen-switch", "bg", "--steps", "10,pause"}, "--steps: a switch does not pause", 0},
		{"switch steps back to blue", []string{"bluegreen-switch", "bg", "--steps", "10", "--to", "blue"}, "--steps shifts traffic to green", 0},
		{"empty steps", []string{"canary", "ctwoc", "--image", v2, "--steps", "", "--interval", "3s"}, "--steps is empty: list the weights", 0},
		{"empty switch steps", []string{"bluegreen-switch", "bg", "--steps", ""}, "--steps is empty: list green's shares", 0},
		{"an interval too large", []string{"canary", "ctwoc", "--image", v2, "--steps", "25,50", "--interval", "10000000h"}, `invalid argument "10000000h" for "--interval" flag: too large`, 0},
		{"a thousand steps", []string{"canary", "ctwoc", "--image", v2, "--steps", thousandSteps}, `--steps: "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,1"...: weight 100 is not between 1 and 99 percent (step 100)`, 0},
		// The switch a failed verification guards.
		{"switch to a color whose verification failed", []string{"bluegreen-switch", "vf"}, "green (deployment vf-green, vf=" + v2 + ") failed its verification", 0},
		// bluegreen-switch and cleanup.
		{"switch to a color with no pods", []string{"bluegreen-switch", "bg", "--to", "green", "--force"}, "deployment bg-green has 0 replicas: bring it up first", 0},
		{"switch a missing release", []string{"bluegreen-switch", "nope"}, "deployment nope not found", 0},
		{"cleanup of a missing release", []string{"bluegreen", "cleanup", "nope"}, "deployment nope not found", 0},
		{"cleanup with a flag of switch", []string{"bluegreen", "cleanup", "bg", "--to", "blue"}, "unknown flag: --to", 0},
		// Releases made by hand: several candidates, and --canary or --green
		// naming what cannot be one.
		{"status with two canaries made by hand", []string{"status", "amb"}, "deployments amb-a, amb-b could each be the canary of release amb (its services select their pods): name one with --canary, as in 'kubectl ship adopt amb --canary amb-a'", 0},
		{"promote with two canaries made by hand", []string{"promote", "amb"}, "deployments amb-a, amb-b could each be the canary of release amb", 0},
		{"adopt with two canaries made by hand", []string{"adopt", "amb"}, "name one with --canary, as in 'kubectl ship adopt amb --canary amb-a'", 0},
		{"adopt with two canaries, dry run", []string{"adopt", "amb", "--dry-run=client"}, "deployments amb-a, amb-b could each be the canary", 0},
		{"status of a canary made by hand", []string{"status", "amb-a"}, "deployment amb-a looks like the canary of release amb, made by hand: name the release, amb", 3},
		{"--canary and --green", []string{"adopt", "amb", "--canary", "amb-a", "--green", "amb-b"}, "give --canary or --green, not both", 0},
		{"--canary naming the release", []string{"adopt", "amb", "--canary", "amb"}, "--canary amb: that is the release's own Deployment", 0},
		{"--canary naming nothing", []string{"adopt", "amb", "--canary", "nope"}, "--canary nope: deployment nope not found in namespace " + ns, 0},
		{"--canary the service does not route to", []string{"adopt", "amb", "--canary", "multi"}, "--canary multi: service amb (selector app=amb) does not select its pods (pod labels app=multi), so it is no canary of release amb", 0},
		{"--canary made by kubectl-ship for another release", []string{"adopt", "amb", "--canary", "bg-green"}, "--canary bg-green: deployment bg-green was created by kubectl-ship for release bg", 0},
		{"--green whose label no service switches on", []string{"adopt", "amb", "--green", "amb-a"}, `--green amb-a: no service selects on "track", the label its pods differ in from deployment amb's`, 0},
		{"--green of a release with kubectl-ship's own", []string{"status", "bg", "--green", "amb-a"}, "--green amb-a: release bg already has a green of kubectl-ship's, deployment bg-green", 0},
		{"adopt a release with nothing made by hand", []string{"adopt", "multi"}, "release multi has no canary or green made by hand to adopt", 0},
		{"abort of a release no Service routes to", []string{"abort", "lonely"}, "considered: amb (selector app=amb), bg (selector app=bg,version=1.0.0), ctwoc (selector app=ctwoc) and 2 more", 0},
		// Connections that cannot work.
		{"context that does not exist", []string{"abort", "ctwoc", "--context", "nowhere"}, `context "nowhere" does not exist`, 0},
		{"namespace that does not exist", []string{"abort", "ctwoc", "-n", "no-such-namespace"}, "deployment ctwoc not found in namespace no-such-namespace", 0},
		// Without a current context client-go falls back to localhost:8080,
		// as kubectl does; the line says which server it tried.
		{"kubeconfig without a current context", []string{"abort", "ctwoc", "--kubeconfig", noContext}, "localhost:8080", 0},
		{"API server refusing connections", []string{"abort", "ctwoc", "--kubeconfig", refused, "--request-timeout", "2s"}, "127.0.0.1:1", 0},
		{"API server not answering", []string{"promote", "ctwoc", "--kubeconfig", hanging, "--request-timeout", "2s"}, silentAddr, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code := tc.code
			if code == 0 {
				code = 1
			}
			start := time.Now()
			assertRefused(t, ns, code, tc.want, tc.args...)
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s to refuse", took.Round(time.Second))
			}
		})
	}
	if n := silent.accepted(); n == 0 {
		t.Error("the silent API server saw no connection")
	}
	t.Logf("%d wrong inputs refused", len(cases))
}

// thousandSteps is --steps 1,2,...,1000.
var thousandSteps = func() string {
	steps := make([]string, 1000)
	for i := range steps {
		steps[i] = fmt.Sprint(i + 1)
	}
	return strings.Join(steps, ",")
}()

// silentListener accepts connections and never answers: an API server that
// hangs, so only --request-timeout ends a request.
type silentListener struct {
	net.Listener
	count chan int
}

func silentServer(t *testing.T) (*silentListener, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentListener{Listener: l, count: make(chan int, 1)}
	s.count <- 0
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				for _, c := range conns {
					_ = c.Close()
				}
				return
			}
			conns = append(conns, c)
			s.count <- <-s.count + 1
		}
	}()
	t.Cleanup(func() { _ = l.Close() })
	return s, fmt.Sprint(l.Addr())
}

func (s *silentListener) accepted() int {
	n := <-s.count
	s.count <- n
	return n
}
