package dashboard

import (
	"context"
	"errors"
	"html/template"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// idleFor is how long a release's page is followed after its last tab
// went: a reload does not start its watches over.
const idleFor = 30 * time.Second

// releaseStream is a release's page, kept rendered for every tab that
// shows it: its status from its cluster's releases, and its pods,
// ReplicaSets and Events from watches of its own, opened while a tab shows
// it (or did within idleFor).
type releaseStream struct {
	s       *Server
	cluster *cluster
	target  ship.Target
	topic   *topic
	// rendered is closed after the first render.
	rendered chan struct{}

	mu       sync.Mutex
	version  uint64
	sections map[string]string
}

// release returns the stream of a release's page, started on first use.
func (s *Server) release(c *cluster, namespace, name string) *releaseStream {
	k := c.name + "\x00" + namespace + "\x00" + name
	s.mu.Lock()
	defer s.mu.Unlock()
	if rs := s.releases[k]; rs != nil {
		return rs
	}
	t := c.target
	t.Namespace, t.Name = namespace, name
	rs := &releaseStream{s: s, cluster: c, target: t, topic: newTopic(), rendered: make(chan struct{})}
	s.releases[k] = rs
	ctx, cancel := context.WithCancel(s.ctx)
	go func() {
		rs.run(ctx, func() bool {
			// Stop following once no tab has shown it for a while.
			s.mu.Lock()
			defer s.mu.Unlock()
			if rs.topic.subscribers() > 0 {
				return false
			}
			delete(s.releases, k)
			return true
		})
		cancel()
	}()
	return rs
}

// run renders the page after each change until it is idle.
func (rs *releaseStream) run(ctx context.Context, idle func() bool) {
	<-rs.cluster.ready
	var detail ship.ReleaseFeed
	var selector labels.Selector
	stopDetail := func() {}
	defer func() { stopDetail() }()
	lastSeen := time.Now()
	tick := time.NewTicker(idleFor / 3)
	defer tick.Stop()
	for {
		changed := rs.cluster.changed.wait()
		st, _ := rs.cluster.release(rs.target.Namespace, rs.target.Name)
		// Follow the pods of the release's Deployments as they are now: a
		// canary started since widens the selector.
		if st != nil && rs.cluster.feed != nil {
			names := make([]string, len(st.Deployments))
			for i, d := range st.Deployments {
				names[i] = d.Name
			}
			if next := rs.cluster.feed.PodSelector(rs.target.Namespace, names); selector == nil || next.String() != selector.String() {
				stopDetail()
				detailCtx, cancel := context.WithCancel(ctx)
				stopDetail, selector = cancel, next
				var err error
				if detail, err = rs.s.engine.FollowRelease(detailCtx, rs.target, selector); err != nil {
					rs.s.logf("following release %s: %v", rs.target.Name, err)
				} else if rs.version == 0 {
					rs.s.wait(detail.Synced()) // the first paint shows the pods
				}
			}
		}
		rs.render(detail)
		var detailChanged <-chan struct{}
		if detail != nil {
			detailChanged = detail.Changed()
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-detailChanged:
			// The first events of a rollout come in a burst.
			time.Sleep(settle)
		case <-tick.C:
			if rs.topic.subscribers() > 0 {
				lastSeen = time.Now()
			} else if time.Since(lastSeen) > idleFor && idle() {
				return
			}
		}
	}
}

// releaseSections are the sections of a release's page, in order (the
// templates of release.html).
var releaseSections = [...]string{"r-head", "r-warnings", "r-traffic", "r-steps", "r-gates", "r-pods", "r-history", "r-events"}

// renderSections renders each section of a release's page.
func renderSections(t *template.Template, v releaseView) (map[string]string, error) {
	out := make(map[string]string, len(releaseSections))
	for _, name := range releaseSections {
		html, err := render(t, name, v)
		if err != nil {
			return nil, err
		}
		out[name] = html
	}
	return out, nil
}

// render builds the page, and sends the tabs the sections that changed: a
// button is not replaced under the pointer by a change of the Events.
func (rs *releaseStream) render(detail ship.ReleaseFeed) {
	st, points := rs.cluster.release(rs.target.Namespace, rs.target.Name)
	in := releaseIn{context: rs.cluster.name, target: rs.target, status: st, gates: points}
	if rs.cluster.feed != nil {
		in.record = rs.cluster.feed.Operations(rs.target.Namespace, rs.target.Name)
	}
	if detail != nil {
		var errs [3]error
		in.pods, errs[0] = detail.Pods()
		in.replicaSets, errs[1] = detail.ReplicaSets()
		in.events, errs[2] = detail.Events()
		in.detailErr = errors.Join(slices.DeleteFunc(errs[:], func(err error) bool { return err == nil })...)
	}
	sections, err := renderSections(rs.s.templates, releasePageOf(in, rs.s.now()))
	if err != nil {
		rs.s.logf("rendering release %s: %v", rs.target.Name, err)
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	changed := map[string]string{}
	for name, html := range sections {
		if rs.sections[name] != html {
			changed[name] = html
		}
	}
	if len(changed) > 0 {
		rs.sections = sections
		rs.version++
		rs.topic.publish(rs.version, message("release", rs.version, map[string]any{"sections": changed}),
			message("release", rs.version, map[string]any{"sections": sections}))
	}
	select {
	case <-rs.rendered:
	default:
		close(rs.rendered)
	}
}

// current is the page's HTML and version, for a first paint.
func (rs *releaseStream) current() (string, uint64) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var b strings.Builder
	for _, name := range releaseSections {
		b.WriteString(rs.sections[name])
	}
	return b.String(), rs.version
}
