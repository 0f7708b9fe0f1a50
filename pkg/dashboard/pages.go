package dashboard

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"k8s.io/klog/v2"
)

// firstPaint bounds how long the first page waits for the clusters' first
// lists: a slow cluster shows as loading, and fills in live.
const firstPaint = 10 * time.Second

// page is what the layout shows around a view.
type page struct {
	Title, View, Stream, CSRF, Scope string
	Version                          uint64
	Crumbs                           []string
	Main                             template.HTML
}

// servePage answers the overview (/) and a release's page (/release).
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	p := page{CSRF: s.csrf, Scope: s.scope()}
	var err error
	if r.URL.Path == "/release" {
		q := r.URL.Query()
		rs, status := s.releaseOf(q)
		if rs == nil {
			http.Error(w, "no such context on this dashboard: "+q.Get("context"), status)
			return
		}
		s.wait(rs.rendered)
		inner, version := rs.current()
		p.Title, p.View, p.Version = q.Get("name"), "release", version
		p.Crumbs = []string{clean(q.Get("context")), clean(q.Get("namespace")), clean(q.Get("name"))}
		p.Stream = "/events?" + url.Values{"view": {"release"}, "context": {q.Get("context")}, "namespace": {q.Get("namespace")}, "name": {q.Get("name")}}.Encode()
		p.Main, err = s.html("releasepage", map[string]any{"Context": q.Get("context"), "Namespace": q.Get("namespace"), "Name": q.Get("name"),
			"Inner": template.HTML(inner)}) // rendered by the release template
	} else {
		for _, c := range s.clusters {
			s.wait(c.ready)
		}
		if err := s.overview.update(); err != nil {
			s.logf("rendering the overview: %v", err)
		}
		inner, version := s.overview.current()
		klog.V(2).Infof("dashboard: first paint of the overview, version %d", version)
		p.Title, p.View, p.Version, p.Stream = "Releases", "overview", version, "/events?view=overview"
		p.Main, err = s.html("overview", map[string]any{"Inner": template.HTML(inner)}) // rendered by the group template
	}
	if err == nil {
		var body string
		if body, err = render(s.templates, "layout", p); err == nil {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(body))
			return
		}
	}
	s.logf("rendering %s: %v", r.URL.Path, err)
	http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
}

// serveEvents streams a view's changes to a tab.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch q.Get("view") {
	case "overview":
		s.serve(w, r, s.overview.topic)
	case "release":
		rs, status := s.releaseOf(q)
		if rs == nil {
			http.Error(w, "no such context on this dashboard", status)
			return
		}
		s.serve(w, r, rs.topic)
	default:
		http.Error(w, "view must be overview or release", http.StatusBadRequest)
	}
}

// releaseOf is the stream of the release a query names.
func (s *Server) releaseOf(q url.Values) (*releaseStream, int) {
	c := s.cluster(q.Get("context"))
	if c == nil || q.Get("namespace") == "" || q.Get("name") == "" {
		return nil, http.StatusNotFound
	}
	return s.release(c, q.Get("namespace"), q.Get("name")), http.StatusOK
}

// serveAction plans (dryRun) or runs an action, and answers its outcome
// as JSON: 200 with the command's output, and its error when it failed.
func (s *Server) serveAction(dryRun bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req request
		var res outcome
		err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req)
		if err != nil {
			err = fmt.Errorf("a JSON request: %w", err)
		} else {
			res, err = s.perform(r.Context(), req, dryRun)
		}
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			res = outcome{Error: clean(err.Error())}
		}
		_ = json.NewEncoder(w).Encode(res)
	}
}

func (s *Server) html(name string, data any) (template.HTML, error) {
	out, err := render(s.templates, name, data)
	return template.HTML(out), err // rendered by html/template
}

// wait waits for ready, at most firstPaint.
func (s *Server) wait(ready <-chan struct{}) {
	t := time.NewTimer(firstPaint)
	defer t.Stop()
	select {
	case <-ready:
	case <-t.C:
	case <-s.ctx.Done():
	}
}

// scope says what the dashboard shows.
func (s *Server) scope() string {
	n := len(s.clusters)
	what := fmt.Sprintf("%d contexts", n)
	if n == 1 {
		what = "context " + clean(s.clusters[0].name)
	}
	if s.allNamespaces {
		return what + ", all namespaces"
	}
	return what
}
