package dashboard

import (
	"context"
	"sync"
	"time"

	"github.com/kubectl-ship/kubectl-ship/pkg/release"
	"github.com/kubectl-ship/kubectl-ship/pkg/ship"
)

// settle is how long a burst of watch events is let run before the
// releases are built again: a rollout is dozens of events in a second.
const settle = 100 * time.Millisecond

// cluster is one kubeconfig context of the dashboard, its releases followed
// from watches once, for every page and tab.
type cluster struct {
	// name is the context as shown; target its Context and namespace.
	name   string
	target ship.Target
	feed   ship.Feed
	now    func() time.Time

	// ready is closed once the releases were read, or could not be.
	ready   chan struct{}
	changed *notifier
	// also is told of each change too: the server's, for the overview.
	also *notifier

	mu sync.Mutex
	// list is the releases as last built; err why they could never be
	// read, stale why they may be out of date.
	list       *release.StatusList
	err, stale error
	version    uint64
	gates      map[string]*gateSeries
}

// failedCluster is a context that could not be followed at all (a context
// the kubeconfig cannot connect to): a row that says why.
func failedCluster(name string, err error) *cluster {
	c := &cluster{name: name, err: err, ready: make(chan struct{}), changed: newNotifier()}
	close(c.ready)
	return c
}

func newCluster(name string, target ship.Target, feed ship.Feed, now func() time.Time) *cluster {
	return &cluster{name: name, target: target, feed: feed, now: now, ready: make(chan struct{}),
		changed: newNotifier(), gates: map[string]*gateSeries{}}
}

// run builds the releases again after each change, until ctx ends.
func (c *cluster) run(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-c.feed.Synced():
	}
	c.refresh()
	close(c.ready)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.feed.Changed():
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(settle):
		}
		c.refresh()
	}
}

func (c *cluster) refresh() {
	list, stale, err := c.feed.Releases()
	now := c.now()
	c.mu.Lock()
	c.list, c.stale, c.err = list, stale, err
	if list != nil {
		seen := map[string]bool{}
		for _, st := range list.Items {
			k := st.Namespace + "/" + st.Name
			seen[k] = true
			if p := st.Progression; p != nil && len(p.Gates) > 0 {
				if c.gates[k] == nil {
					c.gates[k] = &gateSeries{}
				}
				c.gates[k].observe(now, p)
			}
		}
		for k := range c.gates {
			if !seen[k] {
				delete(c.gates, k)
			}
		}
	}
	c.version++
	c.mu.Unlock()
	c.changed.notify()
	if c.also != nil {
		c.also.notify()
	}
}

// snapshot is the cluster's state as last built.
type snapshot struct {
	name       string
	target     ship.Target
	list       *release.StatusList
	err, stale error
	version    uint64
}

func (c *cluster) snapshot() snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return snapshot{name: c.name, target: c.target, list: c.list, err: c.err, stale: c.stale, version: c.version}
}

// release finds a release as last built, and its gates' values over time.
func (c *cluster) release(namespace, name string) (*release.Status, []gatePoint) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.list == nil {
		return nil, nil
	}
	for _, st := range c.list.Items {
		if st.Namespace == namespace && st.Name == name {
			var points []gatePoint
			if s := c.gates[namespace+"/"+name]; s != nil {
				points = append(points, s.points...)
			}
			return st, points
		}
	}
	return nil, nil
}

// notifier tells every waiter of each change: wait returns a channel that
// the next notify closes.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func newNotifier() *notifier { return &notifier{ch: make(chan struct{})} }

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) notify() {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.ch)
	n.ch = make(chan struct{})
}
