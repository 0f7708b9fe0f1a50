package dashboard

import (
	"context"
	"html/template"
	"slices"
	"strings"
	"sync"
)

// overview is the page of every release, kept rendered: a group per
// context, a row per release. After a change only what changed goes to
// the tabs: the rows, or a group when its own header changed.
type overview struct {
	s     *Server
	topic *topic

	mu      sync.Mutex
	version uint64
	groups  []groupState
}

// groupState is a group as last rendered.
type groupState struct {
	id, shell, full string
	rows            map[string]string
	order           []string
	// seen is the version of its cluster it was rendered from.
	seen uint64
}

// patch is the change from one version of the overview to the next:
// groups replaced whole, rows replaced or added, and the order of the rows
// of a group when it changed (a row left out is gone).
type patch struct {
	Groups map[string]string   `json:"groups,omitempty"`
	Rows   map[string]string   `json:"rows,omitempty"`
	Order  map[string][]string `json:"order,omitempty"`
}

func newOverview(s *Server) *overview {
	return &overview{s: s, topic: newTopic(), groups: make([]groupState, len(s.clusters))}
}

// run renders the overview again after each change of a cluster.
func (o *overview) run(ctx context.Context) {
	for {
		changed := o.s.changed.wait()
		if err := o.update(); err != nil {
			o.s.logf("rendering the overview: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

// update renders the groups whose cluster changed and tells the tabs.
func (o *overview) update() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	p := patch{Groups: map[string]string{}, Rows: map[string]string{}, Order: map[string][]string{}}
	now := o.s.now()
	for i, c := range o.s.clusters {
		snap := c.snapshot()
		old := &o.groups[i]
		if old.id != "" && snap.version == old.seen {
			continue
		}
		g := groupOf(snap, o.s.allNamespaces, now)
		next := groupState{id: g.ID, rows: map[string]string{}, seen: snap.version}
		var rows strings.Builder
		for _, row := range g.Rows {
			html, err := render(o.s.templates, "row", row)
			if err != nil {
				return err
			}
			next.rows[row.ID] = html
			next.order = append(next.order, row.ID)
			rows.WriteString(html)
		}
		// The shell is the group without its rows: what tells a change of
		// the group itself (its header, its count) from one of its rows.
		var err error
		if next.shell, err = render(o.s.templates, "group", g); err != nil {
			return err
		}
		g.RowsHTML = template.HTML(rows.String()) // rendered by the row template
		if next.full, err = render(o.s.templates, "group", g); err != nil {
			return err
		}
		switch {
		case next.shell != old.shell:
			p.Groups[g.ID] = next.full
		default:
			for id, html := range next.rows {
				if old.rows[id] != html {
					p.Rows[id] = html
				}
			}
			if !slices.Equal(next.order, old.order) {
				p.Order[g.ID] = next.order
			}
		}
		*old = next
	}
	if len(p.Groups)+len(p.Rows)+len(p.Order) == 0 && o.version > 0 {
		return nil
	}
	o.version++
	o.topic.publish(o.version, message("patch", o.version, p), message("reset", o.version, map[string]string{"html": o.html()}))
	return nil
}

// html is every group, as the page holds them.
func (o *overview) html() string {
	var b strings.Builder
	for _, g := range o.groups {
		b.WriteString(g.full)
	}
	return b.String()
}

// current is the overview's HTML and version, for a first paint.
func (o *overview) current() (string, uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.html(), o.version
}
