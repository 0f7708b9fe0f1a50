//go:build e2e

package e2e

// crashCase is one row of the crash matrix: a verb run from a precondition,
// and the other way out of it after a crash.
type crashCase struct {
	name string
	// versioned gives the seed's pods a version label, appOnly leaves them
	// only app=ctwoc; services are extra Services selecting app=ctwoc
	// beside ctwoc.
	versioned, appOnly bool
	services           []string
	// files are the walkthrough's manifests to start from instead of the
	// seed's release (a release made by hand).
	files []string
	// setup are the commands that make the precondition, args the command.
	setup [][]string
	args  []string
	// recovery is what a user runs instead of the same command (abort,
	// switch back), nil when only re-running makes sense. When it refuses
	// with a line containing refusal, instead is the way out it names, or
	// with no instead the refusal is the answer (nothing to switch back).
	recovery []string
	refusal  string
	instead  []string
	// trafficOnly judges the recovery by where traffic goes, not by the
	// objects: switching back to blue moves traffic and creates nothing.
	trafficOnly bool
	// routes is a manifest applied before setup: the routes the release
	// runs through.
	routes string
}

var (
	canary25       = []string{"ship", "canary", "ctwoc", "--image", v2, "--weight", "25"}
	canaryIngress  = []string{"ship", "canary", "ctwoc", "--image", v2, "--weight", "10", "--route", "ingress/ctwoc"}
	canary25Sticky = []string{"ship", "canary", "ctwoc", "--image", v2, "--weight", "25", "--sticky"}
	switchToBlue   = []string{"ship", "bluegreen-switch", "ctwoc", "--to", "blue"}
	abort          = []string{"ship", "abort", "ctwoc"}
	paused         = []string{"ship", "canary", "ctwoc", "--image", v2, "--steps", "25,pause,50", "--interval", "2s", "--check-every", "1s", "--wait=false"}
	promote        = []string{"ship", "promote", "ctwoc"}
	adopt          = []string{"ship", "adopt", "ctwoc"}
)

var crashCases = []crashCase{
	{name: "canary create --sticky", args: canary25Sticky, recovery: abort},
	{name: "canary resize --sticky", setup: [][]string{canary25},
		args: []string{"ship", "canary", "ctwoc", "--image", v2, "--weight", "50", "--sticky"}, recovery: abort},
	{name: "promote (sticky canary)", setup: [][]string{canary25Sticky}, args: promote,
		recovery: abort, refusal: "a promote was started", instead: promote},
	{name: "abort (sticky canary)", setup: [][]string{canary25Sticky}, args: abort},
	// A progression stopped at its pause step: promote and abort end it in
	// the record too.
	{name: "promote (progression paused)", setup: [][]string{paused}, args: promote,
		recovery: abort, refusal: "a promote was started", instead: promote},
	{name: "abort (progression paused)", setup: [][]string{paused}, args: abort},
	{name: "bluegreen (no version label)", args: []string{"ship", "bluegreen", "ctwoc", "--image", v2},
		recovery: switchToBlue, refusal: "has no green deployment", trafficOnly: true},
	{name: "bluegreen --preview-service", args: []string{"ship", "bluegreen", "ctwoc", "--image", v2, "--preview-service"},
		recovery: switchToBlue, refusal: "has no green deployment", trafficOnly: true},
	{name: "bluegreen --preview-service (version label)", versioned: true,
		args:     []string{"ship", "bluegreen", "ctwoc", "--image", v2, "--preview-service"},
		recovery: switchToBlue, refusal: "has no green deployment", trafficOnly: true},
	{name: "bluegreen-switch", versioned: true, setup: [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2}},
		args: []string{"ship", "bluegreen-switch", "ctwoc"}, recovery: switchToBlue},
	{name: "bluegreen-switch, 2 services", versioned: true, services: []string{"ctwoc-internal"},
		setup: [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2}},
		args:  []string{"ship", "bluegreen-switch", "ctwoc"}, recovery: switchToBlue},
	{name: "bluegreen cleanup", versioned: true, setup: [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2}},
		args: []string{"ship", "bluegreen", "cleanup", "ctwoc"}},
	{name: "bluegreen cleanup --delete", versioned: true, setup: [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2, "--preview-service"}},
		args: []string{"ship", "bluegreen", "cleanup", "ctwoc", "--delete"}},
	{name: "bluegreen cleanup --delete (green serves)", versioned: true,
		setup: [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2}, {"ship", "bluegreen-switch", "ctwoc"}},
		args:  []string{"ship", "bluegreen", "cleanup", "ctwoc", "--delete"}},
	{name: "scale (canary --weight 25)", setup: [][]string{canary25},
		args: []string{"ship", "scale", "ctwoc", "--replicas", "6"}},
	{name: "scale (canary of 1 pod, no weight)", setup: [][]string{{"ship", "canary", "ctwoc", "--image", v2}},
		args: []string{"ship", "scale", "ctwoc", "--replicas", "6"}},
	{name: "set image", args: []string{"ship", "set", "image", "ctwoc", v2},
		recovery: []string{"rollout", "undo", "deployment/ctwoc"}},
	// Through routes: every write of the route, of ship's Services and of
	// the canary Ingress.
	{name: "canary through httproute", routes: httpRoute("ctwoc", "ctwoc"), args: canaryRouted, recovery: abort},
	{name: "promote through httproute", routes: httpRoute("ctwoc", "ctwoc"), setup: [][]string{canaryRouted}, args: promote,
		recovery: abort, refusal: "a promote was started", instead: promote},
	{name: "abort through httproute", routes: httpRoute("ctwoc", "ctwoc"), setup: [][]string{canaryRouted}, args: abort},
	{name: "canary through ingress", routes: trackService + "---\n" + userIngress, args: canaryIngress, recovery: abort},
	{name: "bluegreen-switch through httproute", versioned: true, routes: httpRoute("ctwoc", "ctwoc"),
		setup: [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2}}, args: []string{"ship", "bluegreen-switch", "ctwoc"}, recovery: switchToBlue},
	{name: "promote through ingress", routes: trackService + "---\n" + userIngress, setup: [][]string{canaryIngress}, args: promote,
		recovery: abort, refusal: "a promote was started", instead: promote},
	{name: "abort through ingress", routes: trackService + "---\n" + userIngress, setup: [][]string{canaryIngress}, args: abort},
	{name: "bluegreen-switch --steps through httproute", versioned: true, routes: httpRoute("ctwoc", "ctwoc"),
		setup: [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2}},
		args:  []string{"ship", "bluegreen-switch", "ctwoc", "--steps", "50", "--interval", "1s", "--check-every", "1s"}, recovery: switchToBlue},
	{name: "canary through httproute, pods labelled only app", appOnly: true, routes: httpRoute("ctwoc", "ctwoc"), args: canaryRouted, recovery: abort},
	{name: "bluegreen-switch through httproute, pods labelled only app", appOnly: true, routes: httpRoute("ctwoc", "ctwoc"),
		setup: [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2}}, args: []string{"ship", "bluegreen-switch", "ctwoc"}, recovery: switchToBlue},
	{name: "bluegreen cleanup --delete through httproute", versioned: true, routes: httpRoute("ctwoc", "ctwoc"),
		setup: [][]string{{"ship", "bluegreen", "ctwoc", "--image", v2}, {"ship", "bluegreen-switch", "ctwoc"}},
		args:  []string{"ship", "bluegreen", "cleanup", "ctwoc", "--delete"}},
	// The walkthrough's releases made by hand, adopted, then finished.
	{name: "adopt (walkthrough canary)", files: walkthroughCanary, args: adopt},
	{name: "adopt (walkthrough green)", files: walkthroughBlueGreen, args: adopt},
	{name: "promote (adopted walkthrough canary)", files: walkthroughCanary, setup: [][]string{adopt}, args: promote,
		recovery: abort, refusal: "a promote was started", instead: promote},
	{name: "bluegreen-switch (adopted walkthrough green)", files: walkthroughBlueGreen, setup: [][]string{adopt},
		args: []string{"ship", "bluegreen-switch", "ctwoc"}, recovery: switchToBlue},
	{name: "bluegreen cleanup --delete (adopted walkthrough green serving)", files: walkthroughBlueGreen,
		setup: [][]string{adopt, {"ship", "bluegreen-switch", "ctwoc"}},
		args:  []string{"ship", "bluegreen", "cleanup", "ctwoc", "--delete"}},
}

var canaryRouted = []string{"ship", "canary", "ctwoc", "--image", v2, "--weight", "5", "--header", "X-Canary=always"}
