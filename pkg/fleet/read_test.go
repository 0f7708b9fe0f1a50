package fleet

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Read keeps the order of the contexts, never has more than Parallel reads
// at once, and bounds each cluster by the timeout: a cluster that hangs is
// an answer with its error, not a hung command.
func TestReadIsBoundedAndOrdered(t *testing.T) {
	contexts := make([]string, 20)
	for i := range contexts {
		contexts[i] = fmt.Sprintf("c%02d", i)
	}
	var now, most atomic.Int32
	start := time.Now()
	results := Read(context.Background(), contexts, ReadOptions{Parallel: 4, Timeout: 200 * time.Millisecond},
		func(ctx context.Context, name string) (string, error) {
			defer now.Add(-1)
			if n := now.Add(1); n > most.Load() {
				most.Store(n)
			}
			if name == "c07" {
				<-ctx.Done() // a cluster that never answers
				return "", ctx.Err()
			}
			time.Sleep(20 * time.Millisecond)
			return "read " + name, nil
		})
	if most.Load() > 4 {
		t.Errorf("%d reads at once, want at most 4", most.Load())
	}
	for i, r := range results {
		if r.Context != contexts[i] {
			t.Fatalf("result %d is %s's, want %s's", i, r.Context, contexts[i])
		}
		if r.Context == "c07" {
			if r.Err == nil || Classify(r.Err) != TimedOut || !strings.Contains(r.Err.Error(), "no answer within 200ms (--request-timeout)") {
				t.Errorf("the hung cluster: %v", r.Err)
			}
		} else if r.Err != nil || r.Value != "read "+r.Context {
			t.Errorf("%s: %q, %v", r.Context, r.Value, r.Err)
		}
	}
	// 19 reads of 20 ms, 4 at once, beside one of 200 ms: far below the sum.
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %s", elapsed)
	}
}

// Lines from clusters printing at once never mix, each prefixed with its
// context; an unfinished line waits for its end.
func TestPrefixedLinesDoNotMix(t *testing.T) {
	var out bytes.Buffer
	var lines Lines
	var wg sync.WaitGroup
	for _, name := range []string{"a", "b", "c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := lines.Prefixed(&out, name)
			for i := range 100 {
				fmt.Fprintf(w, "line %d ", i)
				fmt.Fprintf(w, "of %s\n", name)
			}
			fmt.Fprint(w, "unfinished")
			if err := w.Flush(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != 303 {
		t.Fatalf("%d lines", len(got))
	}
	for _, l := range got {
		name := l[1:2]
		if !strings.HasPrefix(l, "["+name+"] ") || !strings.HasSuffix(l, "of "+name) && l != "["+name+"] unfinished" {
			t.Errorf("mixed line %q", l)
		}
	}
}

func TestReportEndsWithTheCommandsToGoOn(t *testing.T) {
	r := &Report{
		Hints: Hints{Continue: "kubectl ship canary web --image web:2 --wave a --wave b,c --wave d -n shop", Rollback: "kubectl ship abort web -n shop"},
		Clusters: []*ClusterState{
			{Wave: 1, Context: "a", State: StateDone, Detail: "deployment.apps/web-canary created; healthy for 10m (1 canary, 3 stable pods healthy)"},
			{Wave: 2, Context: "b", State: StateRolledBack, Detail: "health gate: pods: Fail: canary pod web-canary-x: container web waiting: CrashLoopBackOff; rolled back: deployment.apps/web-canary deleted", Outcome: Degraded},
			{Wave: 2, Context: "c", State: StateDone, Detail: "deployment.apps/web-canary created; soak cut short: another cluster failed"},
			{Wave: 3, Context: "d", State: StateNotStarted},
		},
	}
	var out bytes.Buffer
	if err := r.Print(&out); err != nil {
		t.Fatal(err)
	}
	want := `WAVE   CONTEXT   STATE         DETAIL
1      a         done          deployment.apps/web-canary created; healthy for 10m (1 canary, 3 stable pods healthy)
2      b         rolled back   health gate: pods: Fail: canary pod web-canary-x: container web waiting: CrashLoopBackOff; rolled back: deployment.apps/web-canary deleted
2      c         done          deployment.apps/web-canary created; soak cut short: another cluster failed
3      d         not started   -

To continue, run the same command again (clusters done answer "already done"):
  kubectl ship canary web --image web:2 --wave a --wave b,c --wave d -n shop
To roll back the clusters it changed instead:
  kubectl ship abort web -n shop --contexts a,c
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	if r.Finished() || r.ExitCode() != 1 {
		t.Errorf("finished %v, exit %d", r.Finished(), r.ExitCode())
	}
	r.Clusters[0].Outcome = Unreachable
	if r.ExitCode() != 5 {
		t.Errorf("exit %d, want the worst outcome, 5", r.ExitCode())
	}
	for _, c := range r.Clusters {
		c.State = StateAlreadyDone
	}
	out.Reset()
	if err := r.Print(&out); err != nil || strings.Contains(out.String(), "To continue") || r.ExitCode() != 0 {
		t.Errorf("a finished run (exit %d, %v):\n%s", r.ExitCode(), err, out.String())
	}
}
