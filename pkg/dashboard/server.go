// Package dashboard serves `kubectl ship dashboard`: a local web page of
// every release of the chosen contexts and namespaces, kept current from
// watches and pushed to the page as server-sent events, with the verbs'
// actions carried out by the same engine as the commands. The page holds
// the user's cluster credentials' reach, so it answers only to its own
// address, only with the token of its run, and only with what html/template
// escaped.
package dashboard

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/plans"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// Engine is what the dashboard needs of the operation engine (ship.Engine).
type Engine interface {
	// Follow keeps a namespace's releases (or every namespace's) current.
	Follow(ctx context.Context, t ship.Target, allNamespaces bool) (ship.Feed, ship.Target, error)
	// FollowRelease keeps a release's pods, ReplicaSets and Events current.
	FollowRelease(ctx context.Context, t ship.Target, selector labels.Selector) (ship.ReleaseFeed, error)
	// Run carries out an operation, as the commands do.
	Run(ctx context.Context, t ship.Target, p plans.Planner, o ship.Options) (*ship.Result, error)
}

// Context is a kubeconfig context the dashboard shows: Name as shown, and
// the context to follow ("" for the current one).
type Context struct {
	Name, Context string
}

// Config is what a dashboard shows, and how.
type Config struct {
	Engine   Engine
	Contexts []Context
	// AllNamespaces shows every namespace; otherwise each context's own
	// (or -n's).
	AllNamespaces bool
	// Log receives what goes wrong while serving; nil discards it.
	Log io.Writer
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Server is a running dashboard.
type Server struct {
	engine        Engine
	allNamespaces bool
	log           io.Writer
	now           func() time.Time
	templates     *template.Template
	// token opens a session (the printed address carries it); csrf is the
	// page's token for the requests that change something.
	token, csrf, cookie string
	hosts               hosts

	// ctx is the dashboard's life: the clusters are followed, and actions
	// run, until it ends.
	ctx      context.Context
	clusters []*cluster
	// changed is told of every cluster's change.
	changed  *notifier
	overview *overview

	mu       sync.Mutex
	releases map[string]*releaseStream
}

// Start follows the releases of every context until ctx ends, and returns
// the server that shows them, to Serve on a listener.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	templates, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{
		engine: cfg.Engine, allNamespaces: cfg.AllNamespaces, log: cfg.Log, now: cfg.Now, templates: templates,
		token: newToken(), csrf: newToken(), ctx: ctx, changed: newNotifier(), releases: map[string]*releaseStream{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = io.Discard
	}
	for _, kc := range cfg.Contexts {
		feed, target, err := s.engine.Follow(ctx, ship.Target{Context: kc.Context}, cfg.AllNamespaces)
		if err != nil {
			s.clusters = append(s.clusters, failedCluster(kc.Name, err))
			continue
		}
		c := newCluster(kc.Name, target, feed, s.now)
		c.also = s.changed
		s.clusters = append(s.clusters, c)
		go c.run(ctx)
	}
	s.overview = newOverview(s)
	go s.overview.run(ctx)
	return s, nil
}

// Serve answers on l until the dashboard's context ends.
func (s *Server) Serve(l net.Listener) error {
	s.bind(l.Addr())
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	go func() {
		<-s.ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// bind makes addr the one address the dashboard answers to; its session
// cookie is named after the port, cookies being shared by every port of a
// host.
func (s *Server) bind(addr net.Addr) {
	s.hosts = hostsOf(addr)
	s.cookie = "kubectl-ship-dashboard-" + s.hosts.port
}

// URL is the address that opens the dashboard, with the run's token.
func (s *Server) URL(l net.Listener) string {
	host := l.Addr().String()
	if tcp, ok := l.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		host = net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
	}
	return "http://" + host + "/?token=" + s.token
}

// Handler answers the dashboard's requests, each through guard.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	assets, _ := fs.Sub(assetFiles, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(assets)))
	mux.HandleFunc("GET /{$}", s.servePage)
	mux.HandleFunc("GET /release", s.servePage)
	mux.HandleFunc("GET /events", s.serveEvents)
	mux.HandleFunc("POST /api/plan", s.serveAction(true))
	mux.HandleFunc("POST /api/run", s.serveAction(false))
	return s.guard(mux)
}

func (s *Server) logf(format string, args ...any) {
	fmt.Fprintf(s.log, "dashboard: "+format+"\n", args...)
}

// cluster finds a context by the name it is shown with.
func (s *Server) cluster(name string) *cluster {
	for _, c := range s.clusters {
		if c.name == name {
			return c
		}
	}
	return nil
}
