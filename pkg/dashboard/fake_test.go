package dashboard

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// fakeEngine serves releases set by the test, and records what it is asked
// to run; run answers a Run.
type fakeEngine struct {
	feeds map[string]*fakeFeed // by context
	run   func(t ship.Target, p plans.Planner, o ship.Options) error

	mu   sync.Mutex
	runs []ship.Options
}

func (e *fakeEngine) Follow(_ context.Context, t ship.Target, _ bool) (ship.Feed, ship.Target, error) {
	f := e.feeds[t.Context]
	if f == nil {
		return nil, t, &net.OpError{Op: "dial", Err: errRefused}
	}
	t.Namespace = "demo"
	return f, t, nil
}

func (e *fakeEngine) FollowRelease(context.Context, ship.Target, labels.Selector) (ship.ReleaseFeed, error) {
	return fakeReleaseFeed{}, nil
}

func (e *fakeEngine) Run(_ context.Context, t ship.Target, p plans.Planner, o ship.Options) (*ship.Result, error) {
	e.mu.Lock()
	e.runs = append(e.runs, o)
	e.mu.Unlock()
	return &ship.Result{Target: t}, e.run(t, p, o)
}

var errRefused = &refused{}

type refused struct{}

func (*refused) Error() string { return "connection refused" }

// fakeFeed is a namespace's releases, as the test sets them.
type fakeFeed struct {
	mu      sync.Mutex
	list    *release.StatusList
	err     error
	record  []release.Operation
	changed chan struct{}
	synced  chan struct{}
}

func newFeed(items ...*release.Status) *fakeFeed {
	f := &fakeFeed{changed: make(chan struct{}, 1), synced: make(chan struct{})}
	f.list = &release.StatusList{Items: items}
	close(f.synced)
	return f
}

// set replaces the releases, as a watch event would.
func (f *fakeFeed) set(items ...*release.Status) {
	f.mu.Lock()
	f.list = &release.StatusList{Items: items}
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func (f *fakeFeed) Changed() <-chan struct{} { return f.changed }
func (f *fakeFeed) Synced() <-chan struct{}  { return f.synced }
func (f *fakeFeed) Releases() (*release.StatusList, error, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.list, nil, f.err
}
func (f *fakeFeed) Operations(string, string) []release.Operation { return f.record }
func (f *fakeFeed) PodSelector(string, []string) labels.Selector {
	return labels.SelectorFromSet(labels.Set{"app": "ctwoc"})
}

type fakeReleaseFeed struct{}

func (fakeReleaseFeed) Changed() <-chan struct{} { return nil }
func (fakeReleaseFeed) Synced() <-chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}
func (fakeReleaseFeed) Pods() ([]corev1.Pod, error)               { return nil, nil }
func (fakeReleaseFeed) ReplicaSets() ([]appsv1.ReplicaSet, error) { return nil, nil }
func (fakeReleaseFeed) Events() ([]corev1.Event, error)           { return nil, nil }

// canary is release name at weight percent of a canary.
func canary(name string, weight float64) *release.Status {
	return &release.Status{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "demo", CreationTimestamp: metav1.NewTime(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))},
		Strategy:   release.StrategyCanary, Phase: release.PhaseHealthy,
		Deployments: []release.DeploymentStatus{
			deployment(name, release.RoleStable, "example/"+name+":1.0.0"),
			deployment(name+"-canary", release.RoleCanary, "example/"+name+":2.0.0"),
		},
		Services: []release.ServiceStatus{{
			Name: name, Selector: map[string]string{"app": name},
			ReadyEndpoints:  map[string]int{"stable": 3, "canary": 1},
			Traffic:         map[string]float64{"stable": 100 - weight, "canary": weight},
			RequestedWeight: ptr.To(int32(weight)),
		}},
	}
}

func deployment(name, role, image string) release.DeploymentStatus {
	return release.DeploymentStatus{Name: name, Role: role, Images: []string{image},
		Containers: []release.Container{{Name: "app", Image: image, Type: release.ContainerApp}},
		Replicas:   3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3, Revision: "1", RolledOut: true}
}

// dashboard starts a dashboard of the engine's contexts on a test server,
// and returns it with a client that has opened its printed address.
func dashboard(t *testing.T, e *fakeEngine, contexts ...string) (*Server, *httptest.Server, *http.Client) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var cs []Context
	for _, c := range contexts {
		cs = append(cs, Context{Name: c, Context: c})
	}
	s, err := Start(ctx, Config{Engine: e, Contexts: cs, Now: func() time.Time { return time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	s.bind(ts.Listener.Addr())
	ts.Config.Handler = s.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	client := ts.Client()
	client.Jar, _ = cookiejar.New(nil)
	u, _ := url.Parse(s.URL(ts.Listener))
	res, err := client.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("opening the printed address: %s", res.Status)
	}
	return s, ts, client
}

// get fetches path with the session, and returns the body.
func get(t *testing.T, client *http.Client, ts *httptest.Server, path string) string {
	t.Helper()
	res, err := client.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", path, res.Status, b.String())
	}
	return b.String()
}
