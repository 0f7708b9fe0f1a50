//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// crashMatrix collects the outcome of every crash point, for the log.
type crashMatrix struct {
	mu     sync.Mutex
	writes map[string]int // per row
	cells  map[string]crashCell
}

type crashCell struct {
	outcome string
	fewest  int // ready endpoints
}

func newCrashMatrix() *crashMatrix {
	return &crashMatrix{writes: map[string]int{}, cells: map[string]crashCell{}}
}

func (m *crashMatrix) row(name string, writes int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes[name] = writes
}

func (m *crashMatrix) set(name string, n int, mode, outcome string, fewest int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cells[fmt.Sprintf("%s/%d/%s", name, n, mode)] = crashCell{outcome, fewest}
}

// log prints verb x crash point x outcome, in the order of crashCases, and
// the totals.
func (m *crashMatrix) log(t *testing.T, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	points, converged, held, fewest := 0, 0, 0, -1
	for _, c := range crashCases {
		writes := m.writes[c.name]
		for n := 1; n <= writes; n++ {
			for _, mode := range []string{"rerun", "recover"} {
				cell, ok := m.cells[fmt.Sprintf("%s/%d/%s", c.name, n, mode)]
				if !ok {
					continue
				}
				points++
				if strings.HasPrefix(cell.outcome, "ok") && !strings.Contains(cell.outcome, "DARK") {
					converged++
				}
				if strings.Contains(cell.outcome, "lock held") {
					held++
				}
				if fewest < 0 || cell.fewest < fewest {
					fewest = cell.fewest
				}
				fmt.Fprintf(&b, "\n  %-44s N=%d/%d  %-8s %s (min %d ready)", c.name, n, writes, mode, cell.outcome, cell.fewest)
			}
		}
	}
	t.Logf("crash matrix: %d crash points tried; the release converged at %d, its lock was left held at %d; fewest ready endpoints seen %d; in %s%s",
		points, converged, held, fewest, took.Round(time.Second), b.String())
}

// fewest is the fewest ready endpoints the watcher saw.
func (ew *endpointWatcher) fewest() int {
	ew.mu.Lock()
	defer ew.mu.Unlock()
	return ew.minReady
}
